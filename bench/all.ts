// `npm run bench`: every part, one at a time, each in its own process (clean heap, own database and
// vhost). Output streams through; the RESULT lines are also written to bench/results/last-run.jsonl.
//   npm run bench                      all parts with defaults
//   npm run bench -- pipeline scale    only those parts (names: pipeline decisions scale standalone ui)
// Exit code 0 unless a part itself broke (timings never fail the run).
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const PARTS = ['pipeline', 'decisions', 'scale', 'standalone', 'ui'] as const;
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const parts = wanted.length ? PARTS.filter((p) => wanted.includes(p)) : PARTS;
const dir = import.meta.dirname;
const results: string[] = [];
let broken = 0;

for (const part of parts) {
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(dir, `${part}.ts`)], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BENCH_ALL: '1' } });
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      process.stdout.write(d);
      buf += d.toString('utf8');
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.startsWith('RESULT ')) results.push(line.slice(7));
      }
    });
    child.on('exit', (c) => resolve(c ?? 1));
  });
  if (code !== 0) {
    broken++;
    console.error(`bench part "${part}" exited with ${code}`);
  }
}
// BENCH_RESULTS_FILE: where the RESULT lines go (the smoke test keeps them out of the checkout). The parts
// run with BENCH_ALL=1, so they leave the file to this process.
const out = process.env.BENCH_RESULTS_FILE || path.join(dir, 'results', 'last-run.jsonl');
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, results.map((r) => `${r}\n`).join(''));
console.log(`\n${parts.length - broken}/${parts.length} parts ran; results in ${path.relative(process.cwd(), out) || out}`);
process.exit(broken ? 1 : 0);
