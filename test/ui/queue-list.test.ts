// The queue's list query against real PostgreSQL (BENCHMARKS.md part 4, fix 8): keyset pages (`after`)
// list every case once in the review order, as range scans of the queue-order index; `updatedSince`
// answers what changed, in or out of the filters, and its watermark does not lose a change committed by
// a transaction that started before the read and committed after it. Every read runs as a moderator's
// own login (what the UI reads with); the cases are arranged by the DBA, except where a person's command
// (a claim) is the change under test.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueries } from '../../src/core/services/queries.js';
import { listCases, QUEUE_ORDER_SQL, type CaseListQuery, type CaseListRow } from '../../src/core/store/cases-repo.js';
import { createDb, type Db, type Queryable } from '../../src/core/store/db.js';
import { commands } from '../../src/shared/contract.js';
import { createTestInstallation, type TestInstallation, type TestPerson } from '../support/installation.js';

let inst: TestInstallation;
let mod: TestPerson;
/** Another moderator, whose claims are the person-made changes below. */
let mod9: TestPerson;
/** The moderator's connection: every read of the list. */
let reads: Db;
let queries: ReturnType<typeof createQueries>;
/** Arranging as the DBA (rows no role may write directly). */
const db = { query: <R extends pg.QueryResultRow = any>(sql: string, params?: unknown[]) => inst.dba<R>(sql, params) };

/**
 * Inserts a case; `createdAt` and `slaDueAt` are SQL (microseconds matter for created_at; deadlines are
 * set at millisecond precision, as worker.sync_review does), updated an hour ago unless told.
 */
async function insertCase(o: {
  tag: string; status?: string; priority?: 'urgent' | 'normal'; level?: number; createdAt?: string; id?: string;
  severity?: string; slaDueAt?: string;
}) {
  const id = o.id ?? randomUUID();
  await db.query(
    `INSERT INTO cases (id, content_id, author_id, text, priority, submitted_at, status, level, review_kind, version, created_at, updated_at,
                        severity, sla_due_at)
     VALUES ($1, $2, $3, $4, $5, now(), $6, $7, 'initial', 2, ${o.createdAt ?? 'now()'}, now() - interval '1 hour',
             $8, ${o.slaDueAt ? `date_trunc('milliseconds', ${o.slaDueAt})` : 'NULL'})`,
    [id, `${o.tag}`, `author-${o.tag}`, `text of ${o.tag}`, o.priority ?? 'normal', o.status ?? 'awaiting_review', o.level ?? 1, o.severity ?? null],
  );
  return id;
}

/** A claim by a person, through their own login and the command function (a change a role may make). */
async function claimAs(who: TestPerson, caseId: string) {
  const c = new pg.Client({ connectionString: who.url });
  await c.connect();
  try {
    const { rows } = await c.query<{ r: { outcome: string } }>(`SELECT api.claim_case(p_case_id => $1, p_command_id => $2, p_tool => 'ui') AS r`, [caseId, randomUUID()]);
    expect(rows[0]!.r.outcome).toBe('applied');
  } finally {
    await c.end();
  }
}

/** The review order straight from SQL, at full precision: the reference the pages must reproduce. */
async function reference(where: string, params: unknown[] = []): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM cases c ${where} ORDER BY ${QUEUE_ORDER_SQL}`, params);
  return rows.map((r) => r.id);
}

/** Every page of `q`; `oldCursor`: the cursor an older client sends (no severity or deadline). */
async function pageThrough(q: CaseListQuery, size: number, oldCursor = false): Promise<string[]> {
  const ids: string[] = [];
  let after: CaseListQuery['after'];
  for (;;) {
    const page = await queries.listCases({ ...q, limit: size, after });
    ids.push(...page.map((r) => r.id));
    if (page.length < size) return ids;
    const last = page[page.length - 1]!;
    after = oldCursor
      ? { priority: last.priority, createdAt: last.createdAt, id: last.id }
      : { priority: last.priority, severity: last.severity, slaDueAt: last.slaDueAt, createdAt: last.createdAt, id: last.id };
  }
}

beforeAll(async () => {
  inst = await createTestInstallation();
  mod = await inst.person('mod-1', 'moderator');
  mod9 = await inst.person('mod-9', 'moderator');
  reads = createDb({ connectionString: mod.url, max: 4 });
  queries = createQueries(reads);
  // Ties the API cannot see: one microsecond timestamp shared by several cases (order by id), and cases
  // a few microseconds apart inside one millisecond (the API's createdAt is the same for them).
  const base = `'2026-01-01 10:00:00.123456+00'::timestamptz`;
  for (let i = 0; i < 5; i++) await insertCase({ tag: `same-${i}`, createdAt: base });
  for (let i = 0; i < 4; i++) await insertCase({ tag: `same-ms-${i}`, createdAt: `${base} + interval '${100 + i * 50} microseconds'` });
  for (let i = 0; i < 3; i++) await insertCase({ tag: `urgent-same-${i}`, priority: 'urgent', createdAt: base });
  for (let i = 0; i < 40; i++)
    await insertCase({
      tag: `mixed-${i}`,
      priority: i % 7 === 0 ? 'urgent' : 'normal',
      level: i % 5 === 0 ? 2 : 1,
      status: i % 6 === 0 ? 'actioned' : 'awaiting_review',
      createdAt: `${base} + interval '${i} seconds'`,
      // severities and deadlines, with ties on both (a deadline shared by several cases)
      severity: [undefined, 'critical', 'high', 'medium', 'low', 'none'][(i >> 1) % 6],
      slaDueAt: i % 4 === 0 ? undefined : `${base} + interval '${(i % 3) * 10} minutes'`,
    });
});
afterAll(async () => {
  await reads?.close();
  await inst?.drop();
});

describe('keyset pages (after)', () => {
  it.each([
    ['one status', { status: ['awaiting_review'] }, `WHERE c.status = 'awaiting_review'`],
    ['one status and a level', { status: ['awaiting_review'], level: 1 }, `WHERE c.status = 'awaiting_review' AND c.level = 1`],
    ['two statuses', { status: ['awaiting_review', 'actioned'] }, `WHERE c.status IN ('awaiting_review', 'actioned')`],
    ['no status', {}, ''],
    ['a search', { status: ['awaiting_review'], search: 'same' }, `WHERE c.status = 'awaiting_review' AND c.content_id LIKE '%same%'`],
  ] as const)('%s: every case once, in the review order, whatever the page size', async (_name, q, where) => {
    const want = await reference(where);
    expect(want.length).toBeGreaterThan(5);
    for (const size of [1, 2, 3, 7, 100]) expect(await pageThrough(q as CaseListQuery, size)).toEqual(want);
    // An older client's cursor (no severity or deadline): the row's own are taken.
    for (const size of [1, 7]) expect(await pageThrough(q as CaseListQuery, size, true)).toEqual(want);
  });

  it('the contract takes the cursor as the last row lists it, and not together with updatedSince', () => {
    const input = commands['cases:list'].input;
    const after = { priority: 'normal', createdAt: new Date().toISOString(), id: randomUUID() };
    expect(input.safeParse({ status: ['awaiting_review'], limit: 300, after }).success).toBe(true);
    expect(input.safeParse({ after: { ...after, id: 'not-a-uuid' } }).success).toBe(false);
    expect(input.safeParse({ after, updatedSince: new Date().toISOString() }).success).toBe(false);
    expect(input.safeParse({ updatedSince: 'yesterday' }).success).toBe(false);
  });

  it('priority order at 100,000 cases: a critical threat above older medium insults, every page one range scan of cases_queue_priority_idx', async () => {
    // A realistic queue: 100k cases, a few urgent, severities spread, SLA deadlines from the analysis.
    await db.query(
      `INSERT INTO cases (id, content_id, author_id, text, priority, submitted_at, status, level, version, created_at, updated_at, severity, sla_due_at)
       SELECT gen_random_uuid(), 'bulk-' || i, 'author-bulk', 'bulk text', CASE WHEN i % 500 = 0 THEN 'urgent' ELSE 'normal' END, now(),
              CASE WHEN i % 3 = 0 THEN 'closed' ELSE 'awaiting_review' END, 1, 2, now() - make_interval(secs => i), now() - interval '1 hour',
              (ARRAY['low', 'medium', 'medium', 'high', 'none', NULL])[1 + i % 6],
              date_trunc('milliseconds', now() + make_interval(secs => 3600 - i % 7200))
         FROM generate_series(1, 100000) i`,
    );
    await db.query('ANALYZE cases');
    // The issue's case: medium insults waiting for a while, then a critical threat arrives (newest, and
    // its deadline later than theirs): it still comes before every one of them.
    const insults = [];
    for (let i = 0; i < 3; i++)
      insults.push(await insertCase({ tag: `insult-${i}`, severity: 'medium', createdAt: `now() - interval '${3 - i} hours'`, slaDueAt: `now() - interval '${30 - i} minutes'` }));
    const threat = await insertCase({ tag: 'threat-1', severity: 'critical', createdAt: 'now()', slaDueAt: `now() + interval '30 minutes'` });
    const firstPage = await queries.listCases({ status: ['awaiting_review'], limit: 300 });
    const at = (id: string) => firstPage.findIndex((r) => r.id === id);
    const nonUrgent = firstPage.filter((r) => r.priority !== 'urgent');
    expect(nonUrgent[0]?.severity).toBe('critical');
    expect(at(threat)).toBeGreaterThanOrEqual(0);
    // urgent ones first, then the criticals (the threat among them), then high, then medium (the insults: overdue first)
    expect(firstPage.slice(0, at(threat)).every((r) => r.priority === 'urgent' || r.severity === 'critical')).toBe(true);
    const whole = await queries.listCases({ status: ['awaiting_review'], limit: 100_000 });
    const pos = (id: string) => whole.findIndex((r) => r.id === id);
    for (const insult of insults) expect(pos(threat)).toBeLessThan(pos(insult));
    expect(insults.map(pos)).toEqual([...insults.map(pos)].sort((a, b) => a - b));
    expect(whole.map((r) => r.severity ?? 'none').slice(-3)).toEqual(['none', 'none', 'none']);

    const seen: Array<{ text: string; params?: unknown[] }> = [];
    const recorder: Queryable = { query: (text, params) => (seen.push({ text, params }), reads.query(text, params)) };
    const plan = async (q: CaseListQuery) => {
      seen.length = 0;
      await listCases(recorder, q);
      const { text, params } = seen[seen.length - 1]!;
      const { rows } = await reads.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${text}`, params);
      const nodes: Array<Record<string, unknown>> = [];
      const walk = (n: Record<string, unknown>) => {
        nodes.push(n);
        for (const c of (n.Plans as Array<Record<string, unknown>> | undefined) ?? []) walk(c);
      };
      walk((rows[0]!['QUERY PLAN'] as Array<{ Plan: Record<string, unknown> }>)[0]!.Plan);
      return nodes;
    };
    const cursorAt = (i: number) => {
      const r = whole[i]!;
      return { priority: r.priority, severity: r.severity, slaDueAt: r.slaDueAt, createdAt: r.createdAt, id: r.id };
    };
    // The first page, a cursor in the urgent part, one deep among the mediums, an older client's cursor:
    // each one index range scan, already in order (no Sort node), no table scan.
    for (const q of [
      { status: ['awaiting_review'], limit: 300 },
      { status: ['awaiting_review'], limit: 300, after: cursorAt(10) },
      { status: ['awaiting_review'], limit: 2500, after: cursorAt(40_000) },
      { status: ['awaiting_review'], limit: 300, after: { priority: whole[500]!.priority, createdAt: whole[500]!.createdAt, id: whole[500]!.id } },
    ] as CaseListQuery[]) {
      const nodes = await plan(q);
      const scans = nodes.filter((n) => n['Index Name'] === 'cases_queue_priority_idx');
      expect(scans.map((n) => n['Node Type'])).toEqual(['Index Scan']);
      if (q.after) expect(String(scans[0]!['Index Cond'])).toMatch(/ROW\(CASE .* > ROW\(/);
      expect(nodes.some((n) => n['Node Type'] === 'Sort' || n['Node Type'] === 'Seq Scan')).toBe(false);
    }

    await db.query(`DELETE FROM cases WHERE content_id LIKE 'bulk-%' OR content_id LIKE 'insult-%' OR content_id = 'threat-1'`);
  }, 120_000);
});

describe('what changed (updatedSince)', () => {
  const byId = (rows: CaseListRow[]) => new Map(rows.map((r) => [r.id, r]));

  it('answers every case changed since the watermark, in or out of the filters, and nothing else', async () => {
    const q: CaseListQuery = { status: ['awaiting_review'], level: 1 };
    const first = await queries.listCases({ ...q, limit: 5, withWatermark: true });
    expect(first).toHaveLength(5);
    const watermark = first[0]!.watermark!;
    expect(first.every((r) => r.watermark === watermark && r.matches === undefined)).toBe(true);

    const [decided, claimed, escalated] = first.map((r) => r.id) as [string, string, string];
    await db.query(`UPDATE cases SET status = 'actioned', version = version + 1, updated_at = now() WHERE id = $1`, [decided]);
    // A claim (mod-9's own, through the command function) changes the row without a new version.
    await claimAs(mod9, claimed);
    await db.query(`UPDATE cases SET level = 2, version = version + 1, updated_at = now() WHERE id = $1`, [escalated]);
    const fresh = await insertCase({ tag: 'fresh-1', createdAt: 'now()' });
    await db.query(`UPDATE cases SET updated_at = now() WHERE id = $1`, [fresh]);
    const elsewhere = await insertCase({ tag: 'fresh-closed', status: 'closed' });
    await db.query(`UPDATE cases SET updated_at = now() WHERE id = $1`, [elsewhere]);

    const changes = await queries.listCases({ ...q, updatedSince: watermark, limit: 100 });
    const got = byId(changes);
    expect([...got.keys()].sort()).toEqual([decided, claimed, escalated, fresh, elsewhere].sort());
    expect(got.get(decided)).toMatchObject({ status: 'actioned', matches: false });
    expect(got.get(claimed)).toMatchObject({ claimedBy: 'mod-9', matches: true });
    expect(got.get(escalated)).toMatchObject({ level: 2, matches: false });
    expect(got.get(fresh)).toMatchObject({ status: 'awaiting_review', matches: true });
    expect(got.get(elsewhere)).toMatchObject({ status: 'closed', matches: false });
    // Oldest change first, each row with the next watermark, which is not before the one asked with.
    expect(changes.map((r) => r.updatedAt)).toEqual([...changes.map((r) => r.updatedAt)].sort());
    expect(changes[0]!.watermark! >= watermark).toBe(true);
    expect(new Set(changes.map((r) => r.watermark)).size).toBe(1);

    // Nothing changed since: nothing new (the same change may be answered again within the watermark's
    // millisecond; the client keeps the newer version).
    const again = await queries.listCases({ ...q, updatedSince: changes[0]!.watermark!, limit: 100 });
    expect(again.every((r) => got.get(r.id)?.version === r.version && got.get(r.id)?.updatedAt === r.updatedAt)).toBe(true);
  });

  it('does not lose a change whose transaction started before the read and committed after it', async () => {
    const target = await insertCase({ tag: 'late-commit' });
    // mod-9 claims the case in a transaction that stays open across the read (a slow client, say).
    const other = new pg.Client({ connectionString: mod9.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      // The claim stamps updated_at = now(): the transaction's start, before the read below.
      const claim = await other.query<{ r: { outcome: string } }>(`SELECT api.claim_case(p_case_id => $1, p_command_id => $2, p_tool => 'ui') AS r`, [target, randomUUID()]);
      expect(claim.rows[0]!.r.outcome).toBe('applied');
      const readStart = (await db.query<{ t: string }>('SELECT clock_timestamp()::text AS t')).rows[0]!.t;
      const read = await queries.listCases({ status: ['awaiting_review'], limit: 1000, withWatermark: true });
      expect(read.some((r) => r.id === target)).toBe(true); // not committed yet: still awaiting in this read
      await other.query('COMMIT');
      // Stamped before the read started: "changed since the read" would miss it.
      const { rows } = await db.query<{ before: boolean }>('SELECT updated_at < $2::timestamptz AS before FROM cases WHERE id = $1', [target, readStart]);
      expect(rows[0]!.before).toBe(true);
      expect(read.find((r) => r.id === target)?.claimedBy).toBeNull(); // the read did not see the claim

      const changes = await queries.listCases({ status: ['awaiting_review'], updatedSince: read[0]!.watermark!, limit: 1000 });
      expect(changes.find((r) => r.id === target)).toMatchObject({ status: 'awaiting_review', claimedBy: 'mod-9', matches: true });
    } finally {
      await other.end();
    }
  });
});
