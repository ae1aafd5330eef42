// Part 5 — standalone cold start: process start → listCases answering, with embedded PGlite.
//
//   npm run bench:standalone          npx tsx bench/standalone.ts --runs 3
//
// Each run is a fresh `node --import tsx` process (like `guardian worker`, which also runs the sources
// through tsx). First the pre-initialised data-dir template is built (scripts/build-standalone-template.ts
// does the same for the app). "fresh": a new empty data dir, opened from the template, then the demo seed
// analysed (what a first launch shows). "existing": the same dir opened again. "fresh, initdb": one run
// without the template (what a first start did before issue 16, and does when the template is stale).
// "load": a fresh start, then BENCH_LOAD (1,000) cases analysed, and the memory at ready and after them.
// Times come from the child (from its process start); RSS at ready and peak (maxRSS).
// Since the trust model the embedded database runs setupDatabase at every start (roles, migrations,
// checkpoint tables, privileges, functions by checksum, the local person); bench/standalone-steps.ts times
// those steps on a fresh dir and again on the same (existing) dir, and is reported after the runs.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
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
  agentReadyMs?: number;
  rssReady: number;
  cpuReadyMs: number;
  maxRss: number;
  heapReady: number;
  externalReady: number;
  load?: { n: number; ms: number; perSec: number; rss: number; heapUsed: number; external: number; rssAfterGc: number; heapAfterGc: number };
  cases: number;
  seeded?: number;
  seedAndAnalyseMs?: number;
}

let templateEnv: Record<string, string> = {};

/** The child bundled like the app's main process (electron-vite bundles our code; node_modules load as they are). */
let bundled: string | undefined;

function runChild(dataDir: string, seed: boolean, extra: Record<string, string> = {}, node: string[] = [], asBundle = false): ChildOut & { wallMs: number } {
  const t = now();
  const entry = asBundle ? [bundled!] : ['--import', 'tsx', path.join(import.meta.dirname, 'standalone-child.ts')];
  const r = spawnSync(process.execPath, [...node, ...entry], {
    env: { ...process.env, GUARDIAN_DATA_DIR: dataDir, BENCH_SEED: seed ? '1' : '0', DATABASE_URL: '', AMQP_URL: '', GUARDIAN_LOG_LEVEL: 'silent', ...templateEnv, ...extra },
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
    env: { ...process.env, DATABASE_URL: '', AMQP_URL: '', GUARDIAN_LOG_LEVEL: 'silent', ...templateEnv },
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

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) n += statSync(path.join(e.parentPath, e.name)).size;
  return n;
}

export async function benchStandalone() {
  const runs = opt('runs', 'BENCH_RUNS', 3);
  // BENCH_N (the smoke test's toy size) also bounds the load when BENCH_LOAD is not given.
  const nLoad = opt('load', 'BENCH_LOAD', process.env.BENCH_N ? Math.min(1000, Number(process.env.BENCH_N)) : 1000);
  banner(`Part 5: standalone cold start with embedded PGlite (${runs} runs each)`);
  const fresh: Array<ChildOut & { wallMs: number }> = [];
  const existing: Array<ChildOut & { wallMs: number }> = [];
  const dirs: string[] = [];
  try {
    // The template, as the build makes it (in its own process, like the build script).
    const templateDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'guardian-bench-template-')), 'standalone-template');
    dirs.push(path.dirname(templateDir));
    const tb = now();
    const built = spawnSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, '..', 'scripts', 'build-standalone-template.ts'), templateDir], {
      env: { ...process.env, GUARDIAN_LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (built.status !== 0) throw new Error(`building the template failed: ${built.stderr.slice(-2000)}`);
    const templateBuildMs = now() - tb;
    const templateBytes = dirBytes(templateDir);
    console.log(`template built in ${f1(templateBuildMs)} ms (once, at build time), ${mb(templateBytes)} on disk`);
    templateEnv = { GUARDIAN_STANDALONE_TEMPLATE: templateDir, GUARDIAN_RESOURCES_DIR: path.join(import.meta.dirname, '..', 'resources') };
    // The same child as one bundle (esbuild, which electron-vite uses): no TypeScript loader at run time.
    // With chunks, as electron-vite (Rollup) splits the app's main: a dynamic import (the agent) stays lazy.
    // Inside the checkout (git-ignored), so the bundle's external packages resolve from node_modules.
    mkdirSync(path.join(import.meta.dirname, '..', 'node_modules', '.cache'), { recursive: true });
    const bundleDir = mkdtempSync(path.join(import.meta.dirname, '..', 'node_modules', '.cache', 'guardian-bench-'));
    dirs.push(bundleDir);
    bundled = path.join(bundleDir, 'standalone-child.mjs');
    const esb = spawnSync(
      path.join(import.meta.dirname, '..', 'node_modules', '.bin', 'esbuild'),
      [path.join(import.meta.dirname, 'standalone-child.ts'), '--bundle', '--platform=node', '--format=esm', '--splitting', '--packages=external', `--outdir=${bundleDir}`, '--out-extension:.js=.mjs', '--log-level=warning'],
      { encoding: 'utf8' },
    );
    if (esb.status !== 0) {
      console.log(`(no bundled runs: esbuild failed: ${esb.stderr.slice(-500)})`);
      bundled = undefined;
    }
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
        `          the agent (worker role) consuming p50 ${f1(med((x) => x.agentReadyMs ?? NaN))} ms after process start\n` +
          `          breakdown p50: node+tsx boot ${f1(med((x) => x.bootMs))}, imports ${f1(med((x) => x.importMs))}, createCore (PGlite + setupDatabase) ${f1(med((x) => x.createCoreMs))}, start ${f1(med((x) => x.startMs))}, local session ${f1(med((x) => x.sessionMs))}, listCases ${f1(med((x) => x.listMs))} ms`,
      );
      console.log(`          RSS at ready ${mb(med((x) => x.rssReady))}, peak ${mb(med((x) => x.maxRss))}; cases listed ${xs[0]!.cases}`);
    };
    show('fresh', fresh);
    const seeded = fresh.filter((x) => x.seedAndAnalyseMs !== undefined);
    if (seeded.length) console.log(`          then demo seed (${seeded[0]!.seeded} posts) analysed: p50 ${f1(stats(seeded.map((x) => x.seedAndAnalyseMs!)).p50)} ms`);
    show('existing', existing);
    // Bundled (what the desktop app's main process runs): imports are part of "boot" there.
    const bundledFresh: Array<ChildOut & { wallMs: number }> = [];
    const bundledExisting: Array<ChildOut & { wallMs: number }> = [];
    if (bundled) {
      for (let i = 0; i < runs; i++) {
        const dir = mkdtempSync(path.join(os.tmpdir(), 'guardian-bench-standalone-bundled-'));
        dirs.push(dir);
        bundledFresh.push(runChild(dir, false, {}, [], true));
        bundledExisting.push(runChild(dir, false, {}, [], true));
      }
      show('bundled fresh', bundledFresh);
      show('bundled existing', bundledExisting);
    }
    // Without the template: initdb at first start (before issue 16; now only when the template is stale).
    const initdbDir = mkdtempSync(path.join(os.tmpdir(), 'guardian-bench-standalone-initdb-'));
    dirs.push(initdbDir);
    const initdb = [runChild(initdbDir, false, { GUARDIAN_STANDALONE_TEMPLATE: path.join(initdbDir, 'no-template') })];
    show('fresh, initdb', initdb);
    // An hour-like load for one desk: a fresh start, then nLoad cases analysed in the same process.
    const loadDir = mkdtempSync(path.join(os.tmpdir(), 'guardian-bench-standalone-load-'));
    dirs.push(loadDir);
    const loaded = runChild(loadDir, false, { BENCH_LOAD: String(nLoad) }, ['--expose-gc'], !!bundled);
    const l = loaded.load!;
    console.log(
      `load (${bundled ? 'bundled' : 'through tsx'}) RSS at ready ${mb(loaded.rssReady)} (heap ${mb(loaded.heapReady)}, external incl. PGlite's WASM memory ${mb(loaded.externalReady)}); ` +
        `after ${l.n} cases (${f1(l.perSec)} cases/s) RSS ${mb(l.rss)} (heap ${mb(l.heapUsed)}, external ${mb(l.external)}), after a GC ${mb(l.rssAfterGc)}; peak ${mb(loaded.maxRss)}`,
    );
    const p50 = (xs: Array<ChildOut & { wallMs: number }>, f: (x: ChildOut) => number) => stats(xs.map(f)).p50;
    const targets = {
      freshMs: { value: p50(fresh, (x) => x.readyMs), target: 2000 },
      rssReady: { value: p50(fresh, (x) => x.rssReady), target: 500 * 1024 * 1024 },
      existingMs: { value: p50(existing, (x) => x.readyMs), target: 1000 },
    };
    if (bundled) {
      const b = { fresh: p50(bundledFresh, (x) => x.readyMs), rss: p50(bundledFresh, (x) => x.rssReady), existing: p50(bundledExisting, (x) => x.readyMs) };
      console.log(
        `targets, bundled (the app): fresh ${f1(b.fresh)} ms (≤ 2000: ${b.fresh <= 2000 ? 'met' : 'missed'}), RSS at ready ${mb(b.rss)} (≤ 500 MB: ${b.rss <= 500 * 1024 * 1024 ? 'met' : 'missed'}), ` +
          `existing ${f1(b.existing)} ms (≤ 1000: ${b.existing <= 1000 ? 'met' : 'missed'})`,
      );
    }
    console.log(
      `targets, through tsx: fresh ${f1(targets.freshMs.value)} ms (≤ 2000: ${targets.freshMs.value <= 2000 ? 'met' : 'missed'}), ` +
        `RSS at ready ${mb(targets.rssReady.value)} (≤ 500 MB: ${targets.rssReady.value <= targets.rssReady.target ? 'met' : 'missed'}), ` +
        `existing ${f1(targets.existingMs.value)} ms (≤ 1000: ${targets.existingMs.value <= 1000 ? 'met' : 'missed'}); wall times depend on the machine's load (above)`,
    );
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
    result('standalone', { fresh, existing, bundledFresh, bundledExisting, initdb, load: { bundled: !!bundled, ...loaded.load, rssReady: loaded.rssReady, maxRss: loaded.maxRss }, template: { buildMs: templateBuildMs, bytes: templateBytes }, targets, setupSteps });
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    footer();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchStandalone();
  process.exit(0);
}
