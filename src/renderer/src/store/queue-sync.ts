// How the queue is kept loaded (BENCHMARKS.md part 4, fix 8): a first page shown as soon as it arrives,
// the rest in keyset-paged chunks, and on `queue:changed` only what changed since the last read, merged
// into the loaded rows. A full read again only when the server-side filters change, after a reconnect or
// a conflict (the caller's reload()), or when more changed than one incremental answer holds.
//
// No React, no window.api: the store (queue.ts) gives it the contract call; test/ui drives it against a
// real core and PostgreSQL.
import type { CaseListItem, CasesQuery, ContractError, QueueCursor, Result } from '../../../shared/contract.js';
import { queueOrder, queueOrderHead } from '../../../shared/queue-order.js';

/** The part of the query the server filters on (the rest of the queue's filters are applied client-side). */
export type ServerFilters = Pick<CasesQuery, 'status' | 'level' | 'search' | 'claimedBy'>;

export type Row = Omit<CaseListItem, 'watermark' | 'matches'>;

export interface QueueLoadState {
  /** The loaded rows, in the review order (src/shared/queue-order.ts: urgency, severity, SLA, age). */
  rows: Row[];
  /** A (re)load's first page is on its way. */
  loading: boolean;
  /** More rows are being fetched page by page. */
  loadingMore: boolean;
  /** Loading stopped at the row cap: more rows match than are loaded. */
  truncated: boolean;
  /** The rows came from the workstation's cache (database unreachable): when it was synced. */
  stale?: { syncedAt: string | null };
  error?: ContractError;
}

export interface QueueSyncOptions {
  call(q: CasesQuery): Promise<Result<CaseListItem[]>>;
  filters(): ServerFilters;
  publish(s: QueueLoadState): void;
  /** Rows in the first answer (what the list shows first). */
  firstPage?: number;
  /** Rows per following page. */
  page?: number;
  /** Rows loaded at most (the list is virtualised: this bounds memory and transfer, not rendering). */
  cap?: number;
  /** Rows in one incremental answer; a full answer means "maybe more": read the list again. */
  changesLimit?: number;
}

// ------------------------------------------------------------------ pure parts (unit-tested)

/**
 * The server's review order, the priority order of src/shared/queue-order.ts: urgency, severity, SLA
 * deadline, created_at, id. The API's timestamps have millisecond precision and the database's created_at
 * microseconds, so two rows created in the same millisecond may compare differently here than there;
 * callers that must not lose a row treat "same millisecond" as "not after".
 */
export const reviewOrder: (a: Row, b: Row) => number = queueOrder;

/** True when `r` certainly comes after `boundary` in the server's order (a later rank, deadline or millisecond). */
export function isAfter(r: Row, boundary: Row): boolean {
  const head = queueOrderHead(r, boundary);
  return head > 0 || (head === 0 && r.createdAt > boundary.createdAt);
}

/** Whether a change moves the row in the order (a severity from analysis, a new SLA deadline). */
const keyChanged = (a: Row, b: Row) => a.priority !== b.priority || a.severity !== b.severity || a.slaDueAt !== b.slaDueAt;

export const cursorOf = (r: Row): QueueCursor => ({ priority: r.priority, severity: r.severity, slaDueAt: r.slaDueAt, createdAt: r.createdAt, id: r.id });

/** Strips the answer-only fields, so rows compare and cache as plain summaries. */
export function toRow(c: CaseListItem): Row {
  const { watermark: _w, matches: _m, ...row } = c;
  return row;
}

/** Whether `next` is a state of the case no older than `cur` (version first; claims change only updatedAt). */
export function notOlder(next: Row, cur: Row): boolean {
  return next.version > cur.version || (next.version === cur.version && next.updatedAt >= cur.updatedAt);
}

const SAME_KEYS: Array<keyof Row> = ['status', 'level', 'version', 'updatedAt', 'claimedBy', 'claimUntil', 'severity', 'violationType', 'verdict', 'reviewKind', 'slaDueAt'];
function sameRow(a: Row, b: Row): boolean {
  return SAME_KEYS.every((k) => a[k] === b[k]) && JSON.stringify(a.escalationRequest) === JSON.stringify(b.escalationRequest);
}

/** Index of the first row in `rows` (review order) that comes after `r`. */
function insertionPoint(rows: Row[], r: Row): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (reviewOrder(rows[mid]!, r) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Applies an incremental answer to the loaded rows (in review order). A row still matching the filters is
 * updated in place, or inserted when it is new to the list — unless it lies beyond `boundary`, the last row
 * of a list not fully loaded yet (the next page brings it); a row that no longer matches is dropped. A row
 * whose place in the order changed (severity, SLA deadline) is taken out and put back where it now belongs
 * (or left to the next page when that is beyond the boundary).
 * Answers older than what is loaded are ignored (the same change can be read twice: the watermark keeps a
 * margin). Returns `rows` itself when nothing changed.
 */
export function mergeChanges(rows: Row[], changes: CaseListItem[], boundary: Row | null): Row[] {
  if (changes.length === 0) return rows;
  const at = new Map<string, number>();
  rows.forEach((r, i) => at.set(r.id, i));
  let out: Row[] | undefined;
  const removed = new Set<string>();
  const added: Row[] = [];
  // An answer lists each changed case once.
  for (const ch of changes) {
    const next = toRow(ch);
    const i = at.get(next.id);
    if (i !== undefined) {
      const cur = rows[i]!;
      if (!notOlder(next, cur)) continue;
      if (ch.matches === false) removed.add(next.id);
      else if (keyChanged(next, cur)) {
        removed.add(next.id);
        if (!(boundary && isAfter(next, boundary))) added.push(next);
      } else if (!sameRow(next, cur)) (out ??= rows.slice())[i] = next;
    } else if (ch.matches !== false && !(boundary && isAfter(next, boundary))) added.push(next);
  }
  if (!out && removed.size === 0 && added.length === 0) return rows;
  const merged = removed.size ? (out ?? rows).filter((r) => !removed.has(r.id)) : (out ?? rows.slice());
  for (const r of added.sort(reviewOrder)) merged.splice(insertionPoint(merged, r), 0, r);
  return merged;
}

/** Appends the next page (rows after the boundary); a row already loaded (inserted by a merge) keeps its newest state. */
export function appendPage(rows: Row[], page: CaseListItem[]): Row[] {
  if (page.length === 0) return rows;
  const at = new Map<string, number>();
  rows.forEach((r, i) => at.set(r.id, i));
  const out = rows.slice();
  let sorted = true;
  for (const p of page) {
    const r = toRow(p);
    const i = at.get(r.id);
    if (i !== undefined) {
      if (notOlder(r, out[i]!)) {
        if (keyChanged(r, out[i]!)) sorted = false;
        out[i] = r;
      }
      continue;
    }
    if (out.length && reviewOrder(out[out.length - 1]!, r) > 0) sorted = false;
    at.set(r.id, out.length);
    out.push(r);
  }
  return sorted ? out : out.sort(reviewOrder);
}

// ------------------------------------------------------------------ the loader

export interface QueueSync {
  /** Reads the list again from its first page (filters changed, reconnect, conflict). */
  reload(): Promise<void>;
  /** Something changed on the server (`queue:changed`): read only what changed and merge it. */
  changed(): Promise<void>;
  /** Resolves when nothing is queued or under way (tests, benchmarks). */
  idle(): Promise<void>;
  /** Requests made so far, by kind (tests, benchmarks). */
  readonly stats: { first: number; more: number; changes: number; rowsReceived: number };
}

export function createQueueSync(o: QueueSyncOptions): QueueSync {
  const firstPage = o.firstPage ?? 300;
  const pageSize = o.page ?? 2_500;
  const cap = o.cap ?? 20_000;
  const changesLimit = o.changesLimit ?? 1_000;
  const stats = { first: 0, more: 0, changes: 0, rowsReceived: 0 };

  let state: QueueLoadState = { rows: [], loading: false, loadingMore: false, truncated: false };
  /** Last row of the loaded part of the list; null when every matching row is loaded. */
  let boundary: Row | null = null;
  let watermark: string | undefined;
  let cached = false;
  /** A live first page has been shown. */
  let loaded = false;
  /** Bumped by every reload(): answers to requests made before it are dropped. */
  let epoch = 0;
  let wantReload = false;
  let wantChanges = false;
  /** A page failed: stop paging until something asks again. */
  let paused = false;
  let running: Promise<void> | undefined;

  const more = () => !cached && !paused && boundary !== null && state.rows.length < cap;
  function publish(s: Partial<QueueLoadState>) {
    state = { ...state, ...s };
    state.truncated = boundary !== null && state.rows.length >= cap;
    state.loadingMore = more();
    o.publish(state);
  }

  type Answer = { rows: CaseListItem[] } | { error: ContractError } | { superseded: true };
  async function request(q: CasesQuery, kind: keyof typeof stats): Promise<Answer> {
    const e = epoch;
    stats[kind]++;
    const r = await o.call(q);
    if (e !== epoch) return { superseded: true };
    if (!r.ok) return { error: r.error };
    stats.rowsReceived += r.value.length;
    return { rows: r.value };
  }
  const failed = (error: ContractError) => {
    paused = true;
    publish({ loading: false, error });
  };

  /**
   * An answer from the workstation's cache ignores cursors and watermarks (contract CasesQuery): show the
   * cached list from its start, read whole; live reads resume on the next change or reload.
   */
  async function adoptCached(answer: CaseListItem[], whole: boolean) {
    cached = true;
    watermark = undefined;
    boundary = null;
    let rows = answer;
    if (!whole) {
      const a = await request({ ...o.filters(), limit: cap }, 'first');
      if ('superseded' in a) return;
      if ('error' in a) return failed(a.error);
      rows = a.rows;
    }
    const stale = rows.find((c) => c.stale);
    boundary = rows.length >= cap ? toRow(rows[rows.length - 1]!) : null;
    publish({ rows: rows.map(toRow), loading: false, error: undefined, stale: stale ? { syncedAt: stale.syncedAt ?? null } : undefined });
  }
  const isStale = (rows: CaseListItem[]) => rows.some((c) => c.stale);

  /** `quiet`: a first page read for a change (empty or cached list): no "refreshing" flicker for it. */
  async function loadFirst(quiet = false) {
    if (!quiet) publish({ loading: true });
    const a = await request({ ...o.filters(), limit: firstPage, withWatermark: true }, 'first');
    if ('superseded' in a) return;
    if ('error' in a) return failed(a.error);
    if (isStale(a.rows)) return adoptCached(a.rows, a.rows.length < firstPage);
    cached = false;
    paused = false;
    loaded = true;
    const rows = a.rows.map(toRow);
    watermark = a.rows[0]?.watermark;
    boundary = rows.length === firstPage ? rows[rows.length - 1]! : null;
    publish({ rows, loading: false, error: undefined, stale: undefined });
  }

  async function loadMore() {
    const limit = Math.min(pageSize, cap - state.rows.length);
    const a = await request({ ...o.filters(), limit, after: cursorOf(boundary!) }, 'more');
    if ('superseded' in a) return;
    if ('error' in a) return failed(a.error);
    if (isStale(a.rows)) return adoptCached(a.rows, false);
    const rows = appendPage(state.rows, a.rows);
    boundary = a.rows.length === limit ? toRow(a.rows[a.rows.length - 1]!) : null;
    publish({ rows, error: undefined });
  }

  async function loadChanges() {
    const a = await request({ ...o.filters(), updatedSince: watermark!, limit: changesLimit }, 'changes');
    if ('superseded' in a) return;
    if ('error' in a) return failed(a.error);
    if (isStale(a.rows)) return adoptCached(a.rows, false);
    if (a.rows.length >= changesLimit) {
      // More changed than one answer holds (a long gap, a bulk operation): read the list again.
      wantReload = true;
      return;
    }
    watermark = a.rows[0]?.watermark ?? watermark;
    const rows = mergeChanges(state.rows, a.rows, boundary);
    if (rows !== state.rows || state.error) publish({ rows, error: undefined });
  }

  function pump(): Promise<void> {
    running ??= (async () => {
      try {
        for (;;) {
          if (wantReload) {
            wantReload = false;
            wantChanges = false;
            await loadFirst();
          } else if (wantChanges) {
            wantChanges = false;
            // Without a watermark (an empty first page, cached rows) the first page is the cheap answer.
            await (watermark && !cached ? loadChanges() : loadFirst(loaded));
          } else if (more()) await loadMore();
          else break;
        }
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  return {
    reload() {
      epoch++;
      wantReload = true;
      paused = false;
      return pump();
    },
    changed() {
      wantChanges = true;
      paused = false;
      return pump();
    },
    async idle() {
      while (running) await running;
    },
    stats,
  };
}
