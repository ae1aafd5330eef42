// Child process of bench/standalone.ts: one cold start of the standalone core (embedded PGlite) in
// GUARDIAN_DATA_DIR. Times are from process start (performance.now() counts from the time origin).
// BENCH_LOAD=n: after ready, n content.submitted messages through the in-process bus, analysed, and the memory
// after them (an hour-like load for one desk). Prints one JSON line on stdout.
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
const memReady = process.memoryUsage();
const rssReady = memReady.rss;
const cpu = process.cpuUsage();
const cpuReadyMs = (cpu.user + cpu.system) / 1000; // this process's CPU until ready (load-independent)
// Standalone loads the agent after start (issue 16): when it consumes, after the queue answered.
await core.ready();
const tAgentReady = performance.now();
let seeded: number | undefined;
let tSeeded: number | undefined;
if (process.env.BENCH_SEED === '1' && cases.length === 0) {
  seeded = await core.seedDemo();
  await core.drain();
  cases = await session.listCases({ limit: 100 });
  tSeeded = performance.now();
}
let load: Record<string, number> | undefined;
const nLoad = Number(process.env.BENCH_LOAD ?? 0);
if (nLoad > 0) {
  const { messageFor } = await import('./lib.js');
  const t0 = performance.now();
  const run = `load-${Date.now().toString(36)}`;
  for (let i = 0; i < nLoad; i++) await core.bus.publishIngest('content.submitted', messageFor(run, i));
  await core.drain();
  const ms = performance.now() - t0;
  const m = process.memoryUsage();
  load = { n: nLoad, ms, perSec: nLoad / (ms / 1000), rss: m.rss, heapUsed: m.heapUsed, external: m.external };
  (globalThis as { gc?: () => void }).gc?.();
  load.rssAfterGc = process.memoryUsage().rss;
  load.heapAfterGc = process.memoryUsage().heapUsed;
}
const out = {
  bootMs: tImportStart, // node + tsx loader until our first line ran
  importMs: tImported - tImportStart,
  createCoreMs: tCreated - tImported, // PGlite open/init + setupDatabase (roles, migrations, saver tables, privileges, functions, local person)
  startMs: tStarted - tCreated, // bus, consumers, sweep
  sessionMs: tSession - tStarted, // the local person's session (whoami)
  listMs: tListed - tSession,
  readyMs: tListed, // process start → listCases answered
  agentReadyMs: tAgentReady,
  rssReady,
  heapReady: memReady.heapUsed,
  externalReady: memReady.external,
  cpuReadyMs,
  load,
  cases: cases.length,
  seeded,
  seedAndAnalyseMs: tSeeded !== undefined ? tSeeded - tListed : undefined,
  maxRss: process.resourceUsage().maxRSS * 1024,
};
await core.stop();
process.stdout.write(`${JSON.stringify(out)}\n`);
process.exit(0);
