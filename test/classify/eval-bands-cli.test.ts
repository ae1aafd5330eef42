// `guardian eval` as operators run it (a subprocess): the held-out and dev sets, the routing figures of
// issue 11 in the table and in --json, and the bands the policy applied.
import path from 'node:path';
import { expect, it } from 'vitest';
import { cleanEnv, guardian, REPO } from '../support/cli.js';

const HOLDOUT = path.join(REPO, 'resources', 'eval', 'holdout.jsonl');

it('prints harmful auto-resolved, clean flagged, the routing and the bands; --json carries them', async () => {
  const table = await guardian(['eval', HOLDOUT], cleanEnv({}));
  expect(table.code, table.stderr).toBe(0);
  expect(table.stdout).toMatch(/^harmful auto-resolved: \d+\/\d+ \(\d+\.\d%\)   clean flagged: \d+\/\d+ \(\d+\.\d%\)$/m);
  expect(table.stdout).toMatch(/^routing: auto-resolved \d+, auto-action \d+, human review \d+$/m);
  expect(table.stdout).toMatch(/^auto-resolve only when clean confidence ≥ 0\.90/m);
  expect(table.stdout).toMatch(/^spam\s+0\.30\s+0\.85$/m);
  expect(table.stdout).toMatch(/^violence\s+0\.30\s+never$/m);
  expect(table.stdout).toMatch(/^policy: 2026-12-02\.1\+[0-9a-f]{12}$/m);

  const j = await guardian(['eval', HOLDOUT, '--json'], cleanEnv({}));
  const report = JSON.parse(j.stdout);
  expect(report).toMatchObject({
    classifier: 'rules',
    autoBans: 0,
    harmfulAutoResolved: { count: expect.any(Number), rate: expect.any(Number), of: report.n - report.perCategory.ok.support },
    cleanFlagged: { count: expect.any(Number), rate: expect.any(Number), of: report.perCategory.ok.support },
    bands: { cleanMinConfidence: 0.9, categories: { spam: { review: 0.3, autoAction: 0.85 }, self_harm: { review: 0.3, autoAction: null } } },
  });
  expect(report.routing.auto_resolve + report.routing.auto_action + report.routing.review).toBe(report.n);
});

it('a policy with a bad band stops `guardian eval` naming the field', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const shipped = JSON.parse(fs.readFileSync(path.join(REPO, 'resources', 'policy.json'), 'utf8'));
  shipped.categories.spam.bands = { review: 0.5, autoAction: 0.4 };
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'guardian-evalband-')), 'policy.json');
  fs.writeFileSync(file, JSON.stringify(shipped));
  const r = await guardian(['eval', HOLDOUT], cleanEnv({ GUARDIAN_POLICY_FILE: file }));
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(/categories\.spam\.bands\.autoAction: must be above review/);
});
