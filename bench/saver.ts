// The checkpoint savers alone: the ceiling's graphs (bench/ceiling.ts) with the stock PostgresSaver and the
// batching subclass (src/core/agent/saver.ts), back to back on one database, each run twice in the order
// stock, batching, batching, stock (the machine is shared: load drifts, the mirror order cancels a trend).
// Per thread: client round trips, CPU of this process, PostgreSQL CPU, throughput start → interrupt.
//
//   npx tsx bench/saver.ts                 N = 2000 per run      --n 500 / BENCH_N, --concurrency / BENCH_CONCURRENCY
import { runCeiling, type CeilingShape } from './ceiling.js';
import { banner, corePrefetch, countQueries, cpuMeter, f1, f2, footer, isolatedEnv, machineLoad, opt, printQueryCounts, result } from './lib.js';

type Kind = 'stock' | 'batching';

export async function benchSaver() {
  const n = opt('n', 'BENCH_N', 2000);
  const concurrency = opt('concurrency', 'BENCH_CONCURRENCY', corePrefetch());
  banner(`checkpoint savers: stock vs batching on the ceiling graphs, n=${n}, concurrency ${concurrency}`);
  const env = await isolatedEnv('bench_saver');
  try {
    for (const shape of ['trivial', 'same-shape'] as CeilingShape[]) {
      const acc: Record<Kind, { perSec: number[]; cpu: number[]; pg: number[]; sql: number[] }> = {
        stock: { perSec: [], cpu: [], pg: [], sql: [] },
        batching: { perSec: [], cpu: [], pg: [], sql: [] },
      };
      const order: Kind[] = ['stock', 'batching', 'batching', 'stock'];
      for (const [i, kind] of order.entries()) {
        // metered over the timed part only, and stopped before the run's pool ends (an exited backend's CPU
        // can no longer be read from /proc)
        let meter: ReturnType<typeof cpuMeter> | undefined;
        let cpu: ReturnType<ReturnType<typeof cpuMeter>['stop']> | undefined;
        const r = await runCeiling({
          url: env.db.url,
          n,
          concurrency,
          shape,
          cleanFraction: 0.6,
          saver: kind,
          schema: `bench_saver_${kind}_${i}`,
          onMeasure: (on) => {
            if (on) meter = cpuMeter();
            else cpu = meter!.stop();
            countQueries(on);
          },
        });
        const c = cpu!;
        const sql = printQueryCounts(`${shape}, ${kind} saver (run ${i + 1})`, n, 'thread');
        acc[kind].perSec.push(r.startPerSec);
        acc[kind].cpu.push((c.benchProcessCpuS * 1000) / n);
        acc[kind].pg.push((c.postgresCpuS * 1000) / n);
        acc[kind].sql.push(sql.perUnit);
        console.log(`${shape}, ${kind} saver: ${f1(r.startPerSec)} threads/s, ${f2((c.benchProcessCpuS * 1000) / n)} ms CPU per thread, PostgreSQL ${f2((c.postgresCpuS * 1000) / n)} ms (load ${machineLoad().replace(/^.*load average: /, '')})`);
      }
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const m = (k: Kind) => ({ perSec: mean(acc[k].perSec), cpuMs: mean(acc[k].cpu), pgMs: mean(acc[k].pg), sql: mean(acc[k].sql) });
      const s = m('stock');
      const b = m('batching');
      console.log(
        `SAVER ${shape}: stock → batching: ${f1(s.perSec)} → ${f1(b.perSec)} threads/s (×${f2(b.perSec / s.perSec)}); ` +
          `CPU ${f2(s.cpuMs)} → ${f2(b.cpuMs)} ms per thread; PostgreSQL ${f2(s.pgMs)} → ${f2(b.pgMs)} ms; round trips ${f1(s.sql)} → ${f1(b.sql)} per thread`,
      );
      result('saver', { shape, n, concurrency, stock: s, batching: b, runs: acc });
    }
  } finally {
    await env.drop();
    footer();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchSaver();
  process.exit(0);
}
