// Reason templates (issue 14): the case's category first; placeholders filled from the case.
import { describe, expect, it } from 'vitest';
import { fillTemplate, orderTemplates } from '../../src/shared/reason-templates.js';
import type { ReasonTemplate } from '../../src/shared/contract.js';

const t = (id: number, scope: 'own' | 'team', category: ReasonTemplate['category']): ReasonTemplate => ({
  id, scope, title: `t${id}`, body: 'b', category, createdBy: 'sup-1', updatedAt: '2026-01-01T00:00:00Z',
});

describe('reason templates', () => {
  it("offers the case's policy category first, keeping the database's order otherwise", () => {
    const list = [t(1, 'team', 'spam'), t(2, 'team', 'violence'), t(3, 'own', null), t(4, 'own', 'violence')];
    expect(orderTemplates(list, 'violence').map((x) => x.id)).toEqual([2, 4, 1, 3]);
    expect(orderTemplates(list, null).map((x) => x.id)).toEqual([1, 2, 3, 4]);
  });

  it('fills the placeholders from the case and leaves others alone', () => {
    const body = 'Removed for {category} ({policy}): post {content} by {author}. {unknown}';
    expect(fillTemplate(body, { category: 'self_harm', authorId: 'user-9', contentId: 'post-1', policyIds: ['self_harm', 'violence'] })).toBe(
      'Removed for self harm (self harm, violence): post post-1 by user-9. {unknown}',
    );
    expect(fillTemplate('{category}/{policy}', { category: 'ok', authorId: 'a', contentId: 'c' })).toBe('policy/policy');
  });
});
