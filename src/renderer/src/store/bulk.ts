import { create } from 'zustand';
import type { BulkDecision, BulkJob, BulkPreview } from '../../../shared/bulk';
import type { ContractError } from '../lib/contract-types';
import { api } from '../lib/api';
import { generation } from './generation';

// Bulk actions for supervisors (issue 14): a hand-picked selection (row checkboxes, `s`) or the whole
// current filter; a preview (the database's view of each case: who would be skipped and why); then a job
// in the core, whose per-case results arrive as bulk:progress events; and the batch's undo (rollbacks).
export type BulkStep = 'closed' | 'preview' | 'job';

interface BulkSlice {
  selected: string[];
  step: BulkStep;
  decision: BulkDecision;
  /** The cases the preview was made for (the selection, or the filter's cases at that moment). */
  caseIds: string[];
  scope: 'selection' | 'filter';
  preview?: BulkPreview;
  job?: BulkJob;
  undo?: BulkJob;
  busy: boolean;
  error?: ContractError;
  toggle(id: string): void;
  setSelected(ids: string[]): void;
  clear(): void;
  setDecision(d: BulkDecision): void;
  /** Opens the preview for these cases. */
  open(caseIds: string[], scope: 'selection' | 'filter'): Promise<void>;
  run(reason: string): Promise<void>;
  undoBatch(reason: string): Promise<void>;
  close(): void;
  onProgress(job: BulkJob): void;
  reset(): void;
}

const newBatchId = () => `b${crypto.randomUUID().replace(/-/g, '').slice(0, 24)}`;
const initial = { selected: [], step: 'closed' as BulkStep, decision: 'remove' as BulkDecision, caseIds: [], scope: 'selection' as const, busy: false };

export const useBulk = create<BulkSlice>((set, get) => ({
  ...initial,
  toggle(id) {
    const s = get().selected;
    set({ selected: s.includes(id) ? s.filter((x) => x !== id) : [...s, id] });
  },
  setSelected: (ids) => set({ selected: [...new Set(ids)] }),
  clear: () => set({ selected: [] }),
  setDecision(decision) {
    set({ decision });
    const { step, caseIds, scope } = get();
    if (step === 'preview' && caseIds.length) void get().open(caseIds, scope);
  },
  async open(caseIds, scope) {
    const g = generation();
    set({ step: 'preview', caseIds, scope, busy: true, error: undefined, preview: undefined, job: undefined, undo: undefined });
    const r = await api.call('bulk:preview', { caseIds, decision: get().decision });
    if (g !== generation()) return;
    if (r.ok) set({ preview: r.value, busy: false });
    else set({ error: r.error, busy: false });
  },
  async run(reason) {
    const { caseIds, decision } = get();
    const g = generation();
    set({ busy: true, error: undefined });
    const r = await api.call('bulk:run', { caseIds, decision, reason, batchId: newBatchId() });
    if (g !== generation()) return;
    if (r.ok) set((s) => ({ step: 'job', job: s.job?.batchId === r.value.batchId && s.job.processed > r.value.processed ? s.job : r.value, busy: false, selected: [] }));
    else set({ error: r.error, busy: false });
  },
  async undoBatch(reason) {
    const job = get().job;
    if (!job) return;
    const g = generation();
    set({ busy: true, error: undefined });
    const r = await api.call('bulk:undo', { batchId: newBatchId(), undoes: job.batchId, reason });
    if (g !== generation()) return;
    if (r.ok) set((s) => ({ undo: s.undo?.batchId === r.value.batchId && s.undo.processed > r.value.processed ? s.undo : r.value, busy: false }));
    else set({ error: r.error, busy: false });
  },
  close: () => set({ step: 'closed', preview: undefined, job: undefined, undo: undefined, error: undefined, busy: false }),
  onProgress(job) {
    const s = get();
    if (job.kind === 'decide' && (!s.job || s.job.batchId === job.batchId)) set({ job, step: 'job' });
    else if (job.kind === 'undo' && s.job?.batchId === job.undoes) set({ undo: job });
  },
  reset: () => set({ ...initial, preview: undefined, job: undefined, undo: undefined, error: undefined }),
}));
