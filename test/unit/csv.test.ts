// The one CSV cell encoder every export uses (audit, dashboard, statements of reasons).
import { describe, expect, it } from 'vitest';
import { csvCell, csvLines } from '../../src/shared/csv.js';

describe('csv', () => {
  it('quotes only what needs it, or everything; doubles quotes', () => {
    expect(csvLines([['a', 'b,c', 'say "hi"', 'two\nlines', null, 3, true]])).toBe('a,"b,c","say ""hi""","two\nlines",,3,true');
    expect(csvCell('plain', 'always')).toBe('"plain"');
  });

  it('neutralises text that a spreadsheet would run as a formula, but not numbers', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell(-5)).toBe('-5');
  });
});
