// Child process of bench/standalone.ts: one cold start of the standalone core (embedded PGlite) in
// GUARDIAN_DATA_DIR. Times are from process start (performance.now() counts from the time origin).
// Prints one JSON line on stdout.
import { performance } from 'node:perf_hooks';

const tImportStart = performance.now();
const { loadConfig } = await import('../src/core/config.js');
const { createCore } = await import('../src/core/core.js');
const { silentLogger } = await import('../src/core/log.js');
const tImported = performance.now();
const config = loadConfig({ GUARDIAN_DATA_DIR: process.env.GUARDIAN_DATA_DIR, GUARDIAN_USER: 'bench-local' });
const core = await createCore({ config, logger: silentLogger });
const tCreated = performance.now();
await core.start();
const tStarted = performance.now();
// the one local person's session (standalone: the embedded database's own login, every role)
const session = await core.openSession({ tool: 'ui' });
const tSession = performance.now();
let cases = await session.listCases({ limit: 100 });
const tListed = performance.now();
const rssReady = process.memoryUsage().rss;
const cpu = process.cpuUsage();
const cpuReadyMs = (cpu.user + cpu.system) / 1000; // this process's CPU until ready (load-independent)
let seeded: number | undefined;
let tSeeded: number | undefined;
if (process.env.BENCH_SEED === '1' && cases.length === 0) {
  seeded = await core.seedDemo();
  await core.drain();
  cases = await session.listCases({ limit: 100 });
  tSeeded = performance.now();
}
const out = {
  bootMs: tImportStart, // node + tsx loader until our first line ran
  importMs: tImported - tImportStart,
  createCoreMs: tCreated - tImported, // PGlite open/init + setupDatabase (roles, migrations, saver tables, privileges, functions, local person)
  startMs: tStarted - tCreated, // bus, consumers, sweep
  sessionMs: tSession - tStarted, // the local person's session (whoami)
  listMs: tListed - tSession,
  readyMs: tListed, // process start → listCases answered
  rssReady,
  cpuReadyMs,
  cases: cases.length,
  seeded,
  seedAndAnalyseMs: tSeeded !== undefined ? tSeeded - tListed : undefined,
  maxRss: process.resourceUsage().maxRSS * 1024,
};
await core.stop();
process.stdout.write(`${JSON.stringify(out)}\n`);
process.exit(0);
