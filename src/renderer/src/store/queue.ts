import { create } from 'zustand';
import { firstPageAnswered } from '../lib/startup';
import { SEVERITY_RANK, type CaseStatus, type CaseSummary, type ContractError, type Label, type Severity } from '../lib/contract-types';
import { api } from '../lib/api';
import { generation } from './generation';
import { createQueueSync, type Row, type ServerFilters } from './queue-sync';
import { claimActive } from '../../../shared/permissions';
import { queueOrder } from '../../../shared/queue-order';
import { DEFAULT_FILTERS, type QueueFilters, type SortKey } from '../lib/queue-filters';

export { DEFAULT_FILTERS, viewFilters, type QueueFilters, type SortKey } from '../lib/queue-filters';

interface QueueSlice {
  /** The loaded rows, in the review order (urgent first, then oldest). */
  cases: Row[];
  filters: QueueFilters;
  sort: SortKey;
  selectedId?: string;
  /** A (re)load's first page is on its way. */
  loading: boolean;
  /** The first page is shown; the rest of the list is still being loaded, page by page. */
  loadingMore: boolean;
  /** More cases match than the QUEUE_LIMIT loaded. */
  truncated: boolean;
  error?: ContractError;
  /** Set when the rows came from the workstation's local cache (database unreachable): when they were synced. */
  stale?: { syncedAt: string | null };
  setFilters(f: Partial<QueueFilters>): void;
  setSort(s: SortKey): void;
  select(id: string | undefined): void;
  /** Reads the list again from its first page (filters changed, reconnect, a conflict proved it stale). */
  refresh(): Promise<void>;
  /** Something changed on the server (queue:changed, the user's own claim): merge only what changed. */
  sync(): Promise<void>;
  /** Forgets the rows, the filters and the selection (another person signs in here). */
  reset(): void;
}

/** Rows loaded at most; the list is virtualised, so this bounds memory and transfer, not rendering. */
export const QUEUE_LIMIT = 20_000;

const serverFilters = (f: QueueFilters): ServerFilters => ({
  status: f.status === 'all' ? undefined : [f.status],
  level: f.level || undefined,
  search: f.search.trim() || undefined,
  claimedBy: f.claimedBy.trim() || undefined,
});

const SIGNED_OUT = { ok: false as const, error: { code: 'forbidden' as const, message: 'Signed out.' } };

export const useQueue = create<QueueSlice>((set, get) => {
  // One loader per person: a loader of the previous person stops paging (its calls fail) and publishes nothing.
  const newLoader = () => {
    const g = generation();
    return createQueueSync({
      call: (q) => (g === generation() ? api.call('cases:list', q) : Promise.resolve(SIGNED_OUT)),
      filters: () => serverFilters(get().filters),
      publish: (s) => {
        if (!s.loading) firstPageAnswered();
        if (g === generation()) set({ cases: s.rows, loading: s.loading, loadingMore: s.loadingMore, truncated: s.truncated, stale: s.stale, error: s.error });
      },
      cap: QUEUE_LIMIT,
    });
  };
  let loader = newLoader();
  return {
    cases: [],
    filters: DEFAULT_FILTERS,
    sort: 'priority',
    loading: false,
    loadingMore: false,
    truncated: false,
    setFilters(f) {
      const before = get().filters;
      const filters = { ...before, ...f };
      set({ filters });
      // Status, level, search and claimed-by are the server's: read the list again. The other filters
      // (severity, violation, priority, waiting) only re-filter the loaded rows.
      if (JSON.stringify(serverFilters(filters)) !== JSON.stringify(serverFilters(before))) void loader.reload();
    },
    setSort: (sort) => set({ sort }),
    select: (selectedId) => set({ selectedId }),
    refresh: () => loader.reload(),
    sync: () => loader.changed(),
    reset() {
      loader = newLoader();
      set({ cases: [], filters: DEFAULT_FILTERS, sort: 'priority', selectedId: undefined, loading: false, loadingMore: false, truncated: false, error: undefined, stale: undefined });
    },
  };
});

/** Client-side filters and sort over the loaded cases. */
export function visibleCases<T extends CaseSummary>(cases: T[], f: QueueFilters, sort: SortKey, now = Date.now()): T[] {
  const minAgeMs = f.minAgeMinutes * 60_000;
  const out = cases.filter(
    (c) =>
      (f.severity === 'any' || c.severity === f.severity) &&
      (f.violationType === 'any' || c.violationType === f.violationType) &&
      (f.priority === 'any' || c.priority === f.priority) &&
      (f.minAgeMinutes === 0 || now - new Date(c.createdAt).getTime() >= minAgeMs) &&
      // A claim ends by time, not by a change the server would report: the claimed-by view drops it here.
      (!f.claimedBy.trim() || claimActive(c, now)),
  );
  // ISO-8601 UTC timestamps of one format order as strings; plain comparison, no localeCompare (20k rows).
  const waiting = (a: T, b: T) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0);
  const sev = (c: T) => (c.severity ? SEVERITY_RANK[c.severity] : -1);
  // The loaded rows come in the review order (src/shared/queue-order.ts), which "priority" is: sorting
  // rows already in order is one pass.
  out.sort((a, b) => {
    if (sort === 'severity') return sev(b) - sev(a) || waiting(a, b);
    if (sort === 'waiting') return waiting(a, b);
    return queueOrder(a, b);
  });
  return out;
}
