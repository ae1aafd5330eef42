// Diagnostic for part 5 (also run by bench/standalone.ts): the standalone createCore() steps timed one by
// one, replayed with the core's own functions in the same order and settings as src/core/core.ts. Since the
// trust model the embedded database sets itself up at every start (setupDatabase, mode standalone, one local
// person): its steps are timed through setupDatabase's progress callback.
//   npx tsx bench/standalone-steps.ts [DATA_DIR]      (a new temp dir when none is given; run it twice on
//                                                      the same dir for the existing-dir start)
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { localUserId } from '../src/core/config.js';
import { silentLogger } from '../src/core/log.js';
import { setupDatabase } from '../src/core/setup/db-setup.js';
import { createDb } from '../src/core/store/db.js';
import { startEmbeddedPostgres } from '../src/core/store/embedded.js';

const dir = process.argv[2] ?? mkdtempSync(path.join(os.tmpdir(), 'guardian-bench-steps-'));
const t = () => performance.now();
const steps: Record<string, number> = {};
let t0 = t();
const embedded = await startEmbeddedPostgres(dir, silentLogger);
steps.pgliteOpen = t() - t0;
// setupDatabase, step by step: connect + lock + installation check until 'roles', then each named step
t0 = t();
let last = t0;
let current = 'setupConnect';
const setup: Record<string, number> = {};
const report = await setupDatabase({
  url: embedded.connectionString,
  mode: 'standalone',
  logger: silentLogger,
  localPerson: localUserId('bench-local'),
  progress: (step) => {
    const at = t();
    setup[current] = at - last;
    last = at;
    current = step;
  },
});
setup[current] = t() - last; // the last step runs until setupDatabase returns (incl. the local person)
steps.setup = t() - t0;
t0 = t();
const db = createDb({ connectionString: embedded.connectionString, max: 1 });
await db.query('SELECT 1');
steps.firstQuery = t() - t0;
t0 = t();
for (let i = 0; i < 100; i++) await db.query('SELECT 1');
steps.hundredSelect1 = t() - t0;
await db.close();
await embedded.stop();
console.log(
  JSON.stringify({
    dir,
    ...steps,
    setupSteps: setup,
    migrationsRan: report.migrations.length,
    functionsApplied: report.functions.applied.length,
    functionsUnchanged: report.functions.unchanged,
    rss: process.memoryUsage().rss,
    maxRss: process.resourceUsage().maxRSS * 1024,
  }),
);
process.exit(0);
