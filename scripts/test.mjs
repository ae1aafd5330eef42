#!/usr/bin/env node
// `npm test`: the whole test suite, one summary.
//
//   1. scripts/ensure-services.sh --chromium   PostgreSQL + RabbitMQ (+ /usr/bin/chromium) available
//   2. tsc --noEmit                            if tsconfig.json exists; counts as one test "typecheck"
//   3. vitest run                              unit (src/**) and integration (test/**) tests
//   3b. vitest run -c vitest.faults.config.ts  the fault plan (test/faults/**: private servers it stops and kills)
//   4. playwright test                         if playwright.config.ts exists and @playwright/test is installed
//
// The very last line of output is `N passed, N failed` (`, N skipped` when any were skipped).
// Exit code 1 if anything failed or a runner died without a report (counted as 1 failed).
//
// Extra arguments go to vitest:   npm test -- test/support      npm test -- -t "claims"
// Env: GUARDIAN_SKIP_CHROMIUM=1  don't install chromium      GUARDIAN_SKIP_SERVICES=1  skip step 1
//      GUARDIAN_SKIP_TYPECHECK=1 skip step 2                 GUARDIAN_SKIP_E2E=1       skip step 4
//      GUARDIAN_SKIP_FAULTS=1    skip step 3b (also skipped when extra arguments select vitest files)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

const extraArgs = process.argv.slice(2);
const tmp = mkdtempSync(join(tmpdir(), 'guardian-test-'));
const totals = { passed: 0, failed: 0, skipped: 0 };
/** @type {string[]} */
const failures = [];

const isOn = (name) => ['1', 'true', 'yes'].includes(String(process.env[name] ?? '').toLowerCase());
const say = (msg) => process.stdout.write(`\n[test] ${msg}\n`);

function fail(name, why) {
  totals.failed += 1;
  failures.push(why ? `${name}: ${why}` : name);
}

/** Local bin if installed (no network), else npx without installing anything. */
function bin(name) {
  const local = join(root, 'node_modules', '.bin', name);
  return existsSync(local) ? { cmd: local, pre: [] } : { cmd: 'npx', pre: ['--no-install', name] };
}

/**
 * Runs a command; output is inherited (streams live) unless capture is set.
 * @returns {Promise<{ code: number | null, signal: string | null, output: string, error?: Error }>}
 */
function run(cmd, args, { capture = false, env = process.env } = {}) {
  return new Promise((resolvePromise) => {
    let output = '';
    const child = spawn(cmd, args, {
      cwd: root,
      env,
      stdio: capture ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
    });
    if (capture) {
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
    }
    child.on('error', (error) => resolvePromise({ code: null, signal: null, output, error }));
    child.on('close', (code, signal) => resolvePromise({ code, signal, output }));
  });
}

const describeExit = (r) => (r.error ? r.error.message : r.signal ? `killed by ${r.signal}` : `exit code ${r.code}`);

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- 1. services

async function ensureServices() {
  if (isOn('GUARDIAN_SKIP_SERVICES')) {
    say('skipping scripts/ensure-services.sh (GUARDIAN_SKIP_SERVICES=1)');
    return;
  }
  const args = ['scripts/ensure-services.sh'];
  if (!isOn('GUARDIAN_SKIP_CHROMIUM')) args.push('--chromium');
  say(`bash ${args.join(' ')}`);
  const r = await run('bash', args);
  // Keep going: unit tests still say something useful; integration tests will fail loudly.
  if (r.code !== 0) fail('ensure-services', `${describeExit(r)} (PostgreSQL/RabbitMQ/chromium may be missing)`);
}

// ---------------------------------------------------------------- 2. typecheck

/**
 * Projects to check. A "solution" tsconfig.json (files: [] + references, as electron-vite
 * scaffolds it) checks nothing by itself, so its referenced projects are checked instead.
 */
function typecheckProjects() {
  try {
    const ts = createRequire(join(root, 'package.json'))('typescript');
    const { config, error } = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
    if (!error && Array.isArray(config?.references) && config.references.length > 0 && Array.isArray(config.files) && config.files.length === 0 && !config.include) {
      return config.references.map((ref) => ref.path.endsWith('.json') ? ref.path : join(ref.path, 'tsconfig.json'));
    }
  } catch {
    // typescript not resolvable here: plain tsc -p below will say what is wrong
  }
  return ['tsconfig.json'];
}

async function typecheck() {
  if (!existsSync(join(root, 'tsconfig.json'))) {
    say('no tsconfig.json: skipping typecheck');
    return;
  }
  if (isOn('GUARDIAN_SKIP_TYPECHECK')) {
    say('skipping typecheck (GUARDIAN_SKIP_TYPECHECK=1)');
    return;
  }
  const tsc = bin('tsc');
  let ok = true;
  const problems = [];
  for (const project of typecheckProjects()) {
    const argv = [...tsc.pre, '-p', project, '--noEmit'];
    say(`typecheck: tsc ${argv.slice(tsc.pre.length).join(' ')}`);
    const r = await run(tsc.cmd, argv, { capture: true });
    if (r.output.trim()) process.stdout.write(r.output.endsWith('\n') ? r.output : `${r.output}\n`);
    if (r.code !== 0) {
      ok = false;
      const errors = (r.output.match(/error TS\d+/g) ?? []).length;
      problems.push(`${project}: ${errors ? `${errors} error(s)` : describeExit(r)}`);
    }
  }
  if (ok) {
    totals.passed += 1;
    say('typecheck passed');
  } else {
    fail('typecheck', problems.join('; '));
    say('typecheck FAILED');
  }
}

// ---------------------------------------------------------------- 3. vitest

async function vitest({ config, name = 'vitest', args = extraArgs } = {}) {
  const report = join(tmp, `${name}.json`);
  const vt = bin('vitest');
  const argv = [...vt.pre, 'run', ...(config ? ['-c', config] : []), '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...args];
  say(`vitest ${argv.slice(vt.pre.length).join(' ')}`);
  const r = await run(vt.cmd, argv);
  const json = readJson(report);
  if (!json) {
    fail(name, `no report (${describeExit(r)})`);
    return;
  }
  totals.passed += json.numPassedTests ?? 0;
  totals.skipped += (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
  let failed = json.numFailedTests ?? 0;
  for (const file of json.testResults ?? []) {
    const failedInFile = (file.assertionResults ?? []).filter((a) => a.status === 'failed');
    for (const a of failedInFile) failures.push(`${file.name.replace(`${root}/`, '')} > ${a.fullName ?? a.title}`);
    // a file that failed to load/run (import error, failing beforeAll) has no failed test of its own
    if (file.status === 'failed' && failedInFile.length === 0) {
      failed += 1;
      failures.push(`${file.name.replace(`${root}/`, '')}: ${String(file.message ?? 'suite failed').split('\n')[0]}`);
    }
  }
  totals.failed += failed;
  // non-zero exit with nothing failed: unhandled errors, no test files found, …
  if (r.code !== 0 && failed === 0) fail(name, `${describeExit(r)} without a failed test (see output above)`);
}

/** The fault plan (`npm run test:faults`): its own config, counted in the same summary. */
async function faults() {
  if (!existsSync(join(root, 'vitest.faults.config.ts'))) return;
  if (isOn('GUARDIAN_SKIP_FAULTS')) {
    say('skipping the fault plan (GUARDIAN_SKIP_FAULTS=1)');
    return;
  }
  // `npm test -- test/support` selects files of the main suite: the fault plan is not one of them.
  if (extraArgs.length > 0) {
    say('extra vitest arguments given: skipping the fault plan (npm run test:faults runs it)');
    return;
  }
  await vitest({ config: 'vitest.faults.config.ts', name: 'vitest-faults', args: [] });
}

// ---------------------------------------------------------------- 4. playwright

async function playwright() {
  if (!existsSync(join(root, 'playwright.config.ts'))) return;
  if (isOn('GUARDIAN_SKIP_E2E')) {
    say('skipping Playwright (GUARDIAN_SKIP_E2E=1)');
    return;
  }
  if (!existsSync(join(root, 'node_modules', '@playwright', 'test', 'package.json'))) {
    say('playwright.config.ts exists but @playwright/test is not installed: skipping Playwright specs');
    return;
  }
  const report = join(tmp, 'playwright.json');
  const pw = bin('playwright');
  const argv = [...pw.pre, 'test', '--reporter=list,json'];
  say(`playwright ${argv.slice(pw.pre.length).join(' ')}`);
  const r = await run(pw.cmd, argv, { env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: report } });
  const json = readJson(report);
  if (!json?.stats) {
    fail('playwright', `no report (${describeExit(r)})`);
    return;
  }
  const s = json.stats;
  totals.passed += (s.expected ?? 0) + (s.flaky ?? 0);
  totals.skipped += s.skipped ?? 0;
  totals.failed += s.unexpected ?? 0;
  // config errors, errors outside tests, global setup failures: no failed test to count them by
  const globalErrors = Array.isArray(json.errors) ? json.errors.length : 0;
  if ((s.unexpected ?? 0) === 0 && (globalErrors > 0 || r.code !== 0)) {
    fail('playwright', globalErrors ? `${globalErrors} error(s) outside tests` : describeExit(r));
  }
  const walk = (suite, path) => {
    for (const spec of suite.specs ?? []) {
      if ((spec.tests ?? []).some((t) => t.status === 'unexpected')) {
        failures.push(`${spec.file ?? suite.file ?? ''} > ${[...path, spec.title].join(' > ')}`);
      }
    }
    for (const child of suite.suites ?? []) walk(child, child.title && child.title !== child.file ? [...path, child.title] : path);
  };
  for (const suite of json.suites ?? []) walk(suite, []);
}

// ---------------------------------------------------------------- main

async function main() {
  await ensureServices();
  await typecheck();
  await vitest();
  await faults();
  await playwright();
}

let crashed;
try {
  await main();
} catch (err) {
  crashed = err;
  fail('scripts/test.mjs', err instanceof Error ? err.message : String(err));
}
rmSync(tmp, { recursive: true, force: true });

if (crashed) process.stdout.write(`\n${crashed instanceof Error ? crashed.stack : crashed}\n`);
if (failures.length > 0) {
  process.stdout.write(`\n[test] failed:\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
}
const summary = `${totals.passed} passed, ${totals.failed} failed${totals.skipped > 0 ? `, ${totals.skipped} skipped` : ''}`;
process.stdout.write(`\n${summary}\n`);
process.exitCode = totals.failed > 0 ? 1 : 0;
