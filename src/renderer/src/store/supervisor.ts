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

// One read in flight plus at most one trailing: queue:changed comes every 150 ms under ingest load, and
// each read here is three lists (one of up to 20,000 rows) that the core computes whether or not the
// page still wants them (BENCHMARKS.md part 4).
let running: Promise<void> | undefined;
let again = false;

export const useSupervisor = create<SupervisorSlice>(() => ({
  escalated: [],
  appeals: [],
  actioned: [],
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
  // The three lists of the supervisor view and the waiting backlog, read together.
  const set = useSupervisor.setState;
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
}
