// The dispatcher's read path through the workstation (DESIGN §9): live reads are cached; with the database
// unreachable, cases:list and case:get answer from the local cache with `stale` + `syncedAt`, apply the
// query to the cached rows, and a decision is answered "pending" at once (saved in the outbox).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CoreApi } from '../../src/core/api.js';
import { silentLogger } from '../../src/core/log.js';
import { openLocalStore } from '../../src/core/offline/local-store.js';
import { createWorkstation } from '../../src/core/offline/workstation.js';
import { cachedQuery } from '../../src/core/offline/cached-query.js';
import { createDispatcher } from '../../src/main/ipc/dispatcher.js';
import { commands, type CaseListItem, type Result } from '../../src/shared/contract.js';
import { createQueueSync, type QueueLoadState } from '../../src/renderer/src/store/queue-sync.js';
import type { CaseDetail, CaseSummary } from '../../src/shared/domain.js';
import { fakeHost, MOD1 } from './fake-host.js';

const at = (m: number) => new Date(Date.UTC(2026, 0, 1, 10, m)).toISOString();
const summary = (n: number, over: Partial<CaseSummary> = {}): CaseSummary => ({
  id: `00000000-0000-4000-8000-00000000000${n}`,
  contentId: `c${n}`,
  authorId: n % 2 ? 'author-odd' : 'author-even',
  status: 'awaiting_review',
  level: 1,
  reviewKind: 'initial',
  version: 2,
  severity: 'high',
  violationType: 'violence',
  verdict: 'review',
  priority: 'normal',
  claimedBy: null,
  claimUntil: null,
  textPreview: `text ${n}`,
  createdAt: at(n),
  updatedAt: at(n),
  slaDueAt: null,
  escalationRequest: null,
  ...over,
});
const detail = (s: CaseSummary): CaseDetail =>
  ({ ...s, text: s.textPreview, url: null, reportedBy: null, reportReason: null, analysis: null, lastDecision: null, actions: [], timeline: [], excludedDeciders: [], failureReason: null, allowedDecisions: ['approve', 'remove'] }) as unknown as CaseDetail;

const all = [summary(1), summary(2), summary(3, { priority: 'urgent' }), summary(4, { status: 'actioned' })];

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'gw-reads-'));
  const store = openLocalStore(dir);
  const state = { database: 'up' as 'up' | 'down' };
  const unreachable = () => Promise.reject(Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }));
  const core = {
    mode: 'connected',
    connection: () => ({ database: state.database, broker: 'up' }),
    listCases: async (q: { authorId?: string; status?: string[]; withWatermark?: boolean } = {}) =>
      state.database === 'up'
        ? all
            .filter((c) => (!q.authorId || c.authorId === q.authorId) && (!q.status || q.status.includes(c.status)))
            .map((c) => (q.withWatermark ? { ...c, watermark: at(59) } : c))
        : unreachable(),
    getCase: async (id: string) => (state.database === 'up' ? detail(all.find((c) => c.id === id)!) : unreachable()),
    execute: unreachable,
    commandStatus: async () => undefined,
    audit: async () => [],
    moderators: async () => [],
    whoami: async () => ({ id: MOD1.id, displayName: MOD1.displayName, role: MOD1.role, login: 'guardian.mod-1', mode: 'connected' }),
    onEvent: () => () => {},
  } as unknown as CoreApi;
  const ws = createWorkstation({ core, store, user: 'mod-1', logger: silentLogger });
  // mod-1 is signed in at this seat, with the local outbox and cache.
  const ctx = { host: fakeHost({ signedIn: { api: core, user: MOD1, workstation: ws } }), shell: 'devhost' as const };
  const d = createDispatcher();
  return {
    d,
    ctx,
    state,
    close() {
      ws.stop();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe('reads through the workstation', () => {
  it('online: live rows without a stale mark, cached for later; the case view says it is fresh', async () => {
    const s = setup();
    cleanup = s.close;
    const list = await s.d.dispatch('cases:list', { status: ['awaiting_review'] }, s.ctx);
    expect(list).toMatchObject({ ok: true });
    const rows = (list as { value: Array<Record<string, unknown>> }).value;
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => !('stale' in r))).toBe(true);
    const view = await s.d.dispatch('case:get', { caseId: all[0]!.id }, s.ctx);
    expect(view).toMatchObject({ ok: true, value: { id: all[0]!.id, stale: false, authorCases: [{ id: all[2]!.id }] } });
    expect(commands['case:get'].output.safeParse((view as { value: unknown }).value).success).toBe(true);
  });

  it('offline: the cached queue and case, marked stale with the sync time, filtered like the live query; a decision is pending at once', async () => {
    const s = setup();
    cleanup = s.close;
    await s.d.dispatch('cases:list', { status: ['awaiting_review', 'actioned'] }, s.ctx);
    await s.d.dispatch('case:get', { caseId: all[0]!.id }, s.ctx);
    s.state.database = 'down';

    const list = await s.d.dispatch('cases:list', { status: ['awaiting_review'], search: 'TEXT' }, s.ctx);
    expect(list.ok).toBe(true);
    const rows = (list as { value: Array<CaseSummary & { stale?: boolean; syncedAt?: string | null }> }).value;
    expect(rows.map((r) => r.contentId)).toEqual(['c3', 'c1', 'c2']); // urgent first, then oldest
    expect(rows.every((r) => r.stale === true && typeof r.syncedAt === 'string')).toBe(true);
    expect(commands['cases:list'].output.safeParse(rows).success).toBe(true);

    const view = await s.d.dispatch('case:get', { caseId: all[0]!.id }, s.ctx);
    expect(view).toMatchObject({ ok: true, value: { id: all[0]!.id, stale: true, syncedAt: expect.any(String) } });
    // The author's other cases come from the cache too, that author's only.
    expect((view as { value: { authorCases: CaseSummary[] } }).value.authorCases.map((c) => c.contentId)).toEqual(['c3']);
    // Not cached: an error, not an empty case.
    expect(await s.d.dispatch('case:get', { caseId: all[1]!.id }, s.ctx)).toMatchObject({ ok: false });

    const decided = await s.d.dispatch('case:decide', { caseId: all[0]!.id, commandId: 'cmd-offline-1', decision: 'remove', reason: 'a threat', expectedVersion: 2 }, s.ctx);
    expect(decided).toMatchObject({ ok: true, value: { commandId: 'cmd-offline-1', status: 'pending' } });
  });

  it('offline: a page or a changes request gets the cached list from its start, without live-only fields; the queue loader shows it whole', async () => {
    const s = setup();
    cleanup = s.close;
    // Live rows with a watermark end up in the cache as they came.
    const live = await s.d.dispatch('cases:list', { status: ['awaiting_review'], withWatermark: true }, s.ctx);
    expect((live as { value: Array<{ watermark?: string }> }).value.every((r) => r.watermark === at(59))).toBe(true);
    s.state.database = 'down';

    for (const q of [{ after: { priority: 'normal' as const, createdAt: all[0]!.createdAt, id: all[0]!.id } }, { updatedSince: at(0) }]) {
      const list = await s.d.dispatch('cases:list', { status: ['awaiting_review'], ...q }, s.ctx);
      const rows = (list as { value: Array<Record<string, unknown>> }).value;
      expect(rows.map((r) => r.contentId)).toEqual(['c3', 'c1', 'c2']);
      expect(rows.every((r) => r.stale === true && !('watermark' in r) && !('matches' in r))).toBe(true);
    }

    const states: QueueLoadState[] = [];
    const sync = createQueueSync({
      call: (q) => s.d.dispatch('cases:list', q, s.ctx) as Promise<Result<CaseListItem[]>>,
      filters: () => ({ status: ['awaiting_review'] }),
      publish: (st) => states.push(st),
      firstPage: 2,
    });
    await sync.reload();
    await sync.changed(); // no watermark from the cache: the first page again, still cached
    const last = states[states.length - 1]!;
    expect(last.rows.map((r) => r.contentId)).toEqual(['c3', 'c1', 'c2']);
    expect(last).toMatchObject({ stale: { syncedAt: expect.any(String) }, loadingMore: false, loading: false });
    expect(sync.stats.changes).toBe(0);
  });

  it('cachedQuery applies the live query: author, claim, search, order, offset and limit', () => {
    const now = Date.parse(at(30));
    const claimed = summary(5, { claimedBy: 'mod-2', claimUntil: at(40) });
    const expired = summary(6, { claimedBy: 'mod-2', claimUntil: at(20) });
    const cases = [...all, claimed, expired];
    expect(cachedQuery(cases, { claimedBy: 'mod-2' }, now).map((c) => c.contentId)).toEqual(['c5']);
    expect(cachedQuery(cases, { authorId: 'author-even', limit: 1, offset: 1 }, now).map((c) => c.contentId)).toEqual(['c4']);
    expect(cachedQuery(cases, { search: 'c6' }, now).map((c) => c.contentId)).toEqual(['c6']);
  });
});
