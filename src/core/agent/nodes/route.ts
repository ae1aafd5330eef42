import type { CaseStateType } from '../state.js';

/** Only low-risk actions may happen without a human; a ban never does (DESIGN §8). */
export const AUTO_ALLOWED = new Set(['warn', 'remove']);

export function routeAfterAnalysis(s: CaseStateType): 'autoResolve' | 'autoDecide' | 'humanReview' {
  const a = s.analysis;
  if (!a) return 'humanReview';
  if (a.verdict === 'ok') return 'autoResolve';
  if (a.verdict === 'auto_action' && AUTO_ALLOWED.has(a.suggestedAction)) return 'autoDecide';
  return 'humanReview';
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
