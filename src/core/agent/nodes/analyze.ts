import type { AgentDeps } from '../deps.js';
import type { CaseStateType, CaseStateUpdate } from '../state.js';

/** Classifies the content. Idempotent: re-running it after a crash re-classifies and overwrites. */
export const analyzeNode = (deps: AgentDeps) => async (s: CaseStateType): Promise<CaseStateUpdate> => {
  const analysis = await deps.analyze(s.content);
  await deps.store.saveAnalysis(s.caseId, analysis);
  return { analysis };
};
