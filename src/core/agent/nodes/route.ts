import type { CaseStateType } from '../state.js';

/** Only low-risk actions may happen without a human; a ban never does (DESIGN §8). */
export const AUTO_ALLOWED = new Set(['warn', 'remove']);

/** Where a case goes once analysed. A clean verdict ends the run in `analyze` itself (see analyzeNode). */
export function routeAfterAnalysis(s: Pick<CaseStateType, 'analysis'>): 'autoResolve' | 'autoDecide' | 'humanReview' {
  const a = s.analysis;
  if (!a) return 'humanReview';
  if (a.verdict === 'ok') return 'autoResolve';
  if (a.verdict === 'auto_action' && AUTO_ALLOWED.has(a.suggestedAction)) return 'autoDecide';
  return 'humanReview';
}

/** The edge out of `analyze`: finished (auto-resolved) or on to a decision. */
export function nextAfterAnalysis(s: CaseStateType): 'end' | 'autoDecide' | 'humanReview' | 'autoResolve' {
  const to = routeAfterAnalysis(s);
  return to === 'autoResolve' ? 'end' : to;
}

export function routeAfterReview(s: CaseStateType): 'execute' | 'escalate' | 'reverse' | 'closeCase' {
  const d = s.decision;
  if (s.reviewKind === 'appeal') return d?.decision === 'overturn' ? 'reverse' : 'closeCase';
  if (d?.decision === 'escalate') return 'escalate';
  return 'execute';
}

export function routeAfterReversal(s: CaseStateType): 'reopen' | 'closeCase' | 'end' {
  if (s.outcome === 'failed') return 'end';
  return s.reversal?.kind === 'rollback' ? 'reopen' : 'closeCase';
}
