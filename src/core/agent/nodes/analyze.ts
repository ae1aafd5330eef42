import { holdUrgentForHuman } from '../../classify/bands.js';
import type { AgentDeps } from '../deps.js';
import type { CaseStateType, CaseStateUpdate } from '../state.js';
import { routeAfterAnalysis } from './route.js';

/**
 * Classifies the content. No side effects (the runner projects the result onto the read model), so
 * re-running it after a crash re-classifies and overwrites. A clean verdict finishes the case here: a
 * separate resolve step would cost a checkpoint per case for nothing (BENCHMARKS.md, part 1).
 */
export const analyzeNode = (deps: AgentDeps) => async (s: CaseStateType): Promise<CaseStateUpdate> => {
  const analysis = holdUrgentForHuman(await deps.analyze(s.content), s.content);
  return routeAfterAnalysis({ analysis }) === 'autoResolve' ? { analysis, outcome: 'auto_resolved' } : { analysis };
};
