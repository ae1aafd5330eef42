// The queue's filters and sort (store/queue.ts) and a saved view's (issue 14) as the queue's: pure, no
// stores or window (unit-tested under Node).
import type { CaseStatus, Label, Severity } from '../../../shared/domain.js';

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

const SORTS: readonly SortKey[] = ['priority', 'waiting', 'severity'];

/**
 * A saved view's filters and sort as the queue's (issue 14): only the filters this version knows, each of
 * its type, the rest as the defaults — a view saved by a newer or older workstation cannot break the list.
 */
export function viewFilters(saved: Record<string, unknown>, sort: string): { filters: QueueFilters; sort: SortKey } {
  const filters: QueueFilters = { ...DEFAULT_FILTERS };
  for (const k of Object.keys(DEFAULT_FILTERS) as Array<keyof QueueFilters>) {
    const v = saved[k];
    if (typeof v === typeof DEFAULT_FILTERS[k]) (filters as unknown as Record<string, unknown>)[k] = v;
  }
  return { filters, sort: SORTS.includes(sort as SortKey) ? (sort as SortKey) : 'priority' };
}

