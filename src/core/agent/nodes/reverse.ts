import type { AgentDeps } from '../deps.js';
import type { CaseStateType, CaseStateUpdate } from '../state.js';

/** Reverses the case's executed actions, last first. Idempotent for the same reason as execute. */
export const reverseNode = (deps: AgentDeps) => async (s: CaseStateType): Promise<CaseStateUpdate> => {
  const r = s.reversal!;
  const report = await deps.actions.reverseAll({
    caseId: s.caseId,
    commandId: r.commandId,
    contentId: s.content.contentId,
    authorId: s.content.authorId,
    reason: r.reason,
    actor: r.actor,
  });
  if (report.failed.length)
    return { outcome: 'failed', failure: `reversal incomplete: ${report.failed.map((f) => `${f.kind} (${f.error})`).join('; ')}` };
  return { outcome: null, failure: null, decision: null };
};
