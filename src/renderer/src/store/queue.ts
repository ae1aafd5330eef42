import { create } from 'zustand';
import { SEVERITY_RANK, type CaseStatus, type CaseSummary, type ContractError, type Label, type Severity } from '../lib/contract-types';
import { api } from '../lib/api';

export type SortKey = 'priority' | 'waiting' | 'severity';

export interface QueueFilters {
  status: CaseStatus | 'all';
  level: 0 | 1 | 2;
  severity: Severity | 'any';
  violationType: Label | 'any';
  priority: 'any' | 'urgent' | 'normal';
  claimedBy: string;
  minAgeMinutes: number;
  search: string;
}

export const DEFAULT_FILTERS: QueueFilters = {
  status: 'awaiting_review',
  level: 0,
  severity: 'any',
  violationType: 'any',
  priority: 'any',
  claimedBy: '',
  minAgeMinutes: 0,
  search: '',
};

interface QueueSlice {
  cases: CaseSummary[];
  filters: QueueFilters;
  sort: SortKey;
  selectedId?: string;
  loading: boolean;
  error?: ContractError;
  /** Set when the rows came from the workstation's local cache (database unreachable): when they were synced. */
  stale?: { syncedAt: string | null };
  setFilters(f: Partial<QueueFilters>): void;
  setSort(s: SortKey): void;
  select(id: string | undefined): void;
  refresh(): Promise<void>;
}

let inflight = 0;
let refreshing: Promise<void> | undefined;
let again = false;
/** Rows loaded at once; the list is virtualised, so this bounds memory and transfer, not rendering. */
export const QUEUE_LIMIT = 20_000;

export const useQueue = create<QueueSlice>((set, get) => ({
  cases: [],
  filters: DEFAULT_FILTERS,
  sort: 'priority',
  loading: false,
  setFilters(f) {
    set({ filters: { ...get().filters, ...f } });
    void get().refresh();
  },
  setSort: (sort) => set({ sort }),
  select: (selectedId) => set({ selectedId }),
  async refresh() {
    // Single flight with one trailing refresh: a burst of queue:changed events (every 150 ms under
    // ingest load) must not stack up full-list requests that the core computes and the page discards
    // (BENCHMARKS.md, part 4).
    if (refreshing) {
      again = true;
      return refreshing;
    }
    refreshing = (async () => {
      do {
        again = false;
        const f = get().filters;
        const ticket = ++inflight;
        set({ loading: true });
        // Server-side: status, level, search, claimed by. Client-side: the rest (cheap on the loaded page).
        const r = await api.call('cases:list', {
          status: f.status === 'all' ? undefined : [f.status],
          level: f.level || undefined,
          search: f.search.trim() || undefined,
          claimedBy: f.claimedBy.trim() || undefined,
          limit: QUEUE_LIMIT,
        });
        if (ticket !== inflight) continue; // a newer refresh superseded this one
        if (r.ok) {
          const cached = r.value.find((c) => c.stale);
          set({ cases: r.value, loading: false, error: undefined, stale: cached ? { syncedAt: cached.syncedAt ?? null } : undefined });
        }
        else set({ loading: false, error: r.error });
      } while (again);
    })();
    try {
      await refreshing;
    } finally {
      refreshing = undefined;
    }
  },
}));

const PRIORITY_RANK = { urgent: 1, normal: 0 } as const;

/** Client-side filters and sort over the loaded cases. */
export function visibleCases(cases: CaseSummary[], f: QueueFilters, sort: SortKey, now = Date.now()): CaseSummary[] {
  const out = cases.filter(
    (c) =>
      (f.severity === 'any' || c.severity === f.severity) &&
      (f.violationType === 'any' || c.violationType === f.violationType) &&
      (f.priority === 'any' || c.priority === f.priority) &&
      (f.minAgeMinutes === 0 || now - new Date(c.createdAt).getTime() >= f.minAgeMinutes * 60_000),
  );
  const waiting = (a: CaseSummary, b: CaseSummary) => a.createdAt.localeCompare(b.createdAt);
  const sev = (c: CaseSummary) => (c.severity ? SEVERITY_RANK[c.severity] : -1);
  out.sort((a, b) => {
    if (sort === 'severity') return sev(b) - sev(a) || waiting(a, b);
    if (sort === 'waiting') return waiting(a, b);
    return PRIORITY_RANK[b.priority] - PRIORITY_RANK[a.priority] || b.level - a.level || waiting(a, b);
  });
  return out;
}
