import path from 'node:path';
import { expect, it } from 'vitest';
import { CATEGORY_IDS } from '../../src/shared/domain.js';
import { cleanEnv, guardian, REPO } from '../support/cli.js';

const SAMPLE = path.join(REPO, 'resources', 'eval', 'sample.jsonl');

it('`guardian eval` runs on the shipped sample and prints the table; --json prints the report', async () => {
  const table = await guardian(['eval', SAMPLE], cleanEnv({}));
  expect(table.code, table.stderr).toBe(0);
  for (const id of [...CATEGORY_IDS, 'ok']) expect(table.stdout).toMatch(new RegExp(`^${id}\\s+\\d\\.\\d{3}`, 'm'));
  expect(table.stdout).toMatch(/auto-action rate: [\d.]+%/);
  expect(table.stderr).toMatch(/evaluated \d+\/\d+/);

  const j = await guardian(['eval', SAMPLE, '--json'], cleanEnv({}));
  const report = JSON.parse(j.stdout);
  expect(report).toMatchObject({ classifier: 'rules', n: expect.any(Number), autoActionRate: expect.any(Number), autoBans: 0 });
  expect(Object.keys(report.perCategory).sort()).toEqual([...CATEGORY_IDS, 'ok'].sort());
  expect(report.perCategory.spam).toEqual({ precision: expect.any(Number), recall: expect.any(Number), f1: expect.any(Number), support: expect.any(Number) });

  const bad = await guardian(['eval', path.join(REPO, 'package.json')], cleanEnv({}));
  expect(bad.code).toBe(2);
});
