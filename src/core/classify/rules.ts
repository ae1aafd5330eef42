// Offline rules classifier (DESIGN §8): the policy file's terms and patterns, plus the `obscenity`
// library for word-level profanity (l33t speak, confusable characters, repeated letters, and
// letter-by-letter spacing). Every hit is a key phrase with offsets into the original text.
// The result goes through the same policy guard as the model's, so both adapters obey one rule set.
import {
  DataSet,
  RegExpMatcher,
  englishDataset,
  englishRecommendedBlacklistMatcherTransformers,
  englishRecommendedTransformers,
  parseRawPattern,
  skipNonAlphabeticTransformer,
} from 'obscenity';
import {
  SEVERITY_RANK,
  type AnalysisResult,
  type CategoryId,
  type KeyPhrase,
  type Severity,
} from '../../shared/domain.js';
import type { Classifier, ContentForAnalysis } from './classifier.js';
import type { RoutingContext } from './bands.js';
import { analyzeFrames } from './frames.js';
import { guardAnalysis } from './guard.js';
import { bandsOf, defaultPolicyFile, loadPolicy, type Policy } from './policy.js';
import { analyzeSpam } from './spam.js';

interface Hit {
  category: CategoryId;
  start: number;
  end: number;
  name: string;
  weight: number;
  severity: Severity;
  supportOnly: boolean;
  /** A sentence-level finding (frames.ts, spam.ts): it counts, but never hides a precise hit. */
  sentence?: boolean;
}

interface TermMeta {
  originalWord: string;
  category?: CategoryId;
}

// obscenity collapses repeated letters before matching ("fuuuck" -> "fuck"), except b e o l s g
// which keep two ("l0000ser" -> "looser"). Terms must be written to match that form: letters that
// can be doubled get an optional twin ("loser" -> "lo[o]s[s]e[e]r"). Done for the policy author.
const KEEP_TWO = new Set(['b', 'e', 'o', 'l', 's', 'g']);
function collapseLikeObscenity(term: string): string {
  const lower = term.toLowerCase();
  if (/[[\]?\\]/.test(lower)) return lower; // hand-written pattern syntax: leave it alone
  return lower.replace(/([a-z])\1*/g, (run, c: string) => {
    if (!KEEP_TWO.has(c)) return c;
    return run.length >= 2 ? c + c : `${c}[${c}]`;
  });
}

// Spacing ("f u c k", "i.d.i.o.t") is matched by a second matcher that skips non-letters. That
// transformer is off in obscenity's defaults because it joins words ("this hit" -> "shit"), so its
// hits only count when the span really is single characters separated by spacing.
function looksSpacedOut(span: string): boolean {
  const tokens = span.split(/[^\p{L}\p{N}@$!*]+/u).filter(Boolean);
  return tokens.length >= 3 && tokens.every((t) => [...t].length === 1);
}

function buildMatchers(policy: Policy) {
  const data = new DataSet<TermMeta>();
  if (policy.profanity.dataset === 'english') {
    const ignore = new Set(policy.profanity.ignore);
    data.addAll(englishDataset as unknown as DataSet<TermMeta>);
    data.removePhrasesIf((p) => ignore.has(p.metadata?.originalWord ?? ''));
  }
  for (const [category, cat] of Object.entries(policy.categories) as [CategoryId, Policy['categories'][CategoryId]][]) {
    for (const term of cat.terms) {
      data.addPhrase((p) => p.setMetadata({ originalWord: term, category }).addPattern(parseRawPattern(collapseLikeObscenity(term))));
    }
  }
  const built = data.build();
  const plain = new RegExpMatcher({ ...built, ...englishRecommendedTransformers });
  const spaced = new RegExpMatcher({
    ...built,
    ...englishRecommendedTransformers,
    blacklistMatcherTransformers: [...englishRecommendedBlacklistMatcherTransformers, skipNonAlphabeticTransformer()],
  });
  // Dataset words map to a category through the policy; anything unlisted is the default category.
  const datasetCategory = new Map<string, CategoryId>();
  for (const [category, words] of Object.entries(policy.profanity.categoryOf) as [CategoryId, string[]][]) {
    for (const w of words) datasetCategory.set(w, category);
  }
  return { data, plain, spaced, datasetCategory };
}

function wordHits(text: string, policy: Policy, m: ReturnType<typeof buildMatchers>): Hit[] {
  const hits: Hit[] = [];
  const toHit = (match: { startIndex: number; endIndex: number; termId: number }): Hit => {
    const meta = m.data.getPayloadWithPhraseMetadata(match as never).phraseMetadata;
    const start = match.startIndex;
    const end = match.endIndex + 1; // obscenity's endIndex is inclusive
    if (meta?.category) {
      const cat = policy.categories[meta.category];
      return {
        category: meta.category,
        start,
        end,
        name: `term "${meta.originalWord.replace(/\|/g, '')}"`,
        weight: cat.termWeight,
        severity: cat.termSeverity ?? cat.severity,
        supportOnly: false,
      };
    }
    const word = meta?.originalWord ?? 'profanity';
    const category = m.datasetCategory.get(word) ?? policy.profanity.defaultCategory;
    return {
      category,
      start,
      end,
      name: `profanity "${word}"`,
      weight: policy.profanity.weight,
      // A slur or sexual term is as severe as its category; plain swearing is the dataset's severity.
      severity: category === policy.profanity.defaultCategory ? policy.profanity.severity : policy.categories[category].severity,
      supportOnly: false,
    };
  };
  // obscenity reads "!" as the l33t "i" ("sh!t"); an exclamation mark before a non-letter is
  // punctuation, and reading it as a letter would break word boundaries ("kill you!!").
  // Replaced by a space of the same length so offsets still point into the original text.
  const prepared = text.replace(/!(?=[^\p{L}]|$)/gu, ' ');
  // obscenity collapses runs of a letter, so a term like "xxx" becomes "x" and would match any lone "x"
  // ("<img src=x …>"): a hit must be at least as long as its term, up to three letters.
  const longEnough = (h: Hit, match: { termId: number }) => {
    const word = m.data.getPayloadWithPhraseMetadata(match as never).phraseMetadata?.originalWord ?? '';
    const need = Math.min(3, word.replace(/[^\p{L}\p{N}]/gu, '').length);
    // The match may cover one letter of a run obscenity collapsed: widen it over the run ("xxx").
    let end = h.end;
    while (end < text.length && end > 0 && text[end]!.toLowerCase() === text[end - 1]!.toLowerCase()) end++;
    let start = h.start;
    while (start > 0 && text[start - 1]!.toLowerCase() === text[start]!.toLowerCase()) start--;
    if (end - h.end + (h.start - start) > 0) Object.assign(h, { start, end });
    return text.slice(h.start, h.end).replace(/[^\p{L}\p{N}]/gu, '').length >= need;
  };
  for (const match of m.plain.getAllMatches(prepared, true)) {
    const h = toHit(match);
    if (longEnough(h, match)) hits.push(h);
  }
  for (const match of m.spaced.getAllMatches(prepared, true)) {
    const h = toHit(match);
    if (!looksSpacedOut(text.slice(h.start, h.end)) || !longEnough(h, match)) continue;
    if (hits.some((o) => o.start < h.end && h.start < o.end)) continue;
    hits.push(h);
  }
  return hits;
}

function patternHits(text: string, policy: Policy, compiled: Map<string, RegExp>): Hit[] {
  const hits: Hit[] = [];
  for (const [category, cat] of Object.entries(policy.categories) as [CategoryId, Policy['categories'][CategoryId]][]) {
    for (const rule of cat.patterns) {
      const re = compiled.get(rule.regex)!;
      for (const m of text.matchAll(re)) {
        if (m[0].length === 0) continue;
        // Trim the whitespace/punctuation a pattern may have consumed at its edges.
        const lead = m[0].length - m[0].trimStart().length;
        const trimmed = m[0].trim().replace(/[.,;:!?)]+$/, '');
        if (!trimmed) continue;
        const start = m.index + lead;
        hits.push({
          category,
          start,
          end: start + trimmed.length,
          name: rule.name,
          weight: rule.weight,
          severity: rule.severity ?? cat.severity,
          supportOnly: rule.supportOnly,
        });
      }
    }
  }
  return hits;
}

/** Drop a hit when a longer (or equal, earlier) hit of the same category covers it. */
function dedupe(hits: Hit[]): Hit[] {
  const sorted = [...hits].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Hit[] = [];
  for (const h of sorted) {
    if (out.some((o) => !o.sentence && !h.sentence && o.category === h.category && o.start <= h.start && h.end <= o.end)) continue;
    out.push(h);
  }
  return out;
}

interface Flag {
  category: CategoryId;
  hits: Hit[];
  confidence: number;
  severity: Severity;
}

/** Rank categories: a category needs one non-support hit; confidence = 1 - Π(1 - weight). */
function flagCategories(hits: Hit[], policy: Policy): Flag[] {
  const byCat = new Map<CategoryId, Hit[]>();
  for (const h of hits) byCat.set(h.category, [...(byCat.get(h.category) ?? []), h]);
  const flagged = (c: CategoryId) => (byCat.get(c) ?? []).some((h) => !h.supportOnly);
  // A category that yields (personal data inside spam: the spammer's phone number) supports the other.
  for (const [category, cat] of Object.entries(policy.categories) as [CategoryId, Policy['categories'][CategoryId]][]) {
    const to = cat.yieldsTo.find((t) => t !== category && flagged(t));
    if (!to || !byCat.has(category)) continue;
    byCat.set(to, [...byCat.get(to)!, ...byCat.get(category)!.map((h) => ({ ...h, supportOnly: true, weight: Math.min(h.weight, 0.35), severity: policy.categories[to].severity }))]);
    byCat.delete(category);
  }
  const flags: Flag[] = [];
  for (const [category, list] of byCat) {
    if (!list.some((h) => !h.supportOnly)) continue;
    const miss = list.reduce((p, h) => p * (1 - h.weight), 1);
    const severity = list.reduce<Severity>((s, h) => (SEVERITY_RANK[h.severity] > SEVERITY_RANK[s] ? h.severity : s), 'low');
    flags.push({ category, hits: list, confidence: Math.min(0.97, 1 - miss), severity });
  }
  return flags.sort(
    (a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || b.confidence - a.confidence,
  );
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Pure analysis of one text by a policy (exported for tests and the eval). */
export function analyzeWithRules(
  text: string,
  policy: Policy,
  matchers = buildMatchers(policy),
  compiled = compilePatterns(policy),
  ctx?: RoutingContext,
): AnalysisResult {
  const precise = [...wordHits(text, policy, matchers), ...patternHits(text, policy, compiled)];
  // The sentence analysis costs ~0.5 ms a text (compromise, on the hot path: BENCHMARKS.md, pipeline). A short
  // text whose precise rules already put it in front of a human (a category with no automatic action, in
  // its review band) cannot be routed differently by it, so it is skipped there; long texts always get it.
  const settled =
    text.length <= 280 &&
    flagCategories(dedupe(precise), policy).some((f) => bandsOf(policy, f.category).autoAction === null && f.confidence >= bandsOf(policy, f.category).review);
  const frames = settled ? { hits: [], weak: [] } : analyzeFrames(text);
  const spam = analyzeSpam(text);
  const sentenceHits: Hit[] = [...frames.hits, ...(spam ? [spam] : [])].map((h) => ({ ...h, supportOnly: false, sentence: true }));
  const hits = dedupe([...precise, ...sentenceHits]);
  const all = flagCategories(hits, policy);
  // Below its category's review band a flag is too weak to name the category; it still lowers how
  // sure the rules are that the text is clean (issue 11: what is called clean, nobody looks at).
  const flags = all.filter((f) => f.confidence >= bandsOf(policy, f.category).review);
  const risks = [...all.filter((f) => !flags.includes(f)).map((f) => f.confidence), ...frames.weak.map((w) => w.risk)];
  const top = flags[0];
  if (!top) {
    // Nothing matched: 0.97 (the rules only know what they look for); each weak signal lowers it.
    const clean = Math.max(0, 0.97 - risks.reduce((a, b) => a + b, 0));
    const why = [...frames.weak.map((w) => w.why), ...all.filter((f) => !flags.includes(f)).map((f) => `weak ${f.category} ${round2(f.confidence)}`)];
    return guardAnalysis(
      {
        verdict: 'ok',
        suggestedAction: 'approve',
        violationType: 'ok',
        severity: 'none',
        confidence: round2(clean),
        reasoning: why.length ? `No policy rule matched; weak signals: ${[...new Set(why)].join(', ')}.` : 'No policy rule matched.',
        keyPhrases: [],
        classifier: 'rules',
      },
      text,
      policy,
      ctx,
    );
  }
  const cat = policy.categories[top.category];
  const auto = cat.autoActions[0];
  const alone = flags.length === 1;
  const verdict = auto && alone && top.confidence >= policy.autoActionMinConfidence ? 'auto_action' : 'review';
  const keyPhrases: KeyPhrase[] = flags
    // A sentence finding is highlighted only where no precise hit of its category already points.
    .flatMap((f) => f.hits.filter((h) => !h.sentence || !f.hits.some((o) => !o.sentence && o.start < h.end && h.start < o.end)))
    .map((h) => ({ text: text.slice(h.start, h.end), start: h.start, end: h.end, category: h.category }));
  const reasoning = flags
    .map((f) => `${f.category} (${f.severity}, ${round2(f.confidence)}): ${[...new Set(f.hits.map((h) => h.name))].join(', ')}`)
    .join('; ');
  return guardAnalysis(
    {
      verdict,
      suggestedAction: verdict === 'auto_action' ? auto! : cat.suggestedAction,
      violationType: top.category,
      severity: top.severity,
      confidence: round2(top.confidence),
      reasoning: `Rules matched ${reasoning}.`,
      keyPhrases,
      classifier: 'rules',
    },
    text,
    policy,
    ctx,
  );
}

function compilePatterns(policy: Policy): Map<string, RegExp> {
  const compiled = new Map<string, RegExp>();
  for (const cat of Object.values(policy.categories)) {
    for (const rule of cat.patterns) compiled.set(rule.regex, new RegExp(rule.regex, 'gi'));
  }
  return compiled;
}

/**
 * The rules adapter. `policyFile` defaults to the shipped resources/policy.json (GUARDIAN_POLICY_FILE
 * is passed here by the caller); `policy` lets a caller share one already-loaded policy.
 */
export function createRulesClassifier(opts: { policyFile?: string; policy?: Policy } = {}): Classifier & { readonly policy: Policy } {
  const policy = opts.policy ?? loadPolicy(opts.policyFile ?? defaultPolicyFile());
  const matchers = buildMatchers(policy);
  const compiled = compilePatterns(policy);
  return {
    name: 'rules',
    policy,
    async classify(content: ContentForAnalysis, o?: { signal?: AbortSignal }): Promise<AnalysisResult> {
      o?.signal?.throwIfAborted();
      return analyzeWithRules(content.text, policy, matchers, compiled, content);
    },
  };
}
