// Issue 12, must show 3 (standalone mode): two `guardian` commands started together on one (migrated)
// data dir both succeed, the later waiting for the embedded database's lock instead of exiting 1; and
// everything in the data dir is this OS user's only — dirs 0700, files 0600, PGlite's included.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { cleanEnv, guardian } from '../support/cli.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guardian-standalone-'));
const env = cleanEnv({ GUARDIAN_DATA_DIR: dataDir, GUARDIAN_USER: 'local-test' });
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

function modes(dir: string, out: Array<[string, string]> = []): Array<[string, string]> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    const m = (fs.statSync(p).mode & 0o777).toString(8);
    out.push([path.relative(dataDir, p), e.isDirectory() ? `d${m}` : m]);
    if (e.isDirectory()) modes(p, out);
  }
  return out;
}

it('two commands started together on a migrated data dir both succeed; the data dir is private', async () => {
  fs.chmodSync(dataDir, 0o755);
  const first = await guardian(['cases', 'list', '--json'], env);
  expect(first.code, first.stderr).toBe(0);
  const [a, b] = await Promise.all([guardian(['cases', 'list', '--json'], env), guardian(['cases', 'list', '--json'], env)]);
  expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
  expect(JSON.parse(a.stdout)).toEqual(JSON.parse(b.stdout));

  expect((fs.statSync(dataDir).mode & 0o777).toString(8)).toBe('700');
  const loose = modes(dataDir).filter(([, m]) => m !== '600' && m !== 'd700');
  expect(loose).toEqual([]);
}, 180_000);
