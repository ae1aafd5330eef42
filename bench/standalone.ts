// Part 5 — standalone cold start: process start → listCases answering, with embedded PGlite.
//
//   npm run bench:standalone          npx tsx bench/standalone.ts --runs 3
//
// Each run is a fresh `node --import tsx` process (like `guardian worker`, which also runs the sources
// through tsx). "fresh": a new empty data dir (PGlite initdb + migrations + checkpoint tables), then the
// demo seed analysed (what a first launch shows). "existing": the same dir opened again.
// Times come from the child (from its process start); RSS at ready and peak (maxRSS).
// Since the trust model the embedded database runs setupDatabase at every start (roles, migrations,
// checkpoint tables, privileges, functions by checksum, the local person); bench/standalone-steps.ts times
// those steps on a fresh dir and again on the same (existing) dir, and is reported after the runs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { banner, f1, footer, mb, now, opt, result, stats } from './lib.js';

interface ChildOut {
  bootMs: number;
  importMs: number;
  createCoreMs: number;
  startMs: number;
  sessionMs: number;
  listMs: number;
  readyMs: number;
  rssReady: number;
  cpuReadyMs: number;
  maxRss: number;
  cases: number;
  seeded?: number;
  seedAndAnalyseMs?: number;
}

function runChild(dataDir: string, seed: boolean): ChildOut & { wallMs: number } {
  const t = now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'standalone-child.ts')], {
    env: { ...process.env, GUARDIAN_DATA_DIR: dataDir, BENCH_SEED: seed ? '1' : '0', DATABASE_URL: '', AMQP_URL: '', GUARDIAN_LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  const wallMs = now() - t;
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return { ...(JSON.parse(line) as ChildOut), wallMs };
  } catch {
    throw new Error(`standalone child failed (status ${r.status}): ${r.stderr.slice(-2000)}`);
  }
}

interface StepsOut {
  pgliteOpen: number;
  setup: number;
  setupSteps: Record<string, number>;
  migrationsRan: number;
  functionsApplied: number;
  functionsUnchanged: number;
}

/** bench/standalone-steps.ts in its own process on dataDir. */
function runSteps(dataDir: string): StepsOut {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'standalone-steps.ts'), dataDir], {
    env: { ...process.env, DATABASE_URL: '', AMQP_URL: '', GUARDIAN_LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as StepsOut;
  } catch {
    throw new Error(`standalone-steps failed (status ${r.status}): ${r.stderr.slice(-2000)}`);
  }
}

export async function benchStandalone() {
  const runs = opt('runs', 'BENCH_RUNS', 3);
  banner(`Part 5: standalone cold start with embedded PGlite (${runs} runs each)`);
  const fresh: Array<ChildOut & { wallMs: number }> = [];
  const existing: Array<ChildOut & { wallMs: number }> = [];
  const dirs: string[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'guardian-bench-standalone-'));
      dirs.push(dir);
      fresh.push(runChild(dir, true));
      existing.push(runChild(dir, false));
    }
    const show = (label: string, xs: Array<ChildOut & { wallMs: number }>) => {
      const med = (f: (x: ChildOut & { wallMs: number }) => number) => stats(xs.map(f)).p50;
      console.log(
        `${label.padEnd(9)} ready (process start → listCases) p50 ${f1(med((x) => x.readyMs))} ms [runs: ${xs.map((x) => f1(x.readyMs)).join(', ')}]; ` +
          `spawn → exit ${f1(med((x) => x.wallMs))} ms; CPU used until ready p50 ${f1(med((x) => x.cpuReadyMs))} ms (less sensitive to machine load than wall time)`,
      );
      console.log(
        `          breakdown p50: node+tsx boot ${f1(med((x) => x.bootMs))}, imports ${f1(med((x) => x.importMs))}, createCore (PGlite + setupDatabase) ${f1(med((x) => x.createCoreMs))}, start ${f1(med((x) => x.startMs))}, local session ${f1(med((x) => x.sessionMs))}, listCases ${f1(med((x) => x.listMs))} ms`,
      );
      console.log(`          RSS at ready ${mb(med((x) => x.rssReady))}, peak ${mb(med((x) => x.maxRss))}; cases listed ${xs[0]!.cases}`);
    };
    show('fresh', fresh);
    const seeded = fresh.filter((x) => x.seedAndAnalyseMs !== undefined);
    if (seeded.length) console.log(`          then demo seed (${seeded[0]!.seeded} posts) analysed: p50 ${f1(stats(seeded.map((x) => x.seedAndAnalyseMs!)).p50)} ms`);
    show('existing', existing);
    // what setupDatabase costs at each start: the steps on a fresh dir, then on the same dir again
    const stepsDir = mkdtempSync(path.join(os.tmpdir(), 'guardian-bench-standalone-steps-'));
    dirs.push(stepsDir);
    const setupSteps = { fresh: runSteps(stepsDir), existing: runSteps(stepsDir) };
    for (const [label, x] of Object.entries(setupSteps)) {
      const parts = Object.entries(x.setupSteps).map(([k, v]) => `${k} ${f1(v)}`).join(', ');
      console.log(
        `setup at start, ${label.padEnd(8)} PGlite open ${f1(x.pgliteOpen)} ms, setupDatabase ${f1(x.setup)} ms (${parts}; the last step includes policies.sql and the local person); ` +
          `${x.migrationsRan} migrations ran, ${x.functionsApplied} function files applied, ${x.functionsUnchanged} unchanged`,
      );
    }
    result('standalone', { fresh, existing, setupSteps });
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    footer();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchStandalone();
  process.exit(0);
}
