import type { ActionKind, AnalysisResult, DecisionRecord } from '../../shared/domain.js';
import type { StatementOfReasons } from '../../shared/statement.js';
import type { ContentForAnalysis } from '../classify/classifier.js';

export interface ActionRequest {
  actionId: string;
  caseId: string;
  commandId: string;
  seq: number;
  kind: ActionKind;
  contentId: string;
  authorId: string;
  reason: string;
  durationHours?: number;
  actor: string;
  reverses?: string;
}

export interface ReversalReport {
  reversed: Array<{ actionId: string; kind: ActionKind }>;
  notReversible: Array<{ actionId: string; kind: ActionKind }>;
  failed: Array<{ actionId: string; kind: ActionKind; error: string }>;
}

/** What the graph's nodes need from the rest of the core. */
export interface AgentDeps {
  analyze(content: ContentForAnalysis): Promise<AnalysisResult>;
  actions: {
    execute(req: ActionRequest): Promise<{ ok: true } | { ok: false; error: string }>;
    reverseAll(req: { caseId: string; commandId: string; contentId: string; authorId: string; reason: string; actor: string }): Promise<ReversalReport>;
  };
  /**
   * Records the decision's statement of reasons (DSA Art. 17) before its first action, once; the actions then
   * send the stored copy. Absent (tests of the graph alone): no statement.
   */
  statements?: {
    record(req: { caseId: string; decision: DecisionRecord; analysis: AnalysisResult | null }): Promise<StatementOfReasons | null>;
  };
}
