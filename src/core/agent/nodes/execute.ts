import type { ActionKind } from '../../../shared/domain.js';
import type { AgentDeps } from '../deps.js';
import type { CaseStateType, CaseStateUpdate } from '../state.js';

export function plannedActions(decision: string): ActionKind[] {
  switch (decision) {
    case 'warn':
      return ['warn_user'];
    case 'remove':
      return ['remove_content'];
    case 'remove_and_ban':
      return ['remove_content', 'ban_user'];
    default:
      return [];
  }
}

/**
 * Carries out the decision. Action ids are derived from the command id, so a re-run after a crash
 * (durability "sync" re-runs this node) finds the actions already done and never executes twice.
 */
export const executeNode = (deps: AgentDeps) => async (s: CaseStateType): Promise<CaseStateUpdate> => {
  const d = s.decision!;
  const kinds = plannedActions(d.decision);
  // Before the first action: every action of the decision carries this statement (stored once, so a re-run sends the same).
  if (kinds.length) await deps.statements?.record({ caseId: s.caseId, decision: d, analysis: s.analysis });
  for (const [i, kind] of kinds.entries()) {
    const res = await deps.actions.execute({
      actionId: `${d.commandId}:${i + 1}:${kind}`,
      caseId: s.caseId,
      commandId: d.commandId,
      seq: i + 1,
      kind,
      contentId: s.content.contentId,
      authorId: s.content.authorId,
      reason: d.reason,
      durationHours: kind === 'ban_user' ? d.durationHours : undefined,
      actor: d.actor,
    });
    if (!res.ok) return { outcome: 'failed', failure: `action ${kind} failed permanently: ${res.error}` };
  }
  return { outcome: 'actioned', failure: null };
};
