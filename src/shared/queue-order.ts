// The queue's priority order (issue 14, "Order and time"), the one definition the TypeScript side sorts by:
//   1. rank — urgent 0, then the analysis's severity: critical 1, high 2, medium 3, low 4, none/not analysed 5;
//   2. the SLA deadline, soonest first (a case without one last);
//   3. created_at (oldest first), then id.
// The database sorts by the same key (src/core/store/cases-repo.ts QUEUE_ORDER_SQL, index
// cases_queue_priority_idx of migration 1764000000013); the renderer merges live changes with it.
import type { CaseSummary } from './domain.js';

export type QueueOrderKey = Pick<CaseSummary, 'priority' | 'severity' | 'slaDueAt' | 'createdAt' | 'id'>;

const SEVERITY_ORDER: Record<string, number> = { critical: 1, high: 2, medium: 3, low: 4 };

/** Urgent 0, else by severity (critical 1 … low 4), none or not analysed 5. */
export function queueRank(priority: string, severity: string | null | undefined): number {
  if (priority === 'urgent') return 0;
  return SEVERITY_ORDER[severity ?? ''] ?? 5;
}

// ISO-8601 UTC timestamps of one format order as strings; plain comparison (no localeCompare: 20k rows).
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** Deadlines: soonest first, none last. */
const cmpDue = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : cmp(a, b));

/**
 * The priority order. The API's created_at has millisecond precision and the database's microseconds, so
 * two rows created in the same millisecond may compare differently here than there.
 */
export function queueOrder(a: QueueOrderKey, b: QueueOrderKey): number {
  return (
    queueRank(a.priority, a.severity) - queueRank(b.priority, b.severity) ||
    cmpDue(a.slaDueAt, b.slaDueAt) ||
    cmp(a.createdAt, b.createdAt) ||
    cmp(a.id, b.id)
  );
}

/** The part of the key above created_at: rank and deadline (-1, 0, 1). */
export function queueOrderHead(a: QueueOrderKey, b: QueueOrderKey): number {
  return Math.sign(queueRank(a.priority, a.severity) - queueRank(b.priority, b.severity)) || cmpDue(a.slaDueAt, b.slaDueAt);
}
