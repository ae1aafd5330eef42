import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthReport } from '../../src/core/runtime/health.js';
import { waitFor } from '../support/isolation.js';
import { privateRabbitAvailable, startPrivateRabbit, type PrivateRabbit } from '../support/private-rabbit.js';
import { startRig, type Rig } from './support/rig.js';
import { underLoad } from './support/scenario.js';

// The broker's memory alarm raised (`set_vm_memory_high_watermark` to a tiny fraction) while the platform
// publishes and the worker works: RabbitMQ blocks every publishing connection until it clears. On a
// private node.
const avail = privateRabbitAvailable();
describe.skipIf(!avail.ok)(`RabbitMQ memory alarm while publishing${avail.ok ? '' : ` — skipped: ${avail.reason}`}`, () => {
  let mq: PrivateRabbit;
  let rig: Rig;
  beforeAll(async () => {
    mq = await startPrivateRabbit({ name: 'memalarm' });
    rig = await startRig({ amqpUrl: mq.url });
  }, 120_000);
  afterAll(async () => {
    await rig?.close();
    await mq?.stop();
  });

  let during: HealthReport | undefined;
  let answeredDuringAlarm: boolean | undefined;
  it('nothing lost, no effect doubled, no command stuck, audit intact; the alarm shown to the publisher, then cleared', async () => {
    let blocked: string | undefined;
    const r = await underLoad(rig, {
      tag: 'memalarm',
      fault: async ({ publishMore, publisher }) => {
        await mq.setMemoryWatermark(0.000001);
        await waitFor(async () => (await mq.alarms()).includes('memory'), { timeoutMs: 30_000, message: 'the memory alarm raised' });
        // The platform publishes into the alarm: the broker tells its connection it is blocked.
        const isBlocked = once(publisher, 'blocked');
        publishMore();
        [blocked] = (await isBlocked) as [string];
        // Something the worker itself must publish during the alarm — a claim's live event, which this
        // worker relays — so its own connection is blocked too, whatever the load had left in flight (a fast
        // worker may have finished it all before the alarm; then the broker had no reason to block it).
        const { rows: open } = await rig.reader.query<{ id: string }>(`SELECT id FROM cases WHERE status = 'awaiting_review' AND claimed_by IS NULL ORDER BY id LIMIT 1`);
        expect(open).toHaveLength(1);
        const mod = await rig.as('mod-1');
        await mod.execute({ type: 'claim', caseId: open[0]!.id, tool: 'cli', commandId: randomUUID() });
        // The worker's own health check while its connection is blocked: each answer bounded, until it names it.
        await waitFor(
          async () => {
            const h = await Promise.race([rig.core.health(), new Promise<undefined>((r) => setTimeout(() => r(undefined), 15_000).unref())]);
            answeredDuringAlarm = h !== undefined;
            if (h) during = h;
            return !h || /alarm|blocked/i.test(JSON.stringify(h));
          },
          { timeoutMs: 45_000, message: 'the worker health check naming the block' },
        );
        await mq.setMemoryWatermark(0.4);
        await waitFor(async () => (await mq.alarms()).length === 0, { timeoutMs: 30_000, message: 'the memory alarm cleared' });
      },
    });
    expect(blocked).toMatch(/memory/i);
    expect(await mq.alarms()).toEqual([]);
    expect(r.resends).toBeGreaterThanOrEqual(0);
    // Once the alarm is gone the worker's health answers, broker up.
    await waitFor(() => during, { timeoutMs: 60_000, message: 'the health check answered after the alarm' });
    expect((await rig.core.health()).broker.state).toBe('up');
  }, 300_000);

  // The broker stops reading a blocked connection, and core.health() asks the queue depths on the worker's
  // publishing channel: bounded now, and the block (its reason, from connection.blocked) is named.
  it('the worker health check answers during the alarm and names it', () => {
    expect(answeredDuringAlarm).toBe(true);
    expect(JSON.stringify(during)).toMatch(/alarm|blocked/i);
  });
});
