import type { AnalysisResult, Priority } from '../../shared/domain.js';

/** What the agent knows about a piece of content when it asks for an analysis. */
export interface ContentForAnalysis {
  caseId: string;
  contentId: string;
  authorId: string;
  text: string;
  url?: string | null;
  reportReason?: string | null;
  /** The ingestion priority: urgent content is never auto-resolved (policy routing.holdPriorities). */
  priority?: Priority | null;
}

/**
 * DESIGN §8: every adapter answers with the same zod-validated AnalysisResult.
 * An adapter never throws for "the model said something odd": it returns a `review` verdict instead,
 * so that malformed output ends in front of a human and never in an automatic action.
 */
export interface Classifier {
  readonly name: string;
  classify(content: ContentForAnalysis, opts?: { signal?: AbortSignal }): Promise<AnalysisResult>;
}
