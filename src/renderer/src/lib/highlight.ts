import type { KeyPhrase } from '../../../shared/domain.js';

export interface TextPart {
  text: string;
  /** The categories of the key phrases this part is (one mark for overlapping phrases). */
  categories?: string[];
}

/**
 * Splits content into plain and highlighted parts by its key phrases' offsets. Overlapping or touching
 * phrases become one highlight (so "I will shoot them" and "shoot them all" mark "I will shoot them all",
 * not just the first); empty or out-of-range phrases are ignored.
 */
export function highlightParts(text: string, phrases: readonly KeyPhrase[]): TextPart[] {
  const spans = phrases
    .filter((p) => p.start >= 0 && p.start < p.end && p.end <= text.length)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Array<{ start: number; end: number; categories: Set<string> }> = [];
  for (const p of spans) {
    const last = merged[merged.length - 1];
    if (last && p.start <= last.end) {
      last.end = Math.max(last.end, p.end);
      if (p.category) last.categories.add(p.category);
    } else merged.push({ start: p.start, end: p.end, categories: new Set(p.category ? [p.category] : []) });
  }
  const parts: TextPart[] = [];
  let at = 0;
  for (const m of merged) {
    if (m.start > at) parts.push({ text: text.slice(at, m.start) });
    parts.push({ text: text.slice(m.start, m.end), categories: [...m.categories] });
    at = m.end;
  }
  if (at < text.length) parts.push({ text: text.slice(at) });
  return parts;
}
