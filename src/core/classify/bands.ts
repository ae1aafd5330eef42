// The routing policy of issue 11: the classifier's job here is triage, and what it calls clean nobody
// looks at. So every adapter's verdict (rules or Groq) is put through the policy's confidence bands, and
// content the platform marked urgent or reported for a threat or self-harm is held for a human whatever
// the score. Bands only ever move a case towards a human: they never turn `review` into `ok` or an action.
import type { AnalysisBand, AnalysisResult, Priority } from '../../shared/domain.js';
import { bandsOf, type Policy } from './policy.js';

/** What the platform said about the content besides its text. */
export interface RoutingContext {
  priority?: Priority | null;
  reportReason?: string | null;
}

const f2 = (n: number) => n.toFixed(2);

/** Why content is held for a human regardless of scores, or null. */
export function heldFor(ctx: RoutingContext | undefined, policy: Policy): string | null {
  if (!ctx) return null;
  if (ctx.priority && policy.routing.holdPriorities.includes(ctx.priority)) return `${ctx.priority} content`;
  const reason = ctx.reportReason?.toLowerCase();
  if (reason) {
    const words = reason.split(/[^\p{L}\p{N}-]+/u).filter(Boolean);
    const hit = policy.routing.holdReportedFor.find((p) => words.some((w) => w.startsWith(p.toLowerCase())));
    if (hit) return `reported for "${ctx.reportReason!.trim().slice(0, 80)}"`;
  }
  return null;
}

/**
 * Apply the bands to a guarded analysis and record which band decided (shown in the case view and in
 * `guardian eval`). Pure and idempotent: applying it twice gives the same result.
 */
export function applyBands(r: AnalysisResult, policy: Policy, ctx?: RoutingContext): AnalysisResult {
  const mapped = r.band && (r.band.outcome === 'auto_resolve' ? 'ok' : r.band.outcome);
  // Already banded under this policy and still consistent (the Groq adapter guards its fallback's result).
  if (mapped === r.verdict && r.policyVersion === policy.policyVersion && (r.band!.held || !heldFor(ctx, policy))) return r;
  const held = heldFor(ctx, policy);
  const out: AnalysisResult = { ...r, ...(policy.policyVersion ? { policyVersion: policy.policyVersion } : {}) };
  let band: AnalysisBand;
  const clean = policy.routing.cleanMinConfidence;
  if (r.verdict === 'ok') {
    if (held) band = { outcome: 'review', category: 'ok', confidence: r.confidence, threshold: clean, held, explanation: `review: ${held} is never auto-resolved (clean confidence ${f2(r.confidence)})` };
    else if (r.confidence < clean) band = { outcome: 'review', category: 'ok', confidence: r.confidence, threshold: clean, explanation: `review: clean confidence ${f2(r.confidence)} < ${f2(clean)}` };
    else band = { outcome: 'auto_resolve', category: 'ok', confidence: r.confidence, threshold: clean, explanation: `auto-resolved: confidence ${f2(r.confidence)} ≥ ${f2(clean)}` };
  } else if (r.violationType === 'ok') {
    band = { outcome: 'review', category: 'ok', confidence: r.confidence, threshold: null, ...(held ? { held } : {}), explanation: 'review: the classifier asked for a human' };
  } else {
    const b = bandsOf(policy, r.violationType);
    const cat = r.violationType;
    if (r.verdict === 'auto_action' && held) {
      band = { outcome: 'review', category: cat, confidence: r.confidence, threshold: b.autoAction, held, explanation: `review: ${held} is never settled without a human (${cat} ${f2(r.confidence)})` };
    } else if (r.verdict === 'auto_action' && b.autoAction !== null && r.confidence >= b.autoAction) {
      band = { outcome: 'auto_action', category: cat, confidence: r.confidence, threshold: b.autoAction, explanation: `auto-action ${r.suggestedAction}: ${cat} confidence ${f2(r.confidence)} ≥ ${f2(b.autoAction)}` };
    } else if (r.verdict === 'auto_action') {
      band = {
        outcome: 'review',
        category: cat,
        confidence: r.confidence,
        threshold: b.autoAction,
        explanation: b.autoAction === null ? `review: no automatic action for ${cat}` : `review: ${cat} confidence ${f2(r.confidence)} < auto-action band ${f2(b.autoAction)}`,
      };
    } else {
      const upper = b.autoAction === null ? '' : `, auto-action from ${f2(b.autoAction)}`;
      band = {
        outcome: 'review',
        category: cat,
        confidence: r.confidence,
        threshold: b.review,
        ...(held ? { held } : {}),
        explanation: `review: ${cat} confidence ${f2(r.confidence)} (review band from ${f2(b.review)}${upper})`,
      };
    }
  }
  out.verdict = band.outcome === 'auto_resolve' ? 'ok' : band.outcome === 'auto_action' ? 'auto_action' : 'review';
  if (out.verdict !== r.verdict) out.reasoning = `${r.reasoning} [band: ${band.explanation}]`;
  out.band = band;
  return out;
}

/**
 * The routing's own backstop, independent of any classifier or policy file: urgent content is never
 * auto-resolved (issue 11). The adapters already hold it through the policy; this keeps the rule true
 * for any classifier the agent is given.
 */
export function holdUrgentForHuman(r: AnalysisResult, ctx: RoutingContext): AnalysisResult {
  if (r.verdict !== 'ok' || ctx.priority !== 'urgent') return r;
  const explanation = 'review: urgent content is never auto-resolved';
  return {
    ...r,
    verdict: 'review',
    reasoning: `${r.reasoning} [band: ${explanation}]`,
    band: { outcome: 'review', category: 'ok', confidence: r.confidence, threshold: r.band?.threshold ?? null, held: 'urgent content', explanation },
  };
}
