// One CSV cell encoder for every export (audit, dashboard, statements of reasons): RFC 4180 quoting, and
// text beginning with = + - @ (or a tab / CR) prefixed with ' so a spreadsheet shows it rather than running it
// as a formula (OWASP "CSV injection": names, reasons and content are user-supplied). Numbers and booleans are
// written as they are (a negative number is not a formula).

export type CsvValue = string | number | boolean | null | undefined;

/** `quote: 'always'` quotes every cell (the audit export's style); by default only cells that need it. */
export function csvCell(v: CsvValue, quote: 'needed' | 'always' = 'needed'): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return quote === 'always' || /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows (the first usually the header) as CRLF-separated lines, without a trailing line break. */
export const csvLines = (rows: ReadonlyArray<ReadonlyArray<CsvValue>>, quote: 'needed' | 'always' = 'needed'): string =>
  rows.map((r) => r.map((v) => csvCell(v, quote)).join(',')).join('\r\n');
