// Wellbeing rules of the renderer (issue 15): what is blurred, the exposure count, the break suggestion.
import { describe, expect, it } from 'vitest';
import {
  blurLabel,
  blurredCategories,
  breakDue,
  dismissBreak,
  effectiveBreakAfter,
  NO_EXPOSURE,
  noteOpened,
  sensitiveCategoriesOf,
  type Exposure,
} from '../../src/renderer/src/lib/wellbeing.js';

describe('sensitive categories of a case', () => {
  it('takes the violation type and key phrase categories, sensitive ones only, in a fixed order', () => {
    expect(sensitiveCategoriesOf({ violationType: 'violence' })).toEqual(['violence']);
    expect(sensitiveCategoriesOf({ violationType: 'spam' })).toEqual([]);
    expect(sensitiveCategoriesOf({ violationType: null, analysis: null })).toEqual([]);
    expect(
      sensitiveCategoriesOf({
        violationType: 'harassment',
        analysis: { violationType: 'harassment', keyPhrases: [{ category: 'hate' }, { category: 'violence' }, { category: 'personal_data' }, { category: null }, { category: 'hate' }] },
      }),
    ).toEqual(['violence', 'hate']);
  });

  it('blurs only what the person opted out of, and names it', () => {
    expect(blurredCategories(['violence', 'hate'], ['violence'])).toEqual(['violence']);
    expect(blurredCategories(['violence'], [])).toEqual([]);
    expect(blurredCategories([], ['violence', 'hate', 'sexual', 'self_harm'])).toEqual([]);
    expect(blurLabel(['violence'])).toBe('Hidden: violence');
    expect(blurLabel(['violence', 'self_harm', 'sexual'])).toBe('Hidden: violence, self-harm and sexual content');
  });
});

describe('exposure and the break suggestion', () => {
  const open = (e: Exposure, ...ids: string[]) => ids.reduce((x, id) => noteOpened(x, id, ['violence']), e);

  it('counts each sensitive case once per session, and no other case', () => {
    let e = open(NO_EXPOSURE, 'a', 'b', 'a');
    e = noteOpened(e, 'c', []);
    expect(e.opened).toEqual(['a', 'b']);
    expect(noteOpened(e, 'a', ['hate'])).toBe(e);
  });

  it('suggests a break from the configured point, again only as many cases after a dismissal; 0 never', () => {
    let e = open(NO_EXPOSURE, 'a', 'b');
    expect(breakDue(e, 3)).toBe(false);
    e = open(e, 'c');
    expect(breakDue(e, 3)).toBe(true);
    e = dismissBreak(e);
    expect(breakDue(e, 3)).toBe(false);
    e = open(e, 'd', 'e');
    expect(breakDue(e, 3)).toBe(false);
    e = open(e, 'f');
    expect(breakDue(e, 3)).toBe(true);
    expect(breakDue(e, 0)).toBe(false);
  });

  it("takes the person's own break point, else the installation's", () => {
    expect(effectiveBreakAfter({ breakAfter: null, defaultBreakAfter: 25 })).toBe(25);
    expect(effectiveBreakAfter({ breakAfter: 2, defaultBreakAfter: 25 })).toBe(2);
    expect(effectiveBreakAfter({ breakAfter: 0, defaultBreakAfter: 25 })).toBe(0);
  });
});
