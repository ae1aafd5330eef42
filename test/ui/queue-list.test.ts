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
import { listCases, type CaseListQuery, type CaseListRow } from '../../src/core/store/cases-repo.js';
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

/** Inserts a case; `createdAt` is SQL (microseconds matter), updated an hour ago unless told. */
async function insertCase(o: { tag: string; status?: string; priority?: 'urgent' | 'normal'; level?: number; createdAt?: string; id?: string }) {
  const id = o.id ?? randomUUID();
  await db.query(
    `INSERT INTO cases (id, content_id, author_id, text, priority, submitted_at, status, level, review_kind, version, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, now(), $6, $7, 'initial', 2, ${o.createdAt ?? 'now()'}, now() - interval '1 hour')`,
    [id, `${o.tag}`, `author-${o.tag}`, `text of ${o.tag}`, o.priority ?? 'normal', o.status ?? 'awaiting_review', o.level ?? 1],
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
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM cases c ${where} ORDER BY (c.priority = 'urgent') DESC, c.created_at, c.id`, params);
  return rows.map((r) => r.id);
}

async function pageThrough(q: CaseListQuery, size: number): Promise<string[]> {
  const ids: string[] = [];
  let after: CaseListQuery['after'];
  for (;;) {
    const page = await queries.listCases({ ...q, limit: size, after });
    ids.push(...page.map((r) => r.id));
    if (page.length < size) return ids;
    const last = page[page.length - 1]!;
    after = { priority: last.priority, createdAt: last.createdAt, id: last.id };
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
  });

  it('the contract takes the cursor as the last row lists it, and not together with updatedSince', () => {
    const input = commands['cases:list'].input;
    const after = { priority: 'normal', createdAt: new Date().toISOString(), id: randomUUID() };
    expect(input.safeParse({ status: ['awaiting_review'], limit: 300, after }).success).toBe(true);
    expect(input.safeParse({ after: { ...after, id: 'not-a-uuid' } }).success).toBe(false);
    expect(input.safeParse({ after, updatedSince: new Date().toISOString() }).success).toBe(false);
    expect(input.safeParse({ updatedSince: 'yesterday' }).success).toBe(false);
  });

  it('EXPLAIN: a page deep in one status is a range scan of cases_queue_order_idx, not a sort of the status', async () => {
    // Enough rows for the planner to care (on a handful it reads the whole table either way).
    await db.query(
      `INSERT INTO cases (id, content_id, author_id, text, priority, submitted_at, status, level, version, created_at, updated_at)
       SELECT gen_random_uuid(), 'bulk-' || i, 'author-bulk', 'bulk text', CASE WHEN i % 20 = 0 THEN 'urgent' ELSE 'normal' END, now(),
              CASE WHEN i % 3 = 0 THEN 'closed' ELSE 'awaiting_review' END, 1, 2, now() - make_interval(secs => i), now() - interval '1 hour'
         FROM generate_series(1, 20000) i`,
    );
    await db.query('ANALYZE cases');
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
    const [normal, urgent] = await Promise.all(
      ['normal', 'urgent'].map(async (priority) => {
        const { rows } = await db.query<{ id: string; created_at: string }>(
          `SELECT id, created_at FROM cases WHERE status = 'awaiting_review' AND priority = $1 ORDER BY created_at, id OFFSET 500 LIMIT 1`,
          [priority],
        );
        return { priority: priority as 'normal' | 'urgent', createdAt: rows[0]!.created_at, id: rows[0]!.id };
      }),
    );

    // A normal-priority cursor: one index range scan, already in order (no Sort node), no table scan.
    const deep = await plan({ status: ['awaiting_review'], limit: 300, after: normal });
    const scans = deep.filter((n) => n['Index Name'] === 'cases_queue_order_idx');
    expect(scans.map((n) => n['Node Type'])).toEqual(['Index Scan']);
    expect(String(scans[0]!['Index Cond'])).toMatch(/ROW\(created_at, id\) > ROW\(/);
    expect(deep.some((n) => n['Node Type'] === 'Sort' || n['Node Type'] === 'Seq Scan')).toBe(false);

    // An urgent cursor: the rest of the urgent partition, then the normal one — both bounded by the index.
    const mixed = await plan({ status: ['awaiting_review'], limit: 300, after: urgent });
    expect(mixed.filter((n) => n['Index Name'] === 'cases_queue_order_idx').length).toBe(2);
    expect(mixed.some((n) => n['Node Type'] === 'Seq Scan')).toBe(false);

    // The first page too.
    const first = await plan({ status: ['awaiting_review'], limit: 300 });
    expect(first.some((n) => n['Index Name'] === 'cases_queue_order_idx' && n['Node Type'] === 'Index Scan')).toBe(true);
    expect(first.some((n) => n['Node Type'] === 'Sort' || n['Node Type'] === 'Seq Scan')).toBe(false);

    await db.query(`DELETE FROM cases WHERE content_id LIKE 'bulk-%'`);
  });
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
