import { describe, expect, it } from 'vitest';
import { historyLine, summariseAuthorHistory, type HistoryCase } from '../../src/renderer/src/lib/author-history.js';

const c = (status: HistoryCase['status'], violationType: HistoryCase['violationType'], i = 0): HistoryCase => ({ id: `${status}-${violationType}-${i}`, status, violationType });

describe("the author's history line (issue 14, `h` in a case)", () => {
  it('counts outcomes and what was found, most frequent first', () => {
    const h = summariseAuthorHistory([c('actioned', 'spam', 1), c('awaiting_review', 'harassment'), c('actioned', 'spam', 2), c('auto_resolved', 'ok')]);
    expect(h.total).toBe(4);
    expect(h.byStatus).toEqual([
      { status: 'actioned', n: 2 },
      { status: 'auto_resolved', n: 1 },
      { status: 'awaiting_review', n: 1 },
    ]);
    expect(h.violations).toEqual([
      { label: 'spam', n: 2 },
      { label: 'harassment', n: 1 },
    ]);
    expect(historyLine(h)).toBe('4 other cases · 2 actioned · 1 auto resolved · 1 awaiting review — found: spam ×2, harassment ×1');
  });

  it('says when there is nothing, and when the read may hold only part of it', () => {
    expect(historyLine(summariseAuthorHistory([]))).toBe('No other cases from this author');
    expect(historyLine(summariseAuthorHistory([c('auto_resolved', 'ok')]))).toBe('1 other case · 1 auto resolved');
    const many = Array.from({ length: 49 }, (_, i) => c('actioned', 'spam', i));
    expect(historyLine(summariseAuthorHistory(many))).toMatch(/^at least 49 other cases · 49 actioned — found: spam ×49$/);
  });
});
