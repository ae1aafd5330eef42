// The ONE place where a classifier's suggestion is clamped by policy (DESIGN §8), shared by every
// adapter. Whatever a model was talked into by the content, what leaves this function is:
//   - auto_action only for a low-risk action (warn/remove) that the policy lists for that category,
//     with enough confidence; never a ban, an escalation or an "approve" without a human;
//   - suggestions no stronger than the category's maxSuggestedAction;
//   - content that tries to instruct the classifier always in front of a human, and never with a ban
//     suggestion derived from it;
//   - key phrases that really occur in the text, with offsets that highlight them.
import { AnalysisResult, type Decision, type KeyPhrase } from '../../shared/domain.js';
import { applyBands, type RoutingContext } from './bands.js';
import { LOW_RISK_ACTIONS, type Policy } from './policy.js';

// Text aimed at the classifier rather than at readers. A hit never flags content as a category;
// it only means an automatic outcome (ok or auto_action) cannot be trusted, so a person looks.
const INJECTION_PATTERNS: RegExp[] = [
  /\b(?:ignore|disregard|forget|override|bypass)\b[^.\n]{0,40}?\b(?:previous|prior|above|earlier|all|any|your|the|these)\b[^.\n]{0,30}?\b(?:instructions?|rules|prompts?|guidelines|polic(?:y|ies)|directions)\b/i,
  /(?:^|[\s>\]\-*#"'(])(?:system|assistant|developer|admin|moderator)\s*(?:prompt|message|override|note)?\s*:/im,
  /\[\s*(?:system|inst|\/inst|admin)\s*\]|<\|?\s*(?:system|im_start|im_end|endoftext)\s*\|?>|<\/?\s*(?:system|instructions?|content)\s*>/i,
  /\byou\s+are\s+now\b|\bnew\s+instructions?\b|\bact\s+as\s+(?:an?\s+)?(?:admin|moderator|different|unfiltered)\b|\bjailbreak\b|\bdeveloper\s+mode\b/i,
  /\b(?:verdict|suggestedAction|violationType|auto_action|remove_and_ban)\b\s*["']?\s*[:=]/i,
  /\b(?:classifier|moderator|model|ai|assistant|bot)\b[^.\n]{0,30}?\b(?:must|should|will|shall|has\s+to)\b[^.\n]{0,30}?\b(?:approve|ban|mark|classify|ignore|allow|label)\b/i,
  /\b(?:mark|classify|label|rate)\s+(?:this|it|me|the\s+(?:post|message|content))\s+as\s+(?:safe|ok|clean|approved|harmless)\b/i,
];

/** The first span of the text that tries to instruct the classifier, if any. */
export function findInjection(text: string): KeyPhrase | null {
  for (const re of INJECTION_PATTERNS) {
    const m = re.exec(text);
    if (m) {
      // Skip the leading delimiter some patterns consume so the highlight starts at the word.
      const lead = m[0].length - m[0].trimStart().length;
      const start = m.index + lead;
      return { text: text.slice(start, m.index + m[0].length), start, end: m.index + m[0].length };
    }
  }
  return null;
}

const STRENGTH: Record<Decision, number> = { approve: 0, warn: 1, remove: 2, remove_and_ban: 3, escalate: 2 };

/** The strongest suggestion a policy allows for a category ('ok' has no category: at most remove). */
function clampSuggestion(suggested: Decision, max: Decision): Decision {
  if (suggested === max || suggested === 'escalate') return suggested; // escalation only ever adds a human
  if (max === 'escalate') return suggested === 'remove_and_ban' ? 'escalate' : suggested;
  return STRENGTH[suggested] > STRENGTH[max] ? max : suggested;
}

/**
 * Give each key phrase offsets into `text` that really select it. Models (and hand-written rules)
 * get offsets wrong; the UI highlights by offsets, so a wrong span would highlight innocent words.
 * Phrases that do not occur in the text are dropped.
 */
export function locateKeyPhrases(text: string, phrases: KeyPhrase[]): KeyPhrase[] {
  const lower = text.toLowerCase();
  const out: KeyPhrase[] = [];
  const seen = new Set<string>();
  for (const p of phrases) {
    let { start, end } = p;
    if (text.slice(start, end) !== p.text || p.text.length === 0) {
      const needle = p.text.trim().toLowerCase();
      if (!needle) continue;
      // Prefer an occurrence not already highlighted, so repeated phrases get their own spans.
      let at = lower.indexOf(needle);
      while (at >= 0 && seen.has(`${at}:${at + needle.length}`)) at = lower.indexOf(needle, at + 1);
      if (at < 0) at = lower.indexOf(needle);
      if (at < 0) continue;
      start = at;
      end = at + needle.length;
    }
    const key = `${start}:${end}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ text: text.slice(start, end), start, end, ...(p.category ? { category: p.category } : {}) });
  }
  return out.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** Clamp an analysis by policy, then band it. Pure; both adapters call it on every result they return. */
export function guardAnalysis(input: AnalysisResult, text: string, policy: Policy, ctx?: RoutingContext): AnalysisResult {
  const r: AnalysisResult = { ...AnalysisResult.parse(input) };
  const notes: string[] = [];
  r.keyPhrases = locateKeyPhrases(text, r.keyPhrases);

  // An "ok" must really say "nothing to do"; anything else is a contradiction a human should resolve.
  if (r.verdict === 'ok' && (r.violationType !== 'ok' || r.suggestedAction !== 'approve')) {
    r.verdict = 'review';
    notes.push(`verdict ok contradicts ${r.violationType}/${r.suggestedAction}: sent to review`);
  }

  const category = r.violationType === 'ok' ? undefined : policy.categories[r.violationType];
  const clamped = clampSuggestion(r.suggestedAction, category?.maxSuggestedAction ?? 'remove');
  if (clamped !== r.suggestedAction) {
    notes.push(`suggestion ${r.suggestedAction} exceeds policy for ${r.violationType}: ${clamped}`);
    r.suggestedAction = clamped;
  }

  if (r.verdict === 'auto_action') {
    const action = r.suggestedAction;
    const lowRisk = (LOW_RISK_ACTIONS as readonly string[]).includes(action);
    const allowed = lowRisk && !!category && (category.autoActions as string[]).includes(action);
    if (!allowed) {
      r.verdict = 'review';
      notes.push(`${action} is not allowed without a human for ${r.violationType}: sent to review`);
    } else if (r.confidence < policy.autoActionMinConfidence) {
      r.verdict = 'review';
      notes.push(`confidence ${r.confidence.toFixed(2)} below ${policy.autoActionMinConfidence} for automatic action: sent to review`);
    }
  }

  const injection = findInjection(text);
  if (injection) {
    if (r.verdict !== 'review') {
      r.verdict = 'review';
      notes.push('content contains instructions aimed at the classifier: sent to review');
    }
    if (r.suggestedAction === 'remove_and_ban') {
      r.suggestedAction = 'remove';
      notes.push('no ban suggestion for content that tries to instruct the classifier');
    }
    r.keyPhrases = locateKeyPhrases(text, [...r.keyPhrases, injection]);
  }

  if (notes.length) r.reasoning = `${r.reasoning} [policy: ${notes.join('; ')}]`;
  // Last: the confidence bands and the holds decide auto-resolve / auto-action / human (bands.ts).
  return AnalysisResult.parse(applyBands(r, policy, ctx));
}
