import { create } from 'zustand';
import type { CaseSummary, ContractError, SupervisorMetrics } from '../lib/contract-types';
import { api } from '../lib/api';
import { generation } from './generation';

interface SupervisorSlice {
  /** Backlog and the last 7 days' decision metrics, aggregated by the core. */
  metrics?: SupervisorMetrics;
  escalated: CaseSummary[];
  appeals: CaseSummary[];
  actioned: CaseSummary[];
  error?: ContractError;
  refresh(): Promise<void>;
  /** Forgets everything (another person signs in here). */
  reset(): void;
}

// One read in flight plus at most one trailing: queue:changed comes every 150 ms under ingest load, and
// each read here is two lists and an aggregate that the core computes whether or not the page still
// wants them (BENCHMARKS.md part 4).
let running: Promise<void> | undefined;
let again = false;

export const useSupervisor = create<SupervisorSlice>((set) => ({
  escalated: [],
  appeals: [],
  actioned: [],
  reset: () => set({ metrics: undefined, escalated: [], appeals: [], actioned: [], error: undefined }),
  refresh() {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await load();
        } while (again);
      } finally {
        running = undefined;
      }
    })();
    return running;
  },
}));

async function load() {
  // The two lists of the supervisor view and the metrics, read together.
  const set = useSupervisor.setState;
  const g = generation();
  const [review, actioned, metrics] = await Promise.all([
    api.call('cases:list', { status: ['awaiting_review', 'reversing'], level: 2, limit: 5000 }),
    api.call('cases:list', { status: ['actioned'], limit: 5000 }),
    api.call('metrics:get', {}),
  ]);
  // Read for someone who has signed out since: not shown.
  if (g !== generation()) return;
  if (metrics.ok) set({ metrics: metrics.value });
  if (!review.ok || !actioned.ok) {
    set({ error: !review.ok ? review.error : !actioned.ok ? actioned.error : undefined });
    return;
  }
  set({
    escalated: review.value.filter((c) => c.reviewKind !== 'appeal'),
    appeals: review.value.filter((c) => c.reviewKind === 'appeal'),
    actioned: [...actioned.value].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)),
    error: metrics.ok ? undefined : metrics.error,
  });
}
