import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/isolation.js';
import { privateRabbitAvailable, startPrivateRabbit, type PrivateRabbit } from '../support/private-rabbit.js';
import { startRig, type Rig } from './support/rig.js';
import { underLoad } from './support/scenario.js';

// The broker process SIGKILLed (no clean shutdown: durable queues recovered from disk) and restarted while the worker
// applies decisions and analyses new content and the platform keeps publishing: on a private node.
const avail = privateRabbitAvailable();
describe.skipIf(!avail.ok)(`RabbitMQ process SIGKILL and restart${avail.ok ? '' : ` — skipped: ${avail.reason}`}`, () => {
  let mq: PrivateRabbit;
  let rig: Rig;
  beforeAll(async () => {
    mq = await startPrivateRabbit({ name: 'sigkill' });
    rig = await startRig({ amqpUrl: mq.url });
  }, 120_000);
  afterAll(async () => {
    await rig?.close();
    await mq?.stop();
  });

  it('nothing lost, no effect doubled, no command stuck, audit intact; the broker shown down, then up', async () => {
    const states: string[] = [];
    rig.core.onEvent((e) => {
      if (e.type === 'connection.changed') states.push(e.state.broker);
    });
    const r = await underLoad(rig, {
      tag: 'sigkill',
      fault: async ({ publishMore, publisher }) => {
        await mq.kill();
        await waitFor(() => rig.core.connection().broker === 'down', { timeoutMs: 30_000, message: 'the worker shows the broker down' });
        // The platform publishes while the broker is away: its publishes fail and are resent.
        const failed = once(publisher, 'failed');
        publishMore();
        await failed;
        await mq.restart();
      },
    });
    expect(states).toContain('down');
    expect(rig.core.connection().broker).toBe('up');
    expect((await rig.core.health()).broker.state).toBe('up');
    expect(r.resends).toBeGreaterThan(0);
  }, 300_000);
});
