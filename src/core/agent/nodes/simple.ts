import type { CaseStateType, CaseStateUpdate } from '../state.js';

// Small nodes that only move state; their side effects (the read model) belong to the runner.

export const autoResolveNode = (): CaseStateUpdate => ({ outcome: 'auto_resolved' });

export const autoDecideNode = (s: CaseStateType): CaseStateUpdate => ({
  decision: {
    commandId: `auto:${s.caseId}`,
    decision: s.analysis!.suggestedAction,
    reason: `Automatic (${s.analysis!.classifier}): ${s.analysis!.reasoning}`.slice(0, 2000),
    policyIds: [s.analysis!.violationType],
    actor: 'agent',
    level: 1,
    reviewKind: 'initial',
    at: new Date().toISOString(),
  },
});

export const escalateNode = (): CaseStateUpdate => ({ level: 2, reviewKind: 'escalation' });

export const reopenNode = (): CaseStateUpdate => ({ level: 2, reviewKind: 'rollback' });

export const closeCaseNode = (): CaseStateUpdate => ({ outcome: 'closed' });
