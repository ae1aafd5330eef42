import type { Options } from 'amqplib';
import type { QueueName } from './bus.js';

export const INGEST_EXCHANGE = 'moderation.ingest';
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
      { exchange: INGEST_EXCHANGE, routingKey: 'content.submitted' },
      { exchange: INGEST_EXCHANGE, routingKey: 'appeal.submitted' },
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

export const EXCHANGE_DECLS: Array<{ name: string; type: 'topic' | 'direct' | 'fanout' }> = [
  { name: INGEST_EXCHANGE, type: 'topic' },
  { name: WORK_EXCHANGE, type: 'direct' },
  { name: EVENTS_EXCHANGE, type: 'topic' },
  { name: DLX_EXCHANGE, type: 'fanout' },
];

/** Headers on dead-lettered messages that we dead-letter ourselves. */
export const DEAD_HEADERS = {
  reason: 'x-guardian-reason',
  queue: 'x-guardian-queue',
  routingKey: 'x-guardian-routing-key',
  attempts: 'x-guardian-attempts',
} as const;
