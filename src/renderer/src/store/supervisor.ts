import { create } from 'zustand';
import type { CaseSummary, ContractError } from '../lib/contract-types';
import { api } from '../lib/api';

export interface Backlog {
  waiting: number;
  urgent: number;
  slaBreached: number;
  oldestMinutes: number;
}

interface SupervisorSlice {
  backlog?: Backlog;
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
    const [review, actioned, waiting] = await Promise.all([
      api.call('cases:list', { status: ['awaiting_review', 'reversing'], level: 2, limit: 5000 }),
      api.call('cases:list', { status: ['actioned'], limit: 5000 }),
      api.call('cases:list', { status: ['awaiting_review'], limit: 20_000 }),
    ]);
    if (waiting.ok) {
      const now = Date.now();
      const oldest = waiting.value.reduce((m, c) => Math.min(m, new Date(c.createdAt).getTime()), now);
      set({
        backlog: {
          waiting: waiting.value.length,
          urgent: waiting.value.filter((c) => c.priority === 'urgent').length,
          slaBreached: waiting.value.filter((c) => c.slaDueAt && new Date(c.slaDueAt).getTime() < now).length,
          oldestMinutes: Math.round((now - oldest) / 60_000),
        },
      });
    }
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
