import { expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { PermanentError, RetryLaterError } from '../../src/core/queue/bus.js';
import { createMemoryBus } from '../../src/core/queue/memory-bus.js';

it('counts failed attempts toward dead-lettering, but not "retry later" (infrastructure) failures', async () => {
  const bus = createMemoryBus({ logger: silentLogger });
  const seen = new Map<string, number>();
  await bus.consume(
    'analysis',
    async (d) => {
      const { id } = JSON.parse(d.body.toString()) as { id: string };
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      if (id === 'outage' && n <= 7) throw new RetryLaterError('database unreachable');
      if (id === 'broken') throw new Error('bug');
      if (id === 'poison') throw new PermanentError('not a valid job');
    },
    { prefetch: 2, maxAttempts: 3 },
  );
  await bus.publishJob('analysis', { id: 'outage' });
  await bus.publishJob('analysis', { id: 'broken' });
  await bus.publishJob('analysis', { id: 'poison' });
  await bus.drain();
  expect(seen.get('outage')).toBe(8); // 7 outages, not counted, then done
  expect(seen.get('broken')).toBe(3); // maxAttempts
  expect(seen.get('poison')).toBe(1);
  expect(bus.deadLetters.map((d) => [JSON.parse(d.body.toString()).id, d.reason]).sort()).toEqual([
    ['broken', 'gave up after 3 attempts: bug'],
    ['poison', 'not a valid job'],
  ]);
}, 60_000);

it('reports queue depths and dead letters the way the broker adapter does (guardian health)', async () => {
  const bus = createMemoryBus({ logger: silentLogger });
  await bus.publishJob('decisions', { id: 'a' });
  await bus.publishJob('decisions', { id: 'b' });
  const before = Object.fromEntries((await bus.queueDepths()).map((q) => [q.queue, [q.messages, q.consumers]]));
  expect(before).toEqual({ 'guardian.ingest': [0, 0], 'guardian.analysis': [0, 0], 'guardian.decisions': [2, 0], 'guardian.rollbacks': [0, 0], 'guardian.dead': [0, 0] });
  await bus.consume('decisions', async () => {
    throw new PermanentError('no such command');
  }, { prefetch: 1, maxAttempts: 3 });
  await bus.drain();
  const after = Object.fromEntries((await bus.queueDepths()).map((q) => [q.queue, [q.messages, q.consumers]]));
  expect(after['guardian.decisions']).toEqual([0, 1]);
  expect(after['guardian.dead']).toEqual([2, 0]);
});
