// Saved views (issue 14): a view's stored filters become the queue's only as the filters this version knows,
// each of its own type; anything else (a newer workstation's filter, a wrong type, an unknown sort) falls
// back to the defaults, so a team view can never break a colleague's list.
import { describe, expect, it } from 'vitest';
import { DEFAULT_FILTERS, viewFilters } from '../../src/renderer/src/lib/queue-filters.js';

describe('viewFilters', () => {
  it('takes the known filters and the sort', () => {
    expect(viewFilters({ ...DEFAULT_FILTERS, severity: 'critical', level: 2, search: 'gun' }, 'severity')).toEqual({
      filters: { ...DEFAULT_FILTERS, severity: 'critical', level: 2, search: 'gun' },
      sort: 'severity',
    });
  });
  it('ignores unknown keys and wrong types, and an unknown sort is priority', () => {
    const r = viewFilters({ futureFilter: 'x', level: '2', search: 5, status: 'all' }, 'random');
    expect(r).toEqual({ filters: { ...DEFAULT_FILTERS, status: 'all' }, sort: 'priority' });
    expect(r.filters).not.toHaveProperty('futureFilter');
  });
});
