import type { Logger } from '../ports.js';
import { backoffMs, PermanentError, RetryLaterError, type Bus, type ConsumeOptions, type DeadDelivery, type Delivery, type Handler, type QueueName } from './bus.js';
import { DEAD_HEADERS, DEAD_QUEUE, QUEUES } from './topology.js';

interface Item {
  body: Buffer;
  routingKey: string;
  messageId?: string;
  priority: number;
  attempts: number;
  seq: number;
  replays?: number;
}

export interface DeadLetter {
  queue: QueueName;
  routingKey: string;
  body: Buffer;
  reason: string;
  attempts: number;
  messageId?: string;
  /** Times it had been replayed before (x-guardian-replays). */
  replays?: number;
}

export interface MemoryBus extends Bus {
  /** Resolves when every queue is empty and nothing is in flight (standalone CLI runs to completion). */
  drain(): Promise<void>;
  readonly deadLetters: DeadLetter[];
}

/**
 * Standalone mode's bus: the same handler contract as RabbitMQ, in process. Nothing here is durable:
 * the database is the truth and the core's recovery sweep re-enqueues unfinished work at start.
 */
export function createMemoryBus(opts: { logger: Logger; onDeadLetter?: (d: DeadLetter) => void }): MemoryBus {
  const log = opts.logger.child({ part: 'memory-bus' });
  const queues = new Map<QueueName, Item[]>();
  const consumers = new Map<QueueName, { handler: Handler; opts: ConsumeOptions; running: number }>();
  const eventHandlers: Array<(rk: string, body: unknown) => void> = [];
  const deadLetters: DeadLetter[] = [];
  const inFlight = new Set<Promise<void>>();
  let waiting = 0; // retries sleeping before they re-enter a queue
  let seq = 0;
  let consuming = true;
  let idleWaiters: Array<() => void> = [];
  // The dead-letter intake (issue 15): the same port as guardian.dead's consumer in connected mode.
  let deadHandler: ((d: DeadDelivery) => Promise<void>) | undefined;
  const deadDelivery = (dl: DeadLetter): DeadDelivery => ({
    body: dl.body,
    messageId: dl.messageId,
    contentType: 'application/json',
    headers: {
      [DEAD_HEADERS.reason]: dl.reason,
      [DEAD_HEADERS.queue]: QUEUES[dl.queue],
      [DEAD_HEADERS.routingKey]: dl.routingKey,
      [DEAD_HEADERS.attempts]: dl.attempts,
      [DEAD_HEADERS.bodyBytes]: dl.body.length,
      ...(dl.replays ? { [DEAD_HEADERS.replays]: dl.replays } : {}),
    },
  });
  /** Hands a dead letter to the intake; it stays in `deadLetters` until the intake recorded it. */
  function intake(dl: DeadLetter, attempt = 1) {
    if (!deadHandler) return;
    const work = deadHandler(deadDelivery(dl)).then(
      () => {
        const i = deadLetters.indexOf(dl);
        if (i >= 0) deadLetters.splice(i, 1);
      },
      (err: unknown) => {
        log.warn({ err: (err as Error).message }, 'could not record a dead letter; retrying');
        waiting++;
        setTimeout(() => {
          waiting--;
          intake(dl, attempt + 1);
          checkIdle();
        }, backoffMs(attempt, 200, 5_000));
      },
    );
    inFlight.add(work);
    void work.finally(() => {
      inFlight.delete(work);
      checkIdle();
    });
  }

  const q = (name: QueueName) => {
    let list = queues.get(name);
    if (!list) queues.set(name, (list = []));
    return list;
  };
  const isIdle = () => waiting === 0 && inFlight.size === 0 && [...queues.values()].every((l) => l.length === 0 || !consuming);
  const checkIdle = () => {
    if (!isIdle()) return;
    const w = idleWaiters;
    idleWaiters = [];
    for (const fn of w) fn();
  };

  function enqueue(name: QueueName, item: Item) {
    const list = q(name);
    // Higher priority first, FIFO within a priority (as RabbitMQ's priority queues do).
    let i = list.length;
    while (i > 0 && list[i - 1]!.priority < item.priority) i--;
    list.splice(i, 0, item);
    queueMicrotask(() => pump(name));
  }

  function pump(name: QueueName) {
    const c = consumers.get(name);
    if (!c || !consuming) return;
    const list = q(name);
    while (c.running < c.opts.prefetch && list.length > 0) {
      const item = list.shift()!;
      c.running++;
      const delivery: Delivery = { body: item.body, routingKey: item.routingKey, messageId: item.messageId, attempts: item.attempts + 1 };
      const work = c
        .handler(delivery)
        .catch((err: unknown) => {
          const reason = err instanceof Error ? err.message : String(err);
          const maxAttempts = c.opts.maxAttempts ?? 5;
          if (err instanceof PermanentError || delivery.attempts >= maxAttempts) {
            const dl = {
              queue: name,
              routingKey: item.routingKey,
              body: item.body,
              reason: err instanceof PermanentError ? reason : `gave up after ${delivery.attempts} attempts: ${reason}`,
              attempts: delivery.attempts,
              messageId: item.messageId,
              replays: item.replays,
            };
            deadLetters.push(dl);
            log.warn({ queue: name, reason: dl.reason }, 'dead-lettered message');
            opts.onDeadLetter?.(dl);
            intake(dl);
          } else {
            const later = err instanceof RetryLaterError;
            waiting++;
            log.warn({ queue: name, attempts: delivery.attempts, reason, counted: !later }, 'handler failed; will retry');
            setTimeout(
              () => {
                waiting--;
                enqueue(name, { ...item, attempts: later ? item.attempts : delivery.attempts });
              },
              later ? backoffMs(3, 500, 5_000) + 250 : backoffMs(delivery.attempts, 50, 2_000),
            );
          }
        })
        .finally(() => {
          c.running--;
          inFlight.delete(work);
          pump(name);
          checkIdle();
        });
      inFlight.add(work);
    }
  }

  const push = (name: QueueName, body: object | unknown, routingKey: string, priority = 0, messageId?: string) =>
    enqueue(name, { body: Buffer.from(JSON.stringify(body)), routingKey, messageId, priority, attempts: 0, seq: seq++ });

  return {
    deadLetters,
    async start() {},
    async queueDepths() {
      return [
        ...(['ingest', 'analysis', 'decisions', 'rollbacks'] as const).map((q) => ({
          queue: QUEUES[q],
          messages: queues.get(q)?.length ?? 0,
          consumers: consumers.has(q) ? 1 : 0,
        })),
        { queue: DEAD_QUEUE, messages: deadLetters.length, consumers: 0 },
      ];
    },
    async publishIngest(routingKey, body, o = {}) {
      push('ingest', body, routingKey, 0, o.messageId);
    },
    async publishJob(queue, body, o = {}) {
      push(queue, body, queue, o.priority ?? 0, o.messageId);
    },
    async publishEvent(routingKey, body) {
      for (const h of eventHandlers) {
        try {
          h(routingKey, body);
        } catch (err) {
          log.warn({ err: (err as Error).message }, 'event handler failed');
        }
      }
    },
    async consume(queue, handler, o) {
      consumers.set(queue, { handler, opts: o, running: 0 });
      pump(queue);
    },
    async subscribeEvents(handler) {
      eventHandlers.push(handler);
    },
    async consumeDeadLetters(handler) {
      deadHandler = handler;
      for (const dl of [...deadLetters]) intake(dl);
    },
    async replayDeadLetter(t) {
      const queue = (Object.keys(QUEUES) as QueueName[]).find((q) => QUEUES[q] === t.sourceQueue);
      if (!queue) throw new PermanentError(`no known source to replay to (queue "${t.sourceQueue}")`);
      enqueue(queue, { body: t.body, routingKey: queue === 'ingest' ? t.routingKey : queue, messageId: t.messageId, priority: 0, attempts: 0, seq: seq++, replays: t.replays });
    },
    async stopConsuming() {
      consuming = false;
      await Promise.allSettled([...inFlight]);
    },
    async close() {
      consuming = false;
      await Promise.allSettled([...inFlight]);
    },
    drain() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        queueMicrotask(checkIdle);
      });
    },
    state: () => 'in-process',
    onStateChange() {},
  };
}
