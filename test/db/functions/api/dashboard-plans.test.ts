// api.dashboard stays indexed at 100k cases (migration 1764000000014_dashboard-indexes): the plans of the
// statements it really runs, captured with auto_explain (nested statements, sent to this client as LOG
// messages), show no sequential scan of cases, commands or audit_events. The history is inserted by the
// DBA inside a transaction that is rolled back (plans, not timings); its audit rows carry dummy hashes
// (this database's chains are never verified). The call itself is made as a supervisor's login (SET
// SESSION AUTHORIZATION, so session_user is theirs) on the same connection.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestInstallation, type TestInstallation } from '../../../support/installation.js';

let inst: TestInstallation;
let c: pg.Client;
let supLogin = '';
const N = 100_000;
const plans: string[] = [];

beforeAll(async () => {
  inst = await createTestInstallation();
  supLogin = (await inst.person('sup-plans', 'supervisor')).login;
  c = new pg.Client({ connectionString: inst.dbaUrl });
  await c.connect();
  c.on('notice', (m) => {
    if (/Query Text|Plan/i.test(m.message ?? '')) plans.push(m.message ?? '');
  });
  await c.query('BEGIN');
  // A year of cases (one every ~5 min), 50 still awaiting review; per case a claim and a decision, every
  // tenth an appeal decision; per case review requested, decided and closed events.
  await c.query(`INSERT INTO cases (id, content_id, author_id, text, priority, submitted_at, status, level, review_kind, violation_type,
                                    analysis, version, created_at, updated_at)
    SELECT md5('c' || i)::uuid, 'plan-' || i, 'a', 't', 'normal', t, CASE WHEN i < 50 THEN 'awaiting_review' ELSE 'closed' END, 1, 'initial',
           (ARRAY['ok','spam','threat','harassment'])[1 + i % 4], '{"suggestedAction": "remove"}', 1, t, t
      FROM generate_series(0, ${N - 1}) i, LATERAL (SELECT now() - i * interval '315 seconds' AS t) x`);
  await c.query(`INSERT INTO commands (id, type, case_id, actor, tool, payload, status, created_at, applied_at)
    SELECT k || '-' || i, k, md5('c' || i)::uuid, 'mod-' || (i % 20), 'ui',
           CASE k WHEN 'decide' THEN '{"decision": "remove", "context": {"reviewKind": "initial"}}'::jsonb WHEN 'appeal_decide' THEN '{"outcome": "uphold"}' ELSE '{}' END,
           'applied', now() - i * interval '315 seconds' + o * interval '1 minute', now() - i * interval '315 seconds' + o * interval '1 minute'
      FROM generate_series(50, ${N - 1}) i,
           LATERAL (VALUES ('claim', 2), ('decide', 4), ('appeal_decide', 30)) v(k, o)
     WHERE k <> 'appeal_decide' OR i % 10 = 0`);
  await c.query(`INSERT INTO audit_events (stream, case_id, type, actor, tool, payload, hash, seq, created_at)
    SELECT 'case:' || md5('c' || i)::uuid, md5('c' || i)::uuid, k, 'agent', 'ui', '{}', md5(i || k), s, now() - i * interval '315 seconds' + s * interval '1 minute'
      FROM generate_series(0, ${N - 1}) i,
           LATERAL (VALUES ('review.requested', 1), ('decision.made', 4), ('case.closed', 5)) v(k, s)
     WHERE i >= 50 OR s <= 1`);
  for (const t of ['cases', 'commands', 'audit_events']) await c.query(`ANALYZE ${t}`);
  await c.query(`LOAD 'auto_explain'`);
  await c.query(`SET auto_explain.log_min_duration = 0`);
  await c.query(`SET auto_explain.log_nested_statements = on`);
  await c.query(`SET client_min_messages = log`);
}, 120_000);
afterAll(async () => {
  await c?.query('ROLLBACK').catch(() => {});
  await c?.end().catch(() => {});
  await inst?.drop();
});

async function plansOf(window: string): Promise<string> {
  plans.length = 0;
  await c.query(`SET SESSION AUTHORIZATION "${supLogin}"`);
  try {
    const { rows } = await c.query(`SELECT api.dashboard(p_window => $1) AS d`, [window]);
    expect(rows[0].d.buckets.length).toBeGreaterThan(0);
  } finally {
    await c.query('RESET SESSION AUTHORIZATION');
  }
  return plans.join('\n');
}

describe(`api.dashboard's plans at ${N} cases`, () => {
  for (const window of ['24h', '7d', '30d'])
    it(`${window}: no sequential scan of cases, commands or audit_events`, async () => {
      const plan = await plansOf(window);
      // Kept for reading (the statement's plan and its duration under auto_explain).
      const dir = join(import.meta.dirname, '..', '..', '..', '..', 'test-results', 'dashboard-plans');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${window}.txt`), plan);
      // The aggregate statement itself was explained (not only the role checks).
      expect(plan).toMatch(/review\.requested/);
      for (const table of ['cases', 'commands', 'audit_events']) expect(plan).toMatch(new RegExp(`on ${table}\\b`));
      expect(plan).not.toMatch(/Seq Scan on (cases|commands|audit_events)\b/);
    });
});
