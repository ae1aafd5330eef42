import { create } from 'zustand';

/** The decision being written, kept outside the form so it outlives it (the form goes when the case is decided). */
export interface Draft {
  caseId: string;
  /** The review it was written for. */
  level: number;
  reviewKind: string | null;
  choice: string;
  reason: string;
}

interface DraftSlice {
  draft?: Draft;
  keep(d: Draft): void;
  clear(caseId?: string): void;
}

export const useDraft = create<DraftSlice>((set, get) => ({
  keep: (d) => set({ draft: d.choice || d.reason.trim() ? d : undefined }),
  clear: (caseId) => {
    if (!caseId || get().draft?.caseId === caseId) set({ draft: undefined });
  },
}));

/**
 * Whether someone else decided the review this draft was written for (issue 14: Bob's half-typed decision
 * was silently discarded when Alice decided the case).
 */
export function decidedUnderDraft(
  draft: Draft | undefined,
  c: { id: string; lastDecision: { actor: string; level: number; reviewKind: string } | null },
  me: string | undefined,
): boolean {
  return !!draft && draft.caseId === c.id && !!c.lastDecision && c.lastDecision.actor !== me && c.lastDecision.level === draft.level && (draft.reviewKind === null || c.lastDecision.reviewKind === draft.reviewKind);
}
