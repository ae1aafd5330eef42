import { interrupt } from '@langchain/langgraph';
import { DecisionRecord } from '../../../shared/domain.js';
import { allowedDecisions } from '../../store/cases-repo.js';
import { decisionFormSchema } from '../decision-form.js';
import type { CaseStateType, CaseStateUpdate, ReviewPayload } from '../state.js';

/**
 * Pauses for a human. Everything before interrupt() runs again on resume, so it only computes.
 * The resume value has already passed the command path (role, four-eyes, compare-and-set).
 */
export const humanReviewNode = (s: CaseStateType): CaseStateUpdate => {
  const allowed = allowedDecisions({ status: 'awaiting_review', review_kind: s.reviewKind, level: s.level });
  const payload: ReviewPayload = {
    caseId: s.caseId,
    level: s.level,
    reviewKind: s.reviewKind,
    allowedDecisions: allowed,
    analysis: s.analysis,
    appealedDecision: s.reviewKind === 'appeal' ? s.decision : null,
    formSchema: decisionFormSchema(allowed, s.reviewKind === 'appeal'),
  };
  const decision = DecisionRecord.parse(interrupt(payload));
  if (s.reviewKind === 'appeal' && decision.decision === 'overturn') {
    return {
      decision,
      reversal: { commandId: decision.commandId, actor: decision.actor, reason: decision.reason, kind: 'overturn' },
    };
  }
  return { decision };
};
