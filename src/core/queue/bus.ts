import type { IngestRoutingKey } from './messages.js';

/** Work queues of DESIGN §5. */
export type WorkQueue = 'analysis' | 'decisions' | 'rollbacks';
export type QueueName = 'ingest' | WorkQueue;
export type BusState = 'up' | 'down' | 'in-process';

export interface Delivery {
  body: Buffer;
  routingKey: string;
  messageId?: string;
  /** How many times this message has been handed to a consumer (1 on first delivery). */
  attempts: number;
}

/** Thrown by a handler when retrying cannot help: the message is dead-lettered now, with this reason. */
export class PermanentError extends Error {
  override name = 'PermanentError';
}

/**
 * Thrown by a handler when the infrastructure (not the message) is the problem, e.g. the database is
 * unreachable: the message is retried later and the attempt is not counted, so an outage never
 * dead-letters good work or fails cases.
 */
export class RetryLaterError extends Error {
  override name = 'RetryLaterError';
}

/**
 * Handler contract, the same for RabbitMQ and the in-process adapter:
 * resolve → ack (only after the effect is committed); throw PermanentError → dead-letter with the
 * reason; throw RetryLaterError → redeliver with backoff, not counted; throw anything else → redeliver
 * with backoff, dead-letter after `maxAttempts`.
 */
export type Handler = (d: Delivery) => Promise<void>;

/** A message taken from the dead-letter queue (guardian.dead), with the headers that say what it was. */
export interface DeadDelivery {
  body: Buffer;
  headers: Record<string, unknown>;
  messageId?: string;
  contentType?: string;
}

/** Where a replayed dead letter goes: back to the queue it was dead-lettered from, with its routing key. */
export interface ReplayTarget {
  sourceQueue: string;
  routingKey: string;
  body: Buffer;
  messageId?: string;
  contentType?: string;
  /** The headers it had, without our dead-letter ones. */
  headers: Record<string, unknown>;
  /** How many times it has been replayed, this one included (x-guardian-replays). */
  replays: number;
}

export interface ConsumeOptions {
  /** Unacknowledged deliveries in flight: the concurrency bound of this consumer. */
  prefetch: number;
  maxAttempts?: number;
}

export interface Bus {
  start(): Promise<void>;
  /** Publishes to the public ingest exchange (CLI `ingest`, `demo`). Resolves on broker confirm. */
  publishIngest(routingKey: IngestRoutingKey, body: unknown, opts?: { messageId?: string }): Promise<void>;
  publishJob(queue: WorkQueue, body: object, opts?: { priority?: number; messageId?: string }): Promise<void>;
  /** Live updates for every workstation; loss is tolerable (clients re-read the database). */
  publishEvent(routingKey: string, body: object): Promise<void>;
  consume(queue: QueueName, handler: Handler, opts: ConsumeOptions): Promise<void>;
  subscribeEvents(handler: (routingKey: string, body: unknown) => void): Promise<void>;
  /**
   * The worker's intake of the dead-letter queue (issue 15): resolve → ack (after the row is committed);
   * throw → the message stays (redelivered later).
   */
  consumeDeadLetters(handler: (d: DeadDelivery) => Promise<void>, opts: { prefetch: number }): Promise<void>;
  /** Publishes a dead letter back to its source (resolves on the broker's confirm). */
  replayDeadLetter(t: ReplayTarget): Promise<void>;
  /** Stops taking new deliveries and waits for the ones in flight. */
  stopConsuming(): Promise<void>;
  close(): Promise<void>;
  state(): BusState;
  onStateChange(listener: (s: BusState) => void): void;
  /** Messages waiting and consumers attached, per work queue and for the dead-letter queue (health). */
  queueDepths(): Promise<QueueDepth[]>;
  /** Why the broker is not usable, when it refused this user or the topology is missing. */
  problem?(): string | undefined;
}

export interface QueueDepth {
  queue: string;
  messages: number;
  consumers: number;
}

export const URGENT_PRIORITY = 9;
export const NORMAL_PRIORITY = 1;

/** Exponential backoff with full jitter (AWS architecture blog's "full jitter"). */
export function backoffMs(attempt: number, baseMs = 200, capMs = 30_000): number {
  return Math.floor(Math.random() * Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1)));
}
