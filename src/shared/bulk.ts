// Bulk actions (issue 14) as the queue, the core and the IPC contract see them. Depends on zod alone.
import { z } from 'zod';
import { CaseId } from './commands.js';
import { Reason } from './domain.js';

export const BulkDecision = z.enum(['approve', 'warn', 'remove']);
export type BulkDecision = z.infer<typeof BulkDecision>;
export const BatchId = z.string().regex(/^[A-Za-z0-9_-]{8,40}$/, 'must be 8 to 40 letters, digits, - or _');

export const BulkSelection = z
  .object({ caseIds: z.array(CaseId).min(1, 'select at least one case').max(1000, 'at most 1000 cases'), decision: BulkDecision })
  .strict();
export type BulkSelection = z.infer<typeof BulkSelection>;

/** Why a case is not in the batch (no silent skips): each skipped case carries its reason. */
export const SkipReason = z.enum(['claimed', 'not_awaiting', 'level2', 'four_eyes', 'appeal', 'not_found', 'not_actioned']);
export type SkipReason = z.infer<typeof SkipReason>;

export const BulkPreviewItem = z.object({
  caseId: z.string(),
  contentId: z.string().nullable(),
  version: z.number().int().nullable(),
  skip: SkipReason.nullable(),
  message: z.string().nullable(),
});
export type BulkPreviewItem = z.infer<typeof BulkPreviewItem>;
export const BulkPreview = z.object({ decision: BulkDecision, eligible: z.number().int(), skipped: z.number().int(), items: z.array(BulkPreviewItem) });
export type BulkPreview = z.infer<typeof BulkPreview>;

export const BulkItemResult = z.object({
  caseId: z.string(),
  contentId: z.string().nullable(),
  outcome: z.enum(['pending', 'done', 'skipped', 'failed']),
  commandId: z.string().nullable(),
  message: z.string().nullable(),
});
export type BulkItemResult = z.infer<typeof BulkItemResult>;

export const BulkJob = z.object({
  batchId: z.string(),
  kind: z.enum(['decide', 'undo']),
  decision: BulkDecision.nullable(),
  undoes: z.string().nullable(),
  state: z.enum(['running', 'finished']),
  total: z.number().int(),
  processed: z.number().int(),
  done: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
  items: z.array(BulkItemResult),
});
export type BulkJob = z.infer<typeof BulkJob>;

export const BulkRunInput = BulkSelection.extend({ batchId: BatchId, reason: Reason }).strict();
export type BulkRunInput = z.infer<typeof BulkRunInput>;
export const BulkUndoInput = z.object({ batchId: BatchId, undoes: BatchId, reason: Reason }).strict();
export type BulkUndoInput = z.infer<typeof BulkUndoInput>;
