import type { OutboxEntry } from '../../../shared/contract.js';
import type { CaseSummary } from '../../../shared/domain.js';

/**
 * What a queue row says about the person's own latest command on its case. A decision that was applied
 * and yet whose case is back in the queue has since been undone or reopened by someone else: saying
 * "applied" there reads as if it still stood (issue 14: a rolled-back case said "your decision: APPLIED").
 */
export function commandNote(mine: OutboxEntry, c: Pick<CaseSummary, 'status' | 'level' | 'reviewKind'>): { what: string; state: string; superseded: boolean } {
  const what = mine.type === 'decide' ? 'decision' : mine.type.replace(/_/g, ' ');
  if (mine.state === 'applied' && mine.type === 'decide' && c.status === 'reversing') return { what, state: 'applied, being reversed', superseded: true };
  if (mine.state === 'applied' && mine.type === 'decide' && c.status === 'awaiting_review' && c.level >= 2) {
    if (c.reviewKind === 'rollback') return { what, state: 'applied, then rolled back', superseded: true };
    if (c.reviewKind === 'appeal') return { what, state: 'applied, now appealed', superseded: true };
  }
  return { what, state: mine.state.replace(/_/g, ' '), superseded: false };
}
