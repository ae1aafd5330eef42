// The renderer's queue loader (src/renderer/src/store/queue-sync.ts): a first page, the rest in keyset
// pages, then only what changed merged into the loaded rows — driven through the real dispatcher and
// listCases on real PostgreSQL, as a moderator signed in at a real seat (SessionHost over the core, their own
// login), and compared with a fresh full read after every step. Plus the merge rules on their own. The
// cases are arranged as rows by the DBA (ages, priorities and levels a real pipeline would take minutes
// to produce); every read goes through the signed-in person's session.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { QueryResultRow } from 'pg';
import { silentLogger } from '../../src/core/log.js';
import { QUEUE_ORDER_SQL } from '../../src/core/store/cases-repo.js';
import { createSessionHost, type SessionHost } from '../../src/core/session/session-host.js';
import { createDispatcher } from '../../src/main/ipc/dispatcher.js';
import type { CaseListItem, CasesQuery, Result } from '../../src/shared/contract.js';
import {
  appendPage,
  createQueueSync,
  mergeChanges,
  reviewOrder,
  type QueueLoadState,
  type QueueSyncOptions,
  type Row,
  type ServerFilters,
} from '../../src/renderer/src/store/queue-sync.js';
import { startHarness, USERS, type Harness } from '../support/harness.js';

let h: Harness;
let host: SessionHost;
let dataDir: string;
let call: (q: CasesQuery) => Promise<Result<CaseListItem[]>>;
/** Arranging (and the reference reads of the "during the load" test) as the DBA. */
const db = { query: <R extends QueryResultRow = any>(sql: string, params?: unknown[]) => h.inst.dba<R>(sql, params) };
const FILTERS: ServerFilters = { status: ['awaiting_review'] };
let seq = 0;

/** A case created (and last changed) `ageSeconds` ago. */
async function addCase(o: { priority?: 'urgent' | 'normal'; status?: string; level?: number; ageSeconds?: number } = {}) {
  const id = randomUUID();
  const n = ++seq;
  await db.query(
    `INSERT INTO cases (id, content_id, author_id, text, priority, submitted_at, status, level, review_kind, version, created_at, updated_at)
     VALUES ($1, $2, 'author-x', 'some text', $3, now(), $4, $5, 'initial', 2, now() - make_interval(secs => $6), now() - make_interval(secs => $6))`,
    [id, `sync-${n}`, o.priority ?? 'normal', o.status ?? 'awaiting_review', o.level ?? 1, o.ageSeconds ?? 0],
  );
  return id;
}
const decide = (id: string) => db.query(`UPDATE cases SET status = 'actioned', version = version + 1, updated_at = now() WHERE id = $1`, [id]);
const claim = (id: string, by: string) =>
  db.query(`UPDATE cases SET claimed_by = $2, claim_until = now() + interval '15 minutes', updated_at = now() WHERE id = $1`, [id, by]);

/** The loaded rows must equal what a full read returns now (order, and every field but the answer-only ones). */
async function expectSameAsFullRead(rows: Row[], q: ServerFilters = FILTERS, cap = 100_000) {
  const r = await call({ ...q, limit: cap });
  if (!r.ok) throw new Error(r.error.message);
  expect(rows).toEqual(r.value);
}

function loader(over: Partial<QueueSyncOptions> = {}) {
  const states: QueueLoadState[] = [];
  const sync = createQueueSync({ call: (q) => call(q), filters: () => FILTERS, publish: (s) => states.push(s), firstPage: 10, page: 7, ...over });
  const last = () => states[states.length - 1]!;
  return { sync, states, last };
}

beforeAll(async () => {
  h = await startHarness({ worker: false });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-queue-sync-'));
  // A seat without the outbox: cases:list goes straight to the signed-in person's session.
  host = createSessionHost({ core: h.core, logger: silentLogger, dataDir, outbox: false });
  const mod1 = h.people[USERS.mod1]!;
  await host.signIn({ login: mod1.login, password: mod1.password });
  const ctx = { host, shell: 'devhost' as const };
  const d = createDispatcher();
  const session = await d.dispatch('session:get', {}, ctx);
  expect(session).toMatchObject({ ok: true, value: { user: { id: USERS.mod1 }, signIn: { login: mod1.login }, outbox: false } });
  call = (q) => d.dispatch('cases:list', q, ctx) as Promise<Result<CaseListItem[]>>;
});
beforeEach(async () => {
  await db.query('DELETE FROM cases');
  for (let i = 0; i < 50; i++) await addCase({ priority: i % 9 === 0 ? 'urgent' : 'normal', level: i % 4 === 0 ? 2 : 1, ageSeconds: 1000 - i });
  for (let i = 0; i < 8; i++) await addCase({ status: 'auto_resolved', ageSeconds: 900 - i });
});
afterAll(async () => {
  await host?.stop();
  await h?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('queue loader on real PostgreSQL', () => {
  it('shows the first page at once, then loads the rest page by page, saying so until done', async () => {
    const { sync, states, last } = loader();
    await sync.reload();
    const firstShown = states.find((s) => s.rows.length > 0)!;
    expect(firstShown.rows).toHaveLength(10);
    expect(firstShown.loadingMore).toBe(true);
    expect(states.filter((s) => s.rows.length > 0).map((s) => s.rows.length)).toEqual([10, 17, 24, 31, 38, 45, 50]);
    expect(last()).toMatchObject({ loading: false, loadingMore: false, truncated: false });
    await expectSameAsFullRead(last().rows);
    expect(sync.stats).toMatchObject({ first: 1, more: 6, changes: 0 });
  });

  it('merges what changed instead of reading the list again: decided cases leave, new ones appear, claims show', async () => {
    const { sync, last } = loader();
    await sync.reload();
    const loaded = last().rows;
    const received = sync.stats.rowsReceived;
    await decide(loaded[0]!.id); // an urgent one at the top
    await decide(loaded[30]!.id);
    await claim(loaded[5]!.id, 'mod-2');
    await db.query(`UPDATE cases SET level = 2, version = version + 1, updated_at = now() WHERE id = $1`, [loaded[12]!.id]);
    const urgentNew = await addCase({ priority: 'urgent' });
    const normalNew = await addCase();
    await addCase({ status: 'auto_resolved' }); // changed, but never in this view

    await sync.changed();
    const rows = last().rows;
    await expectSameAsFullRead(rows);
    expect(rows.map((r) => r.id)).not.toContain(loaded[0]!.id);
    expect(rows.map((r) => r.id)).toEqual(expect.arrayContaining([urgentNew, normalNew]));
    expect(rows.find((r) => r.id === loaded[5]!.id)?.claimedBy).toBe('mod-2');
    expect(sync.stats).toMatchObject({ first: 1, changes: 1 });
    // Only the changed cases crossed the wire (plus at most a re-read of the watermark's millisecond).
    expect(sync.stats.rowsReceived - received).toBeLessThan(15);
    // Unchanged rows keep their identity (nothing for React to re-render).
    expect(rows.find((r) => r.id === loaded[40]!.id)).toBe(loaded[40]);

    // Nothing changed: the same array, no publish needed.
    const before = last().rows;
    await sync.changed();
    expect(last().rows).toBe(before);
  });

  it('changes during the paged load: nothing lost, nothing twice', async () => {
    let pages = 0;
    let sync!: ReturnType<typeof loader>['sync'];
    const late: string[] = [];
    const l = loader({
      call: async (q) => {
        const r = await call(q);
        if (q.after && ++pages === 2) {
          // Between pages: a case on the loaded part is decided, one not loaded yet is decided, new ones come.
          const { rows } = await db.query<{ id: string }>(
            `SELECT id FROM cases c WHERE status = 'awaiting_review' ORDER BY ${QUEUE_ORDER_SQL}`,
          );
          await decide(rows[3]!.id);
          await decide(rows[40]!.id);
          late.push(await addCase({ priority: 'urgent' }), await addCase());
          void sync.changed();
        }
        return r;
      },
    });
    sync = l.sync;
    await sync.reload();
    await sync.idle();
    const rows = l.last().rows;
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    expect(rows.map((r) => r.id)).toEqual(expect.arrayContaining(late));
    await expectSameAsFullRead(rows);
    expect(sync.stats.changes).toBe(1);
    expect(l.last().loadingMore).toBe(false);
  });

  it('at the row cap: says so, and keeps to the loaded part of the order', async () => {
    const { sync, last } = loader({ cap: 20 });
    await sync.reload();
    expect(last()).toMatchObject({ truncated: true, loadingMore: false });
    expect(last().rows).toHaveLength(20);
    const urgentNew = await addCase({ priority: 'urgent' }); // before the last loaded row: shown
    const normalNew = await addCase(); // after it: not loaded (it would leave a gap)
    await sync.changed();
    const ids = last().rows.map((r) => r.id);
    expect(ids).toContain(urgentNew);
    expect(ids).not.toContain(normalNew);
    expect(last().rows).toEqual(
      await call({ ...FILTERS, limit: 1000 }).then((r) => (r.ok ? r.value.slice(0, 21) : [])),
    );
  });

  it('more changes than one answer holds: reads the list again from the first page', async () => {
    const { sync, last } = loader({ changesLimit: 5 });
    await sync.reload();
    for (const r of last().rows.slice(0, 6)) await decide(r.id);
    await sync.changed();
    expect(sync.stats).toMatchObject({ first: 2, changes: 1 });
    await expectSameAsFullRead(last().rows);
  });

  it('an empty view has no watermark: a change reads its first page again, without a "refreshing" flicker', async () => {
    const { sync, states, last } = loader({ filters: () => ({ status: ['failed'] }) });
    await sync.reload();
    expect(last()).toMatchObject({ rows: [], loading: false, loadingMore: false });
    const seen = states.length;
    const id = await addCase({ status: 'failed' });
    await sync.changed();
    expect(last().rows.map((r) => r.id)).toEqual([id]);
    expect(states.slice(seen).some((s) => s.loading)).toBe(false);
    expect(sync.stats).toMatchObject({ first: 2, changes: 0 });
  });

  it('a filter change mid-load drops the answers of the old filters', async () => {
    let filters: ServerFilters = FILTERS;
    const { sync, last } = loader({ filters: () => filters });
    const loading = sync.reload();
    filters = { status: ['awaiting_review'], level: 2 };
    void sync.reload();
    await loading;
    await sync.idle();
    await expectSameAsFullRead(last().rows, filters);
    expect(last().rows.every((r) => r.level === 2)).toBe(true);
  });
});

describe('merge rules', () => {
  const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 10, 0, s)).toISOString();
  const row = (n: number, over: Partial<Row> = {}): Row => ({
    id: `00000000-0000-4000-8000-0000000000${String(n).padStart(2, '0')}`,
    contentId: `c${n}`,
    authorId: 'a',
    status: 'awaiting_review',
    level: 1,
    reviewKind: 'initial',
    version: 2,
    severity: 'high',
    violationType: 'hate',
    verdict: 'review',
    priority: 'normal',
    claimedBy: null,
    claimUntil: null,
    textPreview: 'x',
    createdAt: t(n),
    updatedAt: t(n),
    slaDueAt: null,
    escalationRequest: null,
    ...over,
  });
  const change = (r: Row, matches = true): CaseListItem => ({ ...r, matches, watermark: t(59) });
  const rows = [row(1, { priority: 'urgent' }), row(2), row(3), row(4)];

  it('ignores an older state than the loaded one, applies a claim (same version, later update)', () => {
    expect(mergeChanges(rows, [change({ ...rows[1]!, version: 1, status: 'actioned' }, false)], null)).toBe(rows);
    const claimed = mergeChanges(rows, [change({ ...rows[1]!, claimedBy: 'mod-2', updatedAt: t(30) })], null);
    expect(claimed[1]!.claimedBy).toBe('mod-2');
    expect(claimed[1]).not.toHaveProperty('matches');
    expect(claimed[0]).toBe(rows[0]);
  });

  it('drops rows that no longer match; inserts new ones in the review order, not beyond the loaded part', () => {
    const urgent = row(9, { priority: 'urgent' });
    const early = row(0);
    const late = row(20);
    const merged = mergeChanges(rows, [change({ ...rows[2]!, version: 3 }, false), change(urgent), change(early), change(late)], rows[3]!);
    expect(merged.map((r) => r.contentId)).toEqual(['c1', 'c9', 'c0', 'c2', 'c4']);
    // Same millisecond as the boundary: cannot tell the order here, so it is kept (the next page dedupes).
    const sameMs = row(30, { createdAt: rows[3]!.createdAt });
    expect(mergeChanges(rows, [change(sameMs)], rows[3]!).map((r) => r.contentId)).toContain('c30');
  });

  it('appendPage keeps the newer state of a row a merge already inserted, and the order', () => {
    const inserted = row(5, { version: 3 });
    const page = appendPage([...rows, inserted], [change(row(5)), change(row(6))]);
    expect(page.map((r) => r.contentId)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'c6']);
    expect(page[4]!.version).toBe(3);
    expect([...page].sort(reviewOrder)).toEqual(page);
  });

  it('orders by urgency, then severity, then SLA deadline (none last), then age', () => {
    const list = [
      row(1, { severity: 'medium', slaDueAt: t(10) }),
      row(2, { severity: 'critical', slaDueAt: null }),
      row(3, { severity: null }),
      row(4, { severity: 'critical', slaDueAt: t(50) }),
      row(5, { priority: 'urgent', severity: 'low' }),
      row(6, { severity: 'medium', slaDueAt: t(5) }),
      row(7, { severity: 'none' }),
      row(8, { severity: 'high' }),
    ];
    expect([...list].sort(reviewOrder).map((r) => r.contentId)).toEqual(['c5', 'c4', 'c2', 'c8', 'c6', 'c1', 'c3', 'c7']);
  });

  it('moves a row whose severity or deadline changed to its new place, or leaves it to the next page', () => {
    // c2..c4 are high; c2 is analysed again as low: it moves after c4.
    const merged = mergeChanges(rows, [change({ ...rows[1]!, severity: 'low', version: 3 })], null);
    expect(merged.map((r) => r.contentId)).toEqual(['c1', 'c3', 'c4', 'c2']);
    expect([...merged].sort(reviewOrder)).toEqual(merged);
    // The same with the list loaded only up to c3: c2 now lies beyond it (the next page brings it).
    const partial = mergeChanges(rows.slice(0, 3), [change({ ...rows[1]!, severity: 'low', version: 3 })], rows[2]!);
    expect(partial.map((r) => r.contentId)).toEqual(['c1', 'c3']);
    // A critical one moves up, right after the urgent row.
    const up = mergeChanges(rows, [change({ ...rows[3]!, severity: 'critical', slaDueAt: t(40), version: 3 })], rows[3]!);
    expect(up.map((r) => r.contentId)).toEqual(['c1', 'c4', 'c2', 'c3']);
    // appendPage re-sorts when a row it replaces has a new key.
    const page = appendPage(rows, [change({ ...rows[1]!, severity: 'critical', version: 3 }), change(row(6))]);
    expect(page.map((r) => r.contentId)).toEqual(['c1', 'c2', 'c3', 'c4', 'c6']);
    expect(page[1]!.severity).toBe('critical');
  });
});
