// Diagnostic for part 5: the steps of the standalone createCore() timed one by one, replayed with the
// core's own functions (src/core/store/*) in the same order and settings as src/core/core.ts.
//   npx tsx bench/standalone-steps.ts [DATA_DIR]      (a new temp dir when none is given)
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { silentLogger } from '../src/core/log.js';
import { createDb } from '../src/core/store/db.js';
import { startEmbeddedPostgres } from '../src/core/store/embedded.js';
import { migrate } from '../src/core/store/migrate.js';

const dir = process.argv[2] ?? mkdtempSync(path.join(os.tmpdir(), 'guardian-bench-steps-'));
const t = () => performance.now();
const steps: Record<string, number> = {};
let t0 = t();
const embedded = await startEmbeddedPostgres(dir, silentLogger);
steps.pgliteOpen = t() - t0;
t0 = t();
const db = createDb({ connectionString: embedded.connectionString, max: 1 });
await db.query('SELECT 1');
steps.firstQuery = t() - t0;
t0 = t();
await migrate(db, silentLogger);
steps.migrate = t() - t0;
t0 = t();
const saver = new PostgresSaver(db.pool);
await saver.setup();
steps.saverSetup = t() - t0;
t0 = t();
for (let i = 0; i < 100; i++) await db.query('SELECT 1');
steps.hundredSelect1 = t() - t0;
await db.close();
await embedded.stop();
console.log(JSON.stringify({ dir, ...steps, rss: process.memoryUsage().rss, maxRss: process.resourceUsage().maxRSS * 1024 }));
