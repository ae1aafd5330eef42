// Builds the standalone app's pre-initialised data dir (issue 16; src/core/store/embedded.ts says why):
//   npx tsx scripts/build-standalone-template.ts [OUT_DIR]     (default out/standalone-template)
// Run after `electron-vite build` (it empties out/) and whenever PGlite, the saver or the database files
// change; electron-builder ships the result. A stale or missing template is not used (initdb instead).
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../src/core/log.js';
import { buildStandaloneTemplate } from '../src/core/store/embedded.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.resolve(process.argv[2] ?? path.join(root, 'out', 'standalone-template'));
const t = performance.now();
const stamp = await buildStandaloneTemplate(out, createLogger({ level: process.env.GUARDIAN_LOG_LEVEL ?? 'warn', name: 'build-standalone-template' }));
process.stderr.write(`standalone template built in ${Math.round(performance.now() - t)} ms: ${out}\n${JSON.stringify(stamp)}\n`);
