import type { CaseSummary } from '../../shared/domain.js';
import { queueOrder } from '../../shared/queue-order.js';
import type { CaseQuery } from '../api.js';

/**
 * The core's case query (cases-repo listCases) over cached cases: the same filters, order and limit, so a
 * stale queue (or an author's other cases) shows what the live query would have shown at the last sync.
 * Search looks at the cached preview, author and content id (the full text is not cached for every case).
 */
export function cachedQuery(cases: CaseSummary[], q: CaseQuery, now = Date.now()): CaseSummary[] {
  const search = q.search?.toLowerCase();
  const out = cases.filter(
    (c) =>
      (!q.status?.length || q.status.includes(c.status)) &&
      (!q.level || c.level === q.level) &&
      (!q.authorId || c.authorId === q.authorId) &&
      (!q.escalationRequested || !!c.escalationRequest) &&
      (!q.claimedBy || (c.claimedBy === q.claimedBy && !!c.claimUntil && new Date(c.claimUntil).getTime() > now)) &&
      (!search || [c.textPreview, c.authorId, c.contentId].some((f) => f.toLowerCase().includes(search))),
  );
  out.sort(queueOrder);
  const offset = Math.max(q.offset ?? 0, 0);
  return out.slice(offset, offset + Math.min(Math.max(q.limit ?? 100, 1), 100_000));
}
