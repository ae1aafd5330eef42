import amqp, { type AmqpConnectionManager, type ChannelWrapper } from 'amqp-connection-manager';
import { createHash } from 'node:crypto';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import { GuardianError } from '../errors.js';
import { within } from '../runtime/within.js';
import type { Logger } from '../ports.js';
import { backoffMs, PermanentError, RetryLaterError, type Bus, type BusState, type ConsumeOptions, type DeadDelivery, type Handler, type QueueDepth, type QueueName, type ReplayTarget, type WorkQueue } from './bus.js';
import type { IngestRoutingKey } from './messages.js';
import {
  DEAD_BODY_MAX_BYTES,
  DEAD_EXCERPT_BYTES,
  DEAD_HEADERS,
  DEAD_QUEUE,
  DLX_EXCHANGE,
  EVENTS_EXCHANGE,
  EXCHANGE_BINDINGS,
  EXCHANGE_DECLS,
  INGEST_EXCHANGE,
  LEGACY_QUEUE_BINDINGS,
  QUEUE_DECLS,
  QUEUES,
  replayExchangeOf,
  WORK_EXCHANGE,
} from './topology.js';

export interface AmqpBusOptions {
  url: string;
  logger: Logger;
  /** A confirm that has not arrived by then means "unknown": the caller resends by id. */
  publishTimeoutMs?: number;
  heartbeatSeconds?: number;
  /** Do not wait for the broker in start/consume: connect whenever it becomes reachable. */
  lazy?: boolean;
  /**
   * Declare the topology (guardian setup and workers, whose broker users may configure it). Everyone else
   * only checks that it exists (passive declares need no permission) and says what to run when it does not
   * (DESIGN §10): a least-privilege user could not declare it anyway.
   */
  declare: boolean;
}

// A retry is republished to its queue through the default exchange, which replaces the routing key
// with the queue name: the key the publisher used travels in this header.
const ORIGINAL_ROUTING_KEY = 'x-original-routing-key';
const routingKeyOf = (msg: ConsumeMessage): string => {
  const original = msg.properties.headers?.[ORIGINAL_ROUTING_KEY];
  return typeof original === 'string' ? original : msg.fields.routingKey;
};

const withoutKeys = (o: Record<string, unknown>, keys: string[]) => Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));

/** Exchanges every client uses: they must exist (guardian setup declares them). */
async function checkTopology(ch: ConfirmChannel) {
  for (const x of [INGEST_EXCHANGE, WORK_EXCHANGE, EVENTS_EXCHANGE]) await ch.checkExchange(x);
}

/** A broker refusal in words an operator can act on. */
function describeBrokerError(err: unknown): Error {
  const msg = err instanceof Error ? err.message : String(err);
  const detail = (marker: string) => msg.replace(new RegExp(`^.*${marker} - `), '').replace(/"$/, '');
  if (/NOT_FOUND|404/.test(msg)) return new GuardianError('unavailable', `RabbitMQ topology missing (${detail('NOT_FOUND')}): run \`guardian setup\` once with the broker's admin URL.`);
  if (/ACCESS_REFUSED|403/.test(msg)) return new GuardianError('forbidden', `RabbitMQ refused this user: ${detail('ACCESS_REFUSED')} (see \`guardian setup --broker-permissions\`).`);
  return err instanceof Error ? err : new Error(msg);
}

export async function assertTopology(ch: ConfirmChannel) {
  for (const x of EXCHANGE_DECLS)
    await ch.assertExchange(x.name, x.type, {
      durable: true,
      ...(x.internal ? { internal: true } : {}),
      ...(x.alternateExchange ? { alternateExchange: x.alternateExchange } : {}),
    });
  for (const q of QUEUE_DECLS) {
    await ch.assertQueue(q.name, q.options);
    for (const b of q.bindings) await ch.bindQueue(q.name, b.exchange, b.routingKey);
  }
  for (const b of EXCHANGE_BINDINGS) await ch.bindExchange(b.destination, b.source, b.routingKey);
  // Unbinding what is not bound is a no-op for RabbitMQ.
  for (const b of LEGACY_QUEUE_BINDINGS) await ch.unbindQueue(b.queue, b.exchange, b.routingKey);
}

/**
 * The body a dead letter keeps, with the headers that say what it was: whole up to DEAD_BODY_MAX_BYTES,
 * otherwise its first DEAD_EXCERPT_BYTES (never splitting a UTF-8 character) with the size and the sha256 of
 * the whole, so that a 10 MB message does not end up whole in guardian.dead.
 */
export function deadLetterBody(body: Buffer): { body: Buffer; headers: Record<string, unknown> } {
  if (body.length <= DEAD_BODY_MAX_BYTES) return { body, headers: { [DEAD_HEADERS.bodyBytes]: body.length } };
  let end = DEAD_EXCERPT_BYTES;
  while (end > 0 && (body[end]! & 0xc0) === 0x80) end--; // a continuation byte: back to the character's start
  return {
    body: Buffer.from(body.subarray(0, end)),
    headers: {
      [DEAD_HEADERS.bodyBytes]: body.length,
      [DEAD_HEADERS.bodyTruncated]: true,
      [DEAD_HEADERS.bodySha256]: createHash('sha256').update(body).digest('hex'),
    },
  };
}

const QUEUE_DEPTH_TIMEOUT_MS = 5_000;

/** RabbitMQ adapter. Reconnects (amqp-connection-manager) with backoff + jitter and re-declares topology. */
export function createAmqpBus(opts: AmqpBusOptions): Bus {
  const log = opts.logger.child({ part: 'amqp' });
  const publishTimeout = opts.publishTimeoutMs ?? 10_000;
  let conn: AmqpConnectionManager | undefined;
  let pub: ChannelWrapper | undefined;
  const consumers: ChannelWrapper[] = [];
  const inFlight = new Set<Promise<void>>();
  let state: BusState = 'down';
  let setupError: Error | undefined;
  const topology = async (ch: ConfirmChannel) => {
    try {
      await (opts.declare ? assertTopology(ch) : checkTopology(ch));
      setupError = undefined;
    } catch (err) {
      setupError = describeBrokerError(err);
      log.error({ err: setupError.message }, 'broker topology check failed');
      throw err;
    }
  };
  /** A CLI fails fast on a refused login or a missing topology; a workstation (lazy) keeps trying. */
  const connectedOrRefused = (ch: ChannelWrapper) =>
    new Promise<void>((resolve, reject) => {
      const fail = (err: unknown) => reject(describeBrokerError(err));
      ch.once('error', fail);
      conn!.once('connectFailed', ({ err }: { err: Error }) => {
        if (/ACCESS_REFUSED|403|not allowed|PLAIN login refused/i.test(err?.message ?? '')) fail(err);
      });
      ch.waitForConnect().then(() => {
        ch.off('error', fail);
        resolve();
      }, fail);
    });
  let reconnects = 0;
  let stopping = false;
  /** Why the broker blocked this connection (a resource alarm: memory, disk), while it does. */
  let blocked: string | undefined;
  const blockedProblem = () => (blocked ? `the broker blocked this connection (${blocked}): publishing waits until the alarm clears` : undefined);
  const listeners: Array<(s: BusState) => void> = [];
  const setState = (s: BusState) => {
    if (s === state) return;
    state = s;
    for (const l of listeners) l(s);
  };

  const publisher = () => {
    if (!pub) throw new Error('bus not started');
    return pub;
  };

  async function deadLetter(msg: ConsumeMessage, queue: QueueName, reason: string, attempts: number) {
    const kept = deadLetterBody(msg.content);
    log.warn({ queue, reason, messageId: msg.properties.messageId, bytes: msg.content.length }, 'dead-lettering message');
    await publisher().publish(DLX_EXCHANGE, '', kept.body, {
      persistent: true,
      messageId: msg.properties.messageId,
      contentType: msg.properties.contentType,
      headers: {
        // what a publisher may have put in these headers is not what we say about the body
        ...withoutKeys(msg.properties.headers ?? {}, [DEAD_HEADERS.bodyBytes, DEAD_HEADERS.bodyTruncated, DEAD_HEADERS.bodySha256]),
        ...kept.headers,
        [DEAD_HEADERS.reason]: reason.slice(0, 2000),
        [DEAD_HEADERS.queue]: QUEUES[queue],
        [DEAD_HEADERS.routingKey]: routingKeyOf(msg),
        [DEAD_HEADERS.attempts]: attempts,
      },
      timeout: publishTimeout,
    });
  }

  return {
    async start() {
      conn = amqp.connect([opts.url], {
        // Short heartbeats: a blackholed broker is noticed within seconds, not minutes.
        heartbeatIntervalInSeconds: opts.heartbeatSeconds ?? 2,
        reconnectTimeInSeconds: 0,
        // amqplib leaves Nagle on by default: a small publish right after an ack (which the broker
        // does not answer) then waits for the broker's delayed ACK, ~40 ms (BENCHMARKS.md).
        connectionOptions: { noDelay: true },
        // The manager's own delay is fixed; waiting here gives exponential backoff with jitter.
        findServers: async () => {
          if (reconnects > 0) await new Promise((r) => setTimeout(r, backoffMs(reconnects, 250, 15_000)));
          reconnects++;
          return [opts.url];
        },
      });
      conn.on('connect', () => {
        reconnects = 0;
        log.info({}, 'broker connected');
        setState('up');
      });
      conn.on('disconnect', ({ err }) => {
        if (!stopping) log.warn({ err: err?.message }, 'broker disconnected');
        blocked = undefined;
        setState('down');
      });
      // A resource alarm: the broker stops reading this connection (publishes and RPCs wait) until it clears.
      conn.on('blocked', ({ reason }) => {
        blocked = reason || 'resource alarm';
        log.warn({ reason: blocked }, 'broker blocked this connection');
      });
      conn.on('unblocked', () => {
        blocked = undefined;
        log.info({}, 'broker unblocked this connection');
      });
      pub = conn.createChannel({ confirm: true, setup: topology, publishTimeout });
      pub.on('error', (err: Error) => log.warn({ err: err.message }, 'publisher channel error'));
      if (!opts.lazy) await connectedOrRefused(pub);
    },

    async publishIngest(routingKey: IngestRoutingKey, body: unknown, o = {}) {
      await publisher().publish(INGEST_EXCHANGE, routingKey, Buffer.from(JSON.stringify(body)), {
        persistent: true,
        contentType: 'application/json',
        messageId: o.messageId,
        timeout: publishTimeout,
      });
    },

    async publishJob(queue: WorkQueue, body: object, o = {}) {
      await publisher().publish(WORK_EXCHANGE, queue, Buffer.from(JSON.stringify(body)), {
        persistent: true,
        contentType: 'application/json',
        priority: o.priority,
        messageId: o.messageId,
        timeout: publishTimeout,
      });
    },

    async queueDepths(): Promise<QueueDepth[]> {
      if (blocked) throw new Error(blockedProblem());
      const ch = publisher();
      // Bounded: a blocked connection (or a silent broker) would otherwise leave health unanswered.
      return within(
        Promise.all(
          [...Object.values(QUEUES), DEAD_QUEUE].map(async (queue) => {
            const r = await ch.checkQueue(queue);
            return { queue, messages: r.messageCount, consumers: r.consumerCount };
          }),
        ),
        QUEUE_DEPTH_TIMEOUT_MS,
        () => new Error(blockedProblem() ?? `no answer from the broker in ${QUEUE_DEPTH_TIMEOUT_MS / 1000} s (blocked by a resource alarm?)`),
      );
    },

    async publishEvent(routingKey: string, body: object) {
      await publisher().publish(EVENTS_EXCHANGE, routingKey, Buffer.from(JSON.stringify(body)), {
        contentType: 'application/json',
        timeout: publishTimeout,
      });
    },

    async consume(queue: QueueName, handler: Handler, o: ConsumeOptions) {
      if (!conn) throw new Error('bus not started');
      const maxAttempts = o.maxAttempts ?? 5;
      // A delivery tag belongs to the channel that delivered it. After a reconnect the wrapper acks on
      // the NEW channel, where an old tag is "unknown" (406): that closes the channel again and, with no
      // 'error' listener, kills the process (BENCHMARKS.md, UI under load). Count channel generations
      // and never settle a delivery from an earlier one (the broker has requeued it already).
      let generation = 0;
      const ch = conn.createChannel({
        confirm: true,
        setup: async (c: ConfirmChannel) => {
          generation++;
          await topology(c);
        },
      });
      ch.on('error', (err: Error) => log.warn({ queue, err: err.message }, 'consumer channel error'));
      consumers.push(ch);
      const onMessage = (msg: ConsumeMessage) => {
        const gen = generation;
        const settle = (fn: () => void) => {
          if (gen === generation) fn();
          else log.debug({ queue }, 'delivery from a closed channel: not settled (the broker redelivers it)');
        };
        const headers = msg.properties.headers ?? {};
        // Our own retries republish with a count; quorum queues count crash-redeliveries themselves.
        const attempts =
          Math.max(Number(headers[DEAD_HEADERS.attempts] ?? 0), Number(headers['x-delivery-count'] ?? 0)) + 1;
        const work = (async () => {
          try {
            await handler({ body: msg.content, routingKey: routingKeyOf(msg), messageId: msg.properties.messageId, attempts });
            settle(() => ch.ack(msg));
          } catch (err) {
            const reason = err instanceof Error ? err.message : String(err);
            try {
              if (err instanceof PermanentError || attempts >= maxAttempts) {
                await deadLetter(msg, queue, err instanceof PermanentError ? reason : `gave up after ${attempts} attempts: ${reason}`, attempts);
              } else {
                const later = err instanceof RetryLaterError;
                log.warn({ queue, attempts, reason, counted: !later }, 'handler failed; will retry');
                await new Promise((r) => setTimeout(r, later ? backoffMs(3, 1_000, 10_000) + 500 : backoffMs(attempts, 200, 5_000)));
                await publisher().publish('', QUEUES[queue], msg.content, {
                  ...msg.properties,
                  headers: { ...headers, [DEAD_HEADERS.attempts]: later ? attempts - 1 : attempts, [ORIGINAL_ROUTING_KEY]: routingKeyOf(msg) },
                  persistent: true,
                  timeout: publishTimeout,
                });
              }
              settle(() => ch.ack(msg));
            } catch (publishErr) {
              // Could not park or requeue it safely: leave it unacked so the broker redelivers it.
              log.error({ queue, err: (publishErr as Error).message }, 'could not dead-letter or requeue; nacking');
              settle(() => ch.nack(msg, false, true));
            }
          }
        })();
        inFlight.add(work);
        void work.finally(() => inFlight.delete(work));
      };
      await ch.consume(QUEUES[queue], onMessage, { prefetch: o.prefetch });
      if (!opts.lazy) await ch.waitForConnect();
    },

    async subscribeEvents(handler) {
      if (!conn) throw new Error('bus not started');
      const ch = conn.createChannel({
        setup: async (c: ConfirmChannel) => {
          if (opts.declare) await c.assertExchange(EVENTS_EXCHANGE, 'topic', { durable: true });
          else await c.checkExchange(EVENTS_EXCHANGE);
          // Exclusive, server-named: each workstation gets its own copy of every event.
          const { queue } = await c.assertQueue('', { exclusive: true, autoDelete: true });
          await c.bindQueue(queue, EVENTS_EXCHANGE, '#');
          await c.consume(
            queue,
            (m) => {
              if (!m) return;
              try {
                handler(m.fields.routingKey, JSON.parse(m.content.toString('utf8')));
              } catch (err) {
                log.warn({ err: (err as Error).message }, 'bad event ignored');
              }
            },
            { noAck: true },
          );
        },
      });
      // A setup cut short (the broker silent mid-declare: "Channel ended, no reply will be forthcoming") is
      // emitted as 'error' on the wrapper; with no listener it would end the process (a desktop's main). The
      // wrapper sets the channel up again on the next connect.
      ch.on('error', (err: Error) => log.warn({ err: err.message }, 'live events channel error'));
      consumers.push(ch);
      if (!opts.lazy) await ch.waitForConnect();
    },

    async consumeDeadLetters(handler: (d: DeadDelivery) => Promise<void>, o: { prefetch: number }) {
      if (!conn) throw new Error('bus not started');
      // The same channel-generation guard as consume(): never settle a delivery of a closed channel.
      let generation = 0;
      const ch = conn.createChannel({
        confirm: true,
        setup: async (c: ConfirmChannel) => {
          generation++;
          await topology(c);
        },
      });
      ch.on('error', (err: Error) => log.warn({ queue: DEAD_QUEUE, err: err.message }, 'consumer channel error'));
      consumers.push(ch);
      let failures = 0;
      const onMessage = (msg: ConsumeMessage) => {
        const gen = generation;
        const settle = (fn: () => void) => {
          if (gen === generation) fn();
        };
        const work = (async () => {
          try {
            await handler({ body: msg.content, headers: msg.properties.headers ?? {}, messageId: msg.properties.messageId, contentType: msg.properties.contentType });
            failures = 0;
            // Acked only once the row is committed: a crash before this redelivers it (nothing lost).
            settle(() => ch.ack(msg));
          } catch (err) {
            failures++;
            log.warn({ err: (err as Error).message, failures }, 'could not record a dead letter; it stays in the queue');
            await new Promise((r) => setTimeout(r, backoffMs(failures, 500, 15_000)));
            settle(() => ch.nack(msg, false, true));
          }
        })();
        inFlight.add(work);
        void work.finally(() => inFlight.delete(work));
      };
      await ch.consume(DEAD_QUEUE, onMessage, { prefetch: o.prefetch });
      if (!opts.lazy) await ch.waitForConnect();
    },

    async replayDeadLetter(t: ReplayTarget) {
      const to = replayExchangeOf(t.sourceQueue, t.routingKey);
      if (!to) throw new PermanentError(`no known source to replay to (queue "${t.sourceQueue}")`);
      await publisher().publish(to.exchange, to.routingKey, t.body, {
        persistent: true,
        contentType: t.contentType,
        messageId: t.messageId,
        // A fresh attempt count: the replay gets every retry again; the replays are counted on their own.
        headers: { ...t.headers, [DEAD_HEADERS.replays]: t.replays },
        timeout: publishTimeout,
      });
    },

    async stopConsuming() {
      await Promise.all(consumers.map((c) => c.cancelAll().catch(() => {})));
      await Promise.allSettled([...inFlight]);
    },

    async close() {
      stopping = true;
      await Promise.allSettled([...inFlight]);
      await Promise.all(consumers.map((c) => c.close().catch(() => {})));
      await pub?.close().catch(() => {});
      await conn?.close().catch(() => {});
      setState('down');
    },

    state: () => state,
    problem: () => setupError?.message ?? blockedProblem(),
    onStateChange(l) {
      listeners.push(l);
    },
  };
}
