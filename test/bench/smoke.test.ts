import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';

/**
 * `npm run bench` at toy sizes: every part still runs end to end against the real servers (and the
 * renderer in Chromium) and reports its numbers. Only that the numbers exist is checked here; their
 * values are judged in BENCHMARKS.md, never in tests. Every part runs on its own installation (setup as
 * the DBA, the worker core on the worker login, people through their own logins: DESIGN §10).
 */
const dir = mkdtempSync(path.join(tmpdir(), 'guardian-bench-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const finite = (v: unknown) => typeof v === 'number' && Number.isFinite(v);

it('every benchmark part runs and reports its numbers', { timeout: 15 * 60_000 }, async () => {
  const file = path.join(dir, 'results.jsonl');
  const env = {
    ...process.env,
    BENCH_RESULTS_FILE: file,
    // Small pools: this file runs beside another test file, and each part may run two cores.
    GUARDIAN_PREFETCH: '2',
    BENCH_N: '60',
    BENCH_DECISIONS: '20',
    BENCH_RATE: '20',
    BENCH_PAUSED: '40',
    BENCH_K: '10',
    BENCH_RUNS: '1',
    BENCH_UI_CASES: '500',
    BENCH_UI_LOAD: '10',
  };
  let output = '';
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/all.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.on('exit', (c) => resolve(c ?? 1));
  });
  expect(code, output.slice(-4000)).toBe(0);

  const results = new Map(
    readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, any>)
      .map((r) => [r.part as string, r]),
  );
  expect([...results.keys()].sort()).toEqual(['decisions', 'pipeline', 'scale', 'standalone', 'ui']);

  const pipeline = results.get('pipeline')!;
  expect(pipeline.counts).toMatchObject({ auto_resolved: expect.any(Number), awaiting_review: expect.any(Number) });
  expect(Object.values(pipeline.counts as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(60);
  for (const k of ['pipelinePerSec', 'ceilingPerSec', 'ratio', 'cpuPerCaseMs', 'sqlPerCase', 'setupMs']) expect(finite(pipeline[k]), k).toBe(true);
  // the statements: client round trips by login, function calls, and (counting phase) inside the functions
  expect(finite(pipeline.sqlByLogin?.worker), 'sqlByLogin.worker').toBe(true);
  expect(finite(pipeline.functions?.callsPerUnit), 'functions.callsPerUnit').toBe(true);
  for (const k of ['top', 'inner', 'fk']) expect(finite(pipeline.inner?.[k]), `inner.${k}`).toBe(true);

  const decisions = results.get('decisions')!;
  expect(decisions.event.n).toBe(20);
  for (const k of ['p50', 'p95', 'p99']) expect(finite(decisions.event[k]), k).toBe(true);
  expect(finite(decisions.sqlPerDecision), 'sqlPerDecision').toBe(true);
  expect(finite(decisions.sqlByLogin?.person), 'sqlByLogin.person').toBe(true);
  expect(finite(decisions.functions?.callsPerUnit), 'functions.callsPerUnit').toBe(true);
  for (const k of ['top', 'inner', 'fk']) expect(finite(decisions.inner?.[k]), `inner.${k}`).toBe(true);

  const scale = results.get('scale')!;
  expect(finite(scale.ratio)).toBe(true);
  expect(scale.sizeB.paused).toBeGreaterThan(scale.sizeA.paused);

  const standalone = results.get('standalone')!;
  expect(standalone.fresh).toBeTruthy();
  expect(standalone.existing).toBeTruthy();
  // the embedded database's setup at each start, fresh and existing dir
  expect(finite(standalone.setupSteps?.fresh?.setup), 'setupSteps.fresh.setup').toBe(true);
  expect(finite(standalone.setupSteps?.existing?.setup), 'setupSteps.existing.setup').toBe(true);

  const ui = results.get('ui')!;
  expect(ui.n).toBe(500);
  expect(ui.firstRender).toBeTruthy();
  expect(finite(ui.sessionOpenMs), 'sessionOpenMs').toBe(true);
});
