// Diagnostic: latency of one publish-with-confirm when nothing else is in flight (closed loop), to a
// quorum queue (as guardian.decisions) vs a classic durable queue, via amqplib directly and via
// amqp-connection-manager (what the core's bus uses).   npx tsx bench/amqp-confirm.ts
import amqp from 'amqp-connection-manager';
import amqplib from 'amqplib';
import { banner, f2, footer, isolatedEnv, now, opt, result, stats } from './lib.js';

export async function benchAmqpConfirm() {
  const n = opt('n', 'BENCH_CONFIRM_N', 200);
  banner(`Diagnostic: single publish → confirm latency, closed loop (n=${n})`);
  const env = await isolatedEnv('bench_amqp');
  const out: Record<string, ReturnType<typeof stats>> = {};
  try {
    const conn = await amqplib.connect(env.vhost.url);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('q.quorum', { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await ch.assertQueue('q.classic', { durable: true });
    for (const q of ['q.quorum', 'q.classic']) {
      const lat: number[] = [];
      for (let i = 0; i < n + 20; i++) {
        const t = now();
        await new Promise<void>((ok, fail) => ch.sendToQueue(q, Buffer.from('{"x":1}'), { persistent: true }, (err) => (err ? fail(err) : ok())));
        if (i >= 20) lat.push(now() - t);
      }
      out[`amqplib ${q}`] = stats(lat);
      await ch.purgeQueue(q);
    }
    await ch.close();
    await conn.close();
    const mgr = amqp.connect([env.vhost.url]);
    const w = mgr.createChannel({ confirm: true });
    await w.waitForConnect();
    for (const q of ['q.quorum', 'q.classic']) {
      const lat: number[] = [];
      for (let i = 0; i < n + 20; i++) {
        const t = now();
        await w.sendToQueue(q, Buffer.from('{"x":1}'), { persistent: true });
        if (i >= 20) lat.push(now() - t);
      }
      out[`amqp-connection-manager ${q}`] = stats(lat);
    }
    await w.close();
    await mgr.close();
    // The core's pattern: a small write (an ack, a live-update event) goes out just before the job
    // publish on the same connection. With amqplib's default noDelay=false (Nagle on), the second small
    // segment waits for the broker's delayed ACK (~40 ms on Linux).
    for (const noDelay of [false, true]) {
      const m = amqp.connect([env.vhost.url], noDelay ? { connectionOptions: { noDelay: true } } : {});
      const c = m.createChannel({ confirm: true });
      await c.waitForConnect();
      await c.assertExchange('x.events', 'topic', { durable: false });
      const lat: number[] = [];
      for (let i = 0; i < n + 20; i++) {
        void c.publish('x.events', 'case.updated', Buffer.from('{"e":1}'));
        const t = now();
        await c.sendToQueue('q.quorum', Buffer.from('{"x":1}'), { persistent: true });
        if (i >= 20) lat.push(now() - t);
        await new Promise((r) => setTimeout(r, 5));
      }
      out[`event then job publish, noDelay=${noDelay}`] = stats(lat);
      // a consumer ack (the broker sends nothing back) right before the publish
      await c.assertQueue('q.work', { durable: true });
      const acked: Array<() => void> = [];
      const cons = m.createChannel({
        setup: (raw: amqplib.ConfirmChannel) =>
          raw.consume('q.work', (msg) => {
            if (!msg) return;
            raw.ack(msg);
            acked.shift()?.();
          }),
      });
      await cons.waitForConnect();
      const lat2: number[] = [];
      for (let i = 0; i < n + 20; i++) {
        const gotAck = new Promise<void>((r) => acked.push(r));
        await c.sendToQueue('q.work', Buffer.from('{"w":1}'), { persistent: true });
        await gotAck;
        const t = now();
        await c.sendToQueue('q.quorum', Buffer.from('{"x":1}'), { persistent: true });
        if (i >= 20) lat2.push(now() - t);
      }
      out[`ack then job publish, noDelay=${noDelay}`] = stats(lat2);
      await cons.close();
      await c.close();
      await m.close();
    }
    for (const [k, s] of Object.entries(out)) console.log(`${k.padEnd(40)} p50 ${f2(s.p50).padStart(7)} p95 ${f2(s.p95).padStart(7)} p99 ${f2(s.p99).padStart(7)} ms`);
    result('amqp-confirm', out);
  } finally {
    await env.drop();
    footer();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchAmqpConfirm();
  process.exit(0);
}
