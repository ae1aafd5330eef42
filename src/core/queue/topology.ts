import type { Options } from 'amqplib';
import type { QueueName } from './bus.js';

export const INGEST_EXCHANGE = 'moderation.ingest';
/**
 * moderation.ingest forwards every message here (an exchange-to-exchange binding on `#`); this one routes the
 * contract's keys to guardian.ingest and hands any other key to its alternate exchange, which delivers it to
 * guardian.ingest too: the worker dead-letters it there with the reason (`unknown routing key "…"`) and a
 * bounded excerpt, instead of the broker dropping it. The public exchange itself keeps no arguments: an
 * `alternate-exchange` argument on it would make every existing declaration of it (a platform's, an older
 * worker's, an upgrade's) fail with PRECONDITION_FAILED.
 */
export const INGEST_ROUTE_EXCHANGE = 'guardian.ingest.route';
export const INGEST_UNROUTED_EXCHANGE = 'guardian.ingest.unrouted';
export const WORK_EXCHANGE = 'guardian.work';
export const EVENTS_EXCHANGE = 'guardian.events';
export const DLX_EXCHANGE = 'guardian.dlx';
export const DEAD_QUEUE = 'guardian.dead';

export const QUEUES: Record<QueueName, string> = {
  ingest: 'guardian.ingest',
  analysis: 'guardian.analysis',
  decisions: 'guardian.decisions',
  rollbacks: 'guardian.rollbacks',
};

/** Crash loops end in the dead-letter queue after this many deliveries (quorum queues count them). */
export const DELIVERY_LIMIT = 10;

// Quorum queues for durability; at-least-once dead-lettering only works with reject-publish (FACTS).
const quorum: Options.AssertQueue = {
  durable: true,
  arguments: {
    'x-queue-type': 'quorum',
    'x-delivery-limit': DELIVERY_LIMIT,
    'x-dead-letter-exchange': DLX_EXCHANGE,
    'x-dead-letter-strategy': 'at-least-once',
    'x-overflow': 'reject-publish',
  },
};

export interface QueueDecl {
  name: string;
  options: Options.AssertQueue;
  bindings: Array<{ exchange: string; routingKey: string }>;
}

export const QUEUE_DECLS: QueueDecl[] = [
  {
    name: QUEUES.ingest,
    options: quorum,
    bindings: [
      { exchange: INGEST_ROUTE_EXCHANGE, routingKey: 'content.submitted' },
      { exchange: INGEST_ROUTE_EXCHANGE, routingKey: 'appeal.submitted' },
      { exchange: INGEST_UNROUTED_EXCHANGE, routingKey: '' },
    ],
  },
  // Classic with priorities: quorum queues reject x-max-priority on RabbitMQ 3.10 (FACTS), and urgent
  // content must be analysed before the normal backlog. Crash loops end in the dead-letter queue after
  // ConsumeOptions.maxAttempts deliveries (the adapter counts them in a header; see amqp-bus.ts).
  {
    name: QUEUES.analysis,
    options: { durable: true, arguments: { 'x-max-priority': 10, 'x-dead-letter-exchange': DLX_EXCHANGE } },
    bindings: [{ exchange: WORK_EXCHANGE, routingKey: 'analysis' }],
  },
  { name: QUEUES.decisions, options: quorum, bindings: [{ exchange: WORK_EXCHANGE, routingKey: 'decisions' }] },
  { name: QUEUES.rollbacks, options: quorum, bindings: [{ exchange: WORK_EXCHANGE, routingKey: 'rollbacks' }] },
  { name: DEAD_QUEUE, options: { durable: true }, bindings: [{ exchange: DLX_EXCHANGE, routingKey: '' }] },
];

export interface ExchangeDecl {
  name: string;
  type: 'topic' | 'direct' | 'fanout';
  /** Internal: no client can publish to it, only other exchanges route to it. */
  internal?: boolean;
  alternateExchange?: string;
}

// Declared in this order: an exchange before the one naming it as its alternate.
export const EXCHANGE_DECLS: ExchangeDecl[] = [
  { name: INGEST_EXCHANGE, type: 'topic' },
  { name: INGEST_UNROUTED_EXCHANGE, type: 'fanout', internal: true },
  { name: INGEST_ROUTE_EXCHANGE, type: 'topic', internal: true, alternateExchange: INGEST_UNROUTED_EXCHANGE },
  { name: WORK_EXCHANGE, type: 'direct' },
  { name: EVENTS_EXCHANGE, type: 'topic' },
  { name: DLX_EXCHANGE, type: 'fanout' },
];

/** Exchange-to-exchange bindings (destination, source, routing key). */
export const EXCHANGE_BINDINGS: Array<{ destination: string; source: string; routingKey: string }> = [
  { destination: INGEST_ROUTE_EXCHANGE, source: INGEST_EXCHANGE, routingKey: '#' },
];

/**
 * Bindings of an earlier topology, removed by `guardian setup` (and declaring workers). Until then a message
 * reaching guardian.ingest both ways is still delivered once: RabbitMQ routes to a set of queues.
 */
export const LEGACY_QUEUE_BINDINGS: Array<{ queue: string; exchange: string; routingKey: string }> = [
  { queue: QUEUES.ingest, exchange: INGEST_EXCHANGE, routingKey: 'content.submitted' },
  { queue: QUEUES.ingest, exchange: INGEST_EXCHANGE, routingKey: 'appeal.submitted' },
];

/** Headers on dead-lettered messages that we dead-letter ourselves. */
export const DEAD_HEADERS = {
  reason: 'x-guardian-reason',
  queue: 'x-guardian-queue',
  routingKey: 'x-guardian-routing-key',
  attempts: 'x-guardian-attempts',
  /** The size in bytes of the body as it was delivered (always set). */
  bodyBytes: 'x-guardian-body-bytes',
  /** true when the dead letter holds only the first DEAD_EXCERPT_BYTES of a body over DEAD_BODY_MAX_BYTES. */
  bodyTruncated: 'x-guardian-body-truncated',
  /** sha256 (hex) of the whole body, when it was cut: to match it with the publisher's copy. */
  bodySha256: 'x-guardian-body-sha256',
  /** How many times an admin replayed this message from the dead letters (issue 15). */
  replays: 'x-guardian-replays',
} as const;

/**
 * Where a dead letter from each source queue is replayed to: the ingest exchange with the routing key it
 * came with (the platform's own door, so it is routed and checked again), or the work exchange.
 */
export function replayExchangeOf(sourceQueue: string, routingKey: string): { exchange: string; routingKey: string } | undefined {
  if (sourceQueue === QUEUES.ingest) return { exchange: INGEST_EXCHANGE, routingKey };
  for (const q of ['analysis', 'decisions', 'rollbacks'] as const) if (sourceQueue === QUEUES[q]) return { exchange: WORK_EXCHANGE, routingKey: q };
  return undefined;
}

/**
 * A dead letter keeps its body whole up to this size: every message the contract accepts fits (a poison
 * message can be replayed as it was), a 10 MB one does not fill guardian.dead.
 */
export const DEAD_BODY_MAX_BYTES = 512 * 1024;
/** What is kept of a bigger body: its first bytes (cut on a UTF-8 character boundary). */
export const DEAD_EXCERPT_BYTES = 16 * 1024;
