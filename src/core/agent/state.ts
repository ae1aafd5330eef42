import { Annotation } from '@langchain/langgraph';
import type { AnalysisResult, DecisionRecord, Priority, ReviewKind } from '../../shared/domain.js';
import type { ContentForAnalysis } from '../classify/classifier.js';

/**
 * Bump when the graph's nodes or edges change shape. A checkpoint written by a version this build cannot
 * resume is refused, never resumed onto a different path (DESIGN §4).
 *
 * 2: a clean verdict ends the run at `analyze` (one superstep, so one checkpoint, fewer per case); the
 *    `autoResolve` node stays for threads a version-1 build left between `analyze` and `autoResolve`.
 */
export const GRAPH_VERSION = 2;

/**
 * Versions whose checkpoints this graph resumes on the same path: every position a version-1 thread can
 * be in (paused at humanReview, or between two nodes after a crash) exists here with the same edges.
 */
export const RESUMABLE_GRAPH_VERSIONS: readonly number[] = [1, 2];

/** Throws the refusal for a checkpoint this build must not resume. */
export function assertResumable(version: number | undefined, refuse: (message: string) => Error): void {
  if (version !== undefined && !RESUMABLE_GRAPH_VERSIONS.includes(version))
    throw refuse(`checkpoint written by graph version ${version}; this build runs ${GRAPH_VERSION} (resumes ${RESUMABLE_GRAPH_VERSIONS.join(', ')})`);
}

export interface Reversal {
  commandId: string;
  actor: string;
  reason: string;
  /** rollback → the case returns to review at level 2; overturn (appeal) → the case closes. */
  kind: 'rollback' | 'overturn';
}

export interface AppealInfo {
  commandId: string;
  reason: string;
  submittedAt: string;
}

export type Outcome = 'auto_resolved' | 'actioned' | 'closed' | 'failed';

const last = <T>(init: () => T) => Annotation<T>({ reducer: (_a: T, b: T) => b, default: init });

export const CaseState = Annotation.Root({
  caseId: Annotation<string>,
  graphVersion: Annotation<number>,
  content: Annotation<ContentForAnalysis & { priority: Priority }>,
  analysis: last<AnalysisResult | null>(() => null),
  level: last<number>(() => 1),
  reviewKind: last<ReviewKind>(() => 'initial'),
  /** The decision being (or last) carried out. */
  decision: last<DecisionRecord | null>(() => null),
  reversal: last<Reversal | null>(() => null),
  appeal: last<AppealInfo | null>(() => null),
  outcome: last<Outcome | null>(() => null),
  failure: last<string | null>(() => null),
});

export type CaseStateType = typeof CaseState.State;
export type CaseStateUpdate = typeof CaseState.Update;

/** What the UI receives when the graph pauses for a human (DESIGN §4). */
export interface ReviewPayload {
  caseId: string;
  level: number;
  reviewKind: ReviewKind;
  allowedDecisions: string[];
  analysis: AnalysisResult | null;
  appealedDecision: DecisionRecord | null;
  formSchema: Record<string, unknown>;
}
