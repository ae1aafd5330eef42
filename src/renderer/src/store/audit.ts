import { create } from 'zustand';
import type { AuditEvent, ContractError } from '../lib/contract-types';
import type { AuditVerification } from '../../../shared/contract';
import { api } from '../lib/api';
import { generation } from './generation';

export interface AuditFilters {
  /** A whole case id or the short id the list shows (its first 8 hex digits; 4 or more will do). */
  caseId: string;
  /** The platform's content id. */
  contentId: string;
  actor: string;
  type: string;
  /** yyyy-mm-dd (inclusive) */
  from: string;
  to: string;
}

interface AuditSlice {
  filters: AuditFilters;
  events: AuditEvent[];
  loading: boolean;
  error?: ContractError;
  /** The last "Verify chain" answer, and whether one is running. */
  verification?: AuditVerification;
  verifying: boolean;
  verifyError?: ContractError;
  setFilters(f: Partial<AuditFilters>): void;
  refresh(): Promise<void>;
  /** The whole chain, or the filtered case's when a case filter is set. */
  verify(): Promise<void>;
  /** Forgets everything (another person signs in here). */
  reset(): void;
}

const NO_FILTERS: AuditFilters = { caseId: '', contentId: '', actor: '', type: '', from: '', to: '' };

const dayStart = (d: string) => (d ? new Date(`${d}T00:00:00`).toISOString() : undefined);
const dayEnd = (d: string) => (d ? new Date(`${d}T23:59:59.999`).toISOString() : undefined);
const opt = (s: string) => s.trim() || undefined;

export const useAudit = create<AuditSlice>((set, get) => ({
  filters: NO_FILTERS,
  events: [],
  loading: false,
  verifying: false,
  setFilters: (f) => set({ filters: { ...get().filters, ...f } }),
  async refresh() {
    const f = get().filters;
    const g = generation();
    set({ loading: true });
    const r = await api.call('audit:list', {
      caseId: opt(f.caseId),
      contentId: opt(f.contentId),
      actor: opt(f.actor),
      type: opt(f.type),
      from: dayStart(f.from),
      to: dayEnd(f.to),
      limit: 10_000,
      order: 'newest',
    });
    if (g !== generation()) return;
    set(r.ok ? { events: r.value, loading: false, error: undefined } : { events: [], loading: false, error: r.error });
  },
  async verify() {
    const f = get().filters;
    const g = generation();
    set({ verifying: true, verifyError: undefined });
    const r = await api.call('audit:verify', { caseId: opt(f.caseId), contentId: opt(f.contentId) });
    if (g !== generation()) return;
    set(r.ok ? { verification: r.value, verifying: false } : { verification: undefined, verifying: false, verifyError: r.error });
  },
  reset: () => set({ filters: NO_FILTERS, events: [], loading: false, error: undefined, verification: undefined, verifying: false, verifyError: undefined }),
}));
