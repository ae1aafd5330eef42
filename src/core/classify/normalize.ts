// Undo the usual obfuscations before sentence analysis (issue 11): l33t digits and symbols inside
// words ("k1ll", "y0u"), letter-by-letter spacing ("k i l l"), and stretched letters ("kiiiill").
// `map[i]` is the index in the original text of `text[i]`, so a span found in the normalised text
// is highlighted at the right place in the original (the UI highlights by offsets).

export interface Normalized {
  text: string;
  /** map[i] = original index of text[i]; map[text.length] = original length. */
  map: number[];
}

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i' };
const isLetter = (c: string | undefined) => !!c && /\p{L}/u.test(c);

/** Spaced-out words: at least three single letters separated by one space, dot or dash ("k i l l"). */
const SPACED = /(?<![\p{L}\p{N}])(?:[\p{L}0-9@$][ .\-_]){2,}[\p{L}0-9@$](?![\p{L}\p{N}])/gu;

export function normalizeForAnalysis(original: string): Normalized {
  // 1. Join spaced-out letters; remember which original chars were separators to drop.
  const drop = new Set<number>();
  for (const m of original.matchAll(SPACED)) {
    const span = m[0];
    // "I have a" or "a b c" lists are not obfuscation: require that joining makes a 3+ letter run.
    if (span.replace(/[ .\-_]/g, '').length < 3) continue;
    for (let i = 1; i < span.length; i += 2) drop.add(m.index + i);
  }
  let text = '';
  const map: number[] = [];
  for (let i = 0; i < original.length; i++) {
    if (drop.has(i)) continue;
    let c = original[i]!;
    // 2. l33t: a digit or symbol with a letter on one side and a letter or word end on the other.
    const sub = LEET[c];
    if (sub) {
      const prev = original[i - 1];
      const next = original[i + 1];
      const prevL = isLetter(prev) || (prev !== undefined && !!LEET[prev] && isLetter(original[i - 2]));
      const nextL = isLetter(next) || (next !== undefined && !!LEET[next] && isLetter(original[i + 2]));
      const digitStart = /[0-9]/.test(c) && !prevL && nextL && /[0-9@$]/.test(original.slice(i + 1).split(/[^\p{L}0-9@$]/u)[0] ?? '');
      const money = c === '$' && /[0-9]/.test(next ?? '');
      const punctuation = c === '!' && !nextL; // "wow!" stays punctuation
      if (((prevL && (nextL || !isLetter(next))) || digitStart) && !money && !punctuation) c = sub;
    }
    // 3. Stretched letters: keep at most two of a run ("kiiiill" -> "kiill"); the lexicon lookup also
    //    tries the single-letter form (frames.ts).
    const lower = c.toLowerCase();
    const n = text.length;
    if (isLetter(c) && n >= 2 && text[n - 1]!.toLowerCase() === lower && text[n - 2]!.toLowerCase() === lower) continue;
    text += c;
    map.push(i);
  }
  map.push(original.length);
  return { text, map };
}

/** The original span of a normalised span [start, end). */
export function toOriginal(n: Normalized, start: number, end: number): { start: number; end: number } {
  const s = n.map[start] ?? n.map[n.map.length - 1]!;
  const e = end > 0 ? (n.map[end - 1] ?? n.map[n.map.length - 2]!) + 1 : s;
  return { start: s, end: Math.max(s, e) };
}
