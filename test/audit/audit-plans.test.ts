// The audit view's filters stay indexed at 200k events (migration 1764000000009_audit-filters): the plan of
// the very SQL queryAudit sends (captured and EXPLAINed), never a sequential scan of audit_events. The
// events are inserted by the DBA inside a transaction that is rolled back (plans, not timings).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAudit, type AuditFilter } from '../../src/core/store/audit-repo.js';
import type { Queryable } from '../../src/core/store/db.js';
import { createTestInstallation, type TestInstallation } from '../support/installation.js';

let inst: TestInstallation;
let c: pg.Client;
const N = 200_000;
const someCase = () => `md5('c' || 7)::uuid`;

/** Runs queryAudit with its audit_events query EXPLAINed instead of run; the plan's text. */
async function planOf(f: AuditFilter): Promise<string> {
  let plan = '';
  const q: Queryable = {
    query: (async (sql: string, params?: unknown[]) => {
      if (!/FROM audit_events/.test(sql)) return c.query(sql, params);
      const { rows } = await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params);
      plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      return { rows: [] };
    }) as Queryable['query'],
  } as Queryable;
  await queryAudit(q, { limit: 10_000, order: 'newest', ...f });
  return plan;
}

beforeAll(async () => {
  inst = await createTestInstallation();
  c = new pg.Client({ connectionString: inst.dbaUrl });
  await c.connect();
  await c.query('BEGIN');
  // 20k cases' streams, 6 common types and a rare one, 50 actors, one event every 10 s back from now.
  await c.query(`INSERT INTO cases (id, content_id, author_id, text, priority, submitted_at, status, level, review_kind, version)
    SELECT md5('c' || i)::uuid, 'plan-' || i, 'a', 't', 'normal', now(), 'closed', 1, 'initial', 1 FROM generate_series(0, 19999) i`);
  await c.query(`INSERT INTO audit_events (stream, case_id, type, actor, tool, payload, hash, seq, created_at)
    SELECT 'case:' || u, u, (ARRAY['case.created','review.requested','decision.made','action.executed','case.note','case.claimed'])[1 + i % 6]
                              || CASE WHEN i % 1000 = 0 THEN '.rare' ELSE '' END,
           'mod-' || (i % 50), 'ui', '{}', md5(i::text), i, now() - (${N} - i) * interval '10 seconds'
      FROM generate_series(1, ${N}) i, LATERAL (SELECT md5('c' || (i % 20000))::uuid AS u) x`);
  await c.query('ANALYZE audit_events');
  await c.query('ANALYZE cases');
});
afterAll(async () => {
  await c?.query('ROLLBACK').catch(() => {});
  await c?.end().catch(() => {});
  await inst?.drop();
});

describe(`the audit list's plans at ${N} events`, () => {
  const day = 86_400_000;
  const filters: Array<[string, () => Promise<AuditFilter>]> = [
    ['no filter', async () => ({})],
    ['a rare type', async () => ({ type: 'case.note.rare' })],
    ['a common type', async () => ({ type: 'case.note' })],
    ['an actor', async () => ({ actor: 'mod-3' })],
    ['a case (short id)', async () => ({ caseId: (await c.query<{ id: string }>(`SELECT ${someCase()}::text AS id`)).rows[0]!.id.slice(0, 8) })],
    ['a content id', async () => ({ contentId: 'plan-7' })],
    ['a one-day window', async () => ({ from: new Date(Date.now() - 3 * day).toISOString(), to: new Date(Date.now() - 2 * day).toISOString() })],
    ['a window and a rare type', async () => ({ type: 'case.note.rare', from: new Date(Date.now() - 3 * day).toISOString() })],
  ];
  for (const [name, f] of filters)
    it(`${name}: no sequential scan of audit_events`, async () => {
      const plan = await planOf(await f());
      expect(plan).toMatch(/audit_events/);
      expect(plan).not.toMatch(/Seq Scan/);
    });
});
