// Issue 16, must show 4 — `guardian worker --processes N`: throughput with 1 and 2 worker processes in one run,
// and what PostgreSQL costs per case then.
//
//   npx tsx bench/workers.ts [--n 600] [--processes 1,2]
//
// Each case: the real `guardian worker --processes N` (bin/guardian.js, as operators run it) on its own
// isolated database and vhost, the built-in simulator platform and the rules classifier; N cases of the usual
// mix published with confirms; throughput = cases / (first publish → all settled). CPU is read from /proc for
// exactly this run's processes: the worker children (their pids from the supervisor's log) and the PostgreSQL
// backends of this run's database (pids from pg_stat_activity), sampled every 250 ms so a backend that a pool
// closes during the run still counts. The machine is shared: the load before/after is printed.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { banner, f1, f2, footer, isolatedEnv, machineLoad, messageFor, now, opt, publishAll, result, runId, sleep, waitSettled, type Env } from './lib.js';

const TICK = 100; // USER_HZ

function ticksOf(pid: number): number | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return undefined;
  }
}

/** CPU seconds of a changing set of pids, from the first time each is seen (new ones count from 0). */
function pidMeter(list: () => Promise<number[]>, fromZero: boolean) {
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  let running = true;
  let sampling = Promise.resolve();
  const sample = async () => {
    for (const pid of await list()) {
      const t = ticksOf(pid);
      if (t === undefined) continue;
      if (!first.has(pid)) first.set(pid, fromZero ? 0 : t);
      last.set(pid, t);
    }
  };
  return {
    async start() {
      await sample();
      // From here on a pid seen for the first time started during the run: all its CPU is the run's.
      fromZero = true;
      sampling = (async () => {
        while (running) {
          await sleep(250);
          await sample();
        }
      })();
    },
    async stop(): Promise<{ cpuS: number; pids: number }> {
      running = false;
      await sampling;
      await sample();
      let ticks = 0;
      for (const [pid, t] of last) ticks += t - (first.get(pid) ?? 0);
      return { cpuS: ticks / TICK, pids: last.size };
    },
  };
}

interface CaseResult {
  processes: number;
  n: number;
  wallS: number;
  perSec: number;
  workerCpuS: number;
  postgresCpuS: number;
  postgresBackends: number;
  workerCpuPerCaseMs: number;
  postgresCpuPerCaseMs: number;
  counts: Record<string, number>;
}

async function runCase(processes: number, n: number): Promise<CaseResult> {
  const env: Env = await isolatedEnv(`bw${processes}`);
  const child = spawn(process.execPath, [path.join(import.meta.dirname, '..', 'bin', 'guardian.js'), 'worker', '--processes', String(processes)], {
    env: {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DATABASE_URL|AMQP_URL|GUARDIAN_|PLATFORM_|GROQ_|LANGSMITH_)/.test(k))),
      ...(process.env.GUARDIAN_PREFETCH ? { GUARDIAN_PREFETCH: process.env.GUARDIAN_PREFETCH } : {}),
      DATABASE_URL: env.workerUrl,
      AMQP_URL: env.vhost.url,
      GUARDIAN_ROLE_PREFIX: env.roles.prefix,
      GUARDIAN_LOG_LEVEL: 'info',
      GUARDIAN_DOTENV: 'off',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  const workerPids = new Set<number>();
  const readyPids = () => {
    for (const l of log.split('\n')) if (l.includes('"worker process ready"')) workerPids.add((JSON.parse(l) as { pid: number }).pid);
    // one process: no supervisor, the worker is the child itself
    if (processes === 1 && log.includes('"worker running')) workerPids.add(child.pid!);
    return workerPids.size;
  };
  try {
    const t0 = now();
    while (readyPids() < processes) {
      if (now() - t0 > 120_000 || child.exitCode !== null) throw new Error(`workers not ready: ${log.slice(-2000)}`);
      await sleep(100);
    }
    const backends = async () =>
      (await env.dba<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND usename = $1`, [env.workerLogin])).rows.map((r) => r.pid);
    const pgMeter = pidMeter(backends, false);
    const workerMeter = pidMeter(async () => (readyPids(), [...workerPids]), false);
    // Warm-up (JIT, pools grown to their working size), not measured.
    const warm = runId(`w${processes}warm`);
    const nWarm = Math.max(20, Math.round(n / 5));
    await publishAll(env.vhost.url, Array.from({ length: nWarm }, (_, i) => messageFor(warm, i)));
    await waitSettled(env.pg, warm, nWarm, { stallMs: 120_000 });
    const id = runId(`w${processes}`);
    const msgs = Array.from({ length: n }, (_, i) => messageFor(id, i));
    await pgMeter.start();
    await workerMeter.start();
    const start = now();
    await publishAll(env.vhost.url, msgs);
    const settled = await waitSettled(env.pg, id, n, { progress: true, stallMs: 120_000 });
    const wallS = (settled.at - start) / 1000;
    const pgCpu = await pgMeter.stop();
    const workerCpu = await workerMeter.stop();
    return {
      processes,
      n,
      wallS,
      perSec: n / wallS,
      workerCpuS: workerCpu.cpuS,
      postgresCpuS: pgCpu.cpuS,
      postgresBackends: pgCpu.pids,
      workerCpuPerCaseMs: (workerCpu.cpuS * 1000) / n,
      postgresCpuPerCaseMs: (pgCpu.cpuS * 1000) / n,
      counts: settled.counts,
    };
  } finally {
    child.kill('SIGTERM');
    const code = await exited;
    if (code !== 0) console.error(`guardian worker --processes ${processes} exited with ${code}: ${log.slice(-2000)}`);
    await env.drop();
  }
}

export async function benchWorkers() {
  const n = opt('n', 'BENCH_N', 600);
  const list = (process.argv.find((a, i) => process.argv[i - 1] === '--processes') ?? '1,2').split(',').map(Number);
  banner(`Issue 16: guardian worker --processes ${list.join(' vs ')} (${n} cases each, real processes, simulator platform, rules classifier)`);
  const rounds = opt('rounds', 'BENCH_ROUNDS', 1);
  const cases: CaseResult[] = [];
  try {
    // Rounds alternate the order (1, 2, then 2, 1, …) so a load change on the shared machine biases neither.
    for (let round = 0; round < rounds; round++) {
      for (const p of round % 2 ? [...list].reverse() : list) {
        console.log(`load before --processes ${p}: ${machineLoad()}`);
        const r = await runCase(p, n);
        cases.push(r);
        console.log(
          `--processes ${p}: ${f1(r.perSec)} cases/s (${n} in ${f1(r.wallS)} s); CPU per case: workers ${f2(r.workerCpuPerCaseMs)} ms, ` +
            `PostgreSQL ${f2(r.postgresCpuPerCaseMs)} ms (${r.postgresBackends} backends of this run); ${JSON.stringify(r.counts)}`,
        );
      }
    }
    const med = (p: number, f: (c: CaseResult) => number) => {
      const xs = cases.filter((c) => c.processes === p).map(f).sort((a, b) => a - b);
      if (!xs.length) return undefined;
      const mid = Math.floor(xs.length / 2);
      return xs.length % 2 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2;
    };
    const one = med(1, (c) => c.perSec);
    const two = med(2, (c) => c.perSec);
    const ratio = one && two ? two / one : undefined;
    if (ratio !== undefined)
      console.log(
        `2 vs 1 processes (median of ${rounds} round(s)): ${f1(one!)} → ${f1(two!)} cases/s, throughput × ${f2(ratio)}; ` +
          `PostgreSQL CPU per case ${f2(med(1, (c) => c.postgresCpuPerCaseMs)!)} → ${f2(med(2, (c) => c.postgresCpuPerCaseMs)!)} ms; ` +
          `worker CPU per case ${f2(med(1, (c) => c.workerCpuPerCaseMs)!)} → ${f2(med(2, (c) => c.workerCpuPerCaseMs)!)} ms (2 cores, shared with PostgreSQL and RabbitMQ)`,
      );
    result('workers', { cases, ratio });
  } finally {
    footer();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchWorkers();
  process.exit(0);
}
