// The case view highlights every key phrase of the analysis (issue 14: only one phrase of "I have a gun …
// kill everyone … I will shoot them" was marked, overlapping ones were dropped).
import { describe, expect, it } from 'vitest';
import { highlightParts } from '../../src/renderer/src/lib/highlight.js';
import { createRulesClassifier } from '../../src/core/classify/rules.js';

const marked = (parts: ReturnType<typeof highlightParts>) => parts.filter((p) => p.categories).map((p) => p.text);

describe('key phrase highlighting', () => {
  it('marks every phrase the rules found in a mass threat, text intact', async () => {
    const text = 'I have a gun and tomorrow I will kill everyone at the school. I will shoot them all.';
    const r = await createRulesClassifier().classify({ caseId: 'c', contentId: 'x', authorId: 'a', text });
    const parts = highlightParts(text, r.keyPhrases);
    expect(parts.map((p) => p.text).join('')).toBe(text);
    expect(marked(parts)).toEqual(expect.arrayContaining(['I have a gun', 'I will shoot them all']));
    expect(marked(parts).some((m) => m.includes('kill everyone'))).toBe(true);
  });

  it('merges overlapping and touching phrases into one mark with both categories; ignores bad offsets', () => {
    const text = 'abcdefghij';
    const parts = highlightParts(text, [
      { text: 'cde', start: 2, end: 5, category: 'violence' },
      { text: 'def', start: 3, end: 6, category: 'harassment' },
      { text: 'fg', start: 6, end: 8 },
      { text: 'x', start: 9, end: 40 },
      { text: '', start: 1, end: 1 },
    ]);
    expect(parts).toEqual([{ text: 'ab' }, { text: 'cdefgh', categories: ['violence', 'harassment'] }, { text: 'ij' }]);
  });
});
