import { create } from 'zustand';
import type { CaseSummary, ContractError } from '../lib/contract-types';
import { api } from '../lib/api';

interface SupervisorSlice {
  escalated: CaseSummary[];
  appeals: CaseSummary[];
  actioned: CaseSummary[];
  error?: ContractError;
  refresh(): Promise<void>;
}

export const useSupervisor = create<SupervisorSlice>((set) => ({
  escalated: [],
  appeals: [],
  actioned: [],
  async refresh() {
    const [review, actioned] = await Promise.all([
      api.call('cases:list', { status: ['awaiting_review', 'reversing'], level: 2, limit: 5000 }),
      api.call('cases:list', { status: ['actioned'], limit: 5000 }),
    ]);
    if (!review.ok || !actioned.ok) {
      set({ error: !review.ok ? review.error : !actioned.ok ? actioned.error : undefined });
      return;
    }
    set({
      escalated: review.value.filter((c) => c.reviewKind !== 'appeal'),
      appeals: review.value.filter((c) => c.reviewKind === 'appeal'),
      actioned: [...actioned.value].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)),
      error: undefined,
    });
  },
}));
