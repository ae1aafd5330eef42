// Standalone mode's dead-letter port (issue 15): the in-process bus hands each dead letter to the intake
// with the same headers guardian.dead carries, keeps it until the intake recorded it (a failed record is
// retried), and a replay goes back to its source queue with a fresh attempt count and the replay counted.
import { expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { PermanentError, type DeadDelivery } from '../../src/core/queue/bus.js';
import { createMemoryBus } from '../../src/core/queue/memory-bus.js';
import { describeDeadDelivery } from '../../src/core/services/dead-letters.js';

it('hands dead letters to the intake (retrying a failed record) and replays them to their source', async () => {
  const bus = createMemoryBus({ logger: silentLogger });
  const deliveries: Array<{ id: string; attempts: number }> = [];
  let fixed = false;
  await bus.consume(
    'ingest',
    async (d) => {
      const { id } = JSON.parse(d.body.toString()) as { id: string };
      deliveries.push({ id, attempts: d.attempts });
      if (!fixed) throw new PermanentError(`cannot ingest ${id}`);
    },
    { prefetch: 1, maxAttempts: 3 },
  );
  const recorded: DeadDelivery[] = [];
  let failOnce = true;
  await bus.consumeDeadLetters(async (d) => {
    if (failOnce) {
      failOnce = false;
      throw new Error('database busy');
    }
    recorded.push(d);
  }, { prefetch: 1 });

  await bus.publishIngest('content.submitted', { id: 'post-1' }, { messageId: 'm-1' });
  await bus.drain();
  expect(recorded).toHaveLength(1);
  expect(bus.deadLetters).toHaveLength(0); // taken by the intake
  const x = describeDeadDelivery(recorded[0]!);
  expect(x).toMatchObject({ reason: 'cannot ingest post-1', sourceQueue: 'guardian.ingest', routingKey: 'content.submitted', messageId: 'm-1', attempts: 1, replays: 0, bodyTruncated: false });

  fixed = true;
  await bus.replayDeadLetter({ sourceQueue: x.sourceQueue, routingKey: x.routingKey, body: x.body, messageId: 'm-1', headers: {}, replays: 1 });
  await bus.drain();
  expect(deliveries).toEqual([
    { id: 'post-1', attempts: 1 },
    { id: 'post-1', attempts: 1 }, // a fresh attempt count
  ]);
  await expect(bus.replayDeadLetter({ sourceQueue: 'elsewhere', routingKey: 'x', body: x.body, headers: {}, replays: 1 })).rejects.toThrow(/no known source/);
});

it('reads what RabbitMQ says about a message it dead-lettered itself (a delivery limit)', () => {
  const x = describeDeadDelivery({
    body: Buffer.from('{"commandId":"c"}'),
    headers: { 'x-death': [{ queue: 'guardian.decisions', reason: 'delivery_limit', count: 10, 'routing-keys': ['decisions'] }], 'x-first-death-queue': 'guardian.decisions' },
  });
  expect(x).toMatchObject({ reason: 'dead-lettered by the broker: delivery_limit after 10 deliveries', sourceQueue: 'guardian.decisions', routingKey: 'decisions', attempts: 10 });
});
