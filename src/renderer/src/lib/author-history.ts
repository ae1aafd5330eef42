// The author's history, one key away (issue 14, `h` in a case): what this author's other cases came to,
// in one line a moderator reads before deciding. Pure (unit-tested under Node).
import type { CaseSummary } from '../../../shared/domain.js';

export type HistoryCase = Pick<CaseSummary, 'id' | 'status' | 'violationType'>;

export interface AuthorHistory {
  total: number;
  /** The case read holds this many at most (the dispatcher's byAuthor limit): there may be more. */
  capped: boolean;
  /** Statuses, most frequent first (ties in the order the statuses are listed in STATUS_ORDER). */
  byStatus: Array<{ status: CaseSummary['status']; n: number }>;
  /** Violations found (not 'ok'), most frequent first, then by name. */
  violations: Array<{ label: string; n: number }>;
}

// Outcomes first, then what is still open.
const STATUS_ORDER: ReadonlyArray<CaseSummary['status']> = ['actioned', 'closed', 'auto_resolved', 'awaiting_review', 'reversing', 'executing', 'analyzing', 'failed'];

export function summariseAuthorHistory(cases: readonly HistoryCase[], cap = 49): AuthorHistory {
  const statuses = new Map<CaseSummary['status'], number>();
  const violations = new Map<string, number>();
  for (const c of cases) {
    statuses.set(c.status, (statuses.get(c.status) ?? 0) + 1);
    if (c.violationType && c.violationType !== 'ok') violations.set(c.violationType, (violations.get(c.violationType) ?? 0) + 1);
  }
  const rank = (s: CaseSummary['status']) => {
    const i = STATUS_ORDER.indexOf(s);
    return i < 0 ? STATUS_ORDER.length : i;
  };
  return {
    total: cases.length,
    capped: cases.length >= cap,
    byStatus: [...statuses].map(([status, n]) => ({ status, n })).sort((a, b) => b.n - a.n || rank(a.status) - rank(b.status)),
    violations: [...violations].map(([label, n]) => ({ label, n })).sort((a, b) => b.n - a.n || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0)),
  };
}

const words = (s: string) => s.replace(/_/g, ' ');

/** "3 other cases · 2 actioned · 1 awaiting review — found: spam ×2" (or "No other cases from this author"). */
export function historyLine(h: AuthorHistory): string {
  if (h.total === 0) return 'No other cases from this author';
  const head = `${h.capped ? 'at least ' : ''}${h.total} other case${h.total === 1 ? '' : 's'}`;
  const parts = [head, ...h.byStatus.map((s) => `${s.n} ${words(s.status)}`)].join(' · ');
  return h.violations.length ? `${parts} — found: ${h.violations.map((v) => `${words(v.label)} ×${v.n}`).join(', ')}` : parts;
}
