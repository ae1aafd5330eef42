import { create } from 'zustand';
import type { AuditEvent, ContractError } from '../lib/contract-types';
import { api } from '../lib/api';
import { generation } from './generation';

export interface AuditFilters {
  caseId: string;
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
  setFilters(f: Partial<AuditFilters>): void;
  refresh(): Promise<void>;
  /** Forgets everything (another person signs in here). */
  reset(): void;
}

const NO_FILTERS: AuditFilters = { caseId: '', actor: '', type: '', from: '', to: '' };

const dayStart = (d: string) => (d ? new Date(`${d}T00:00:00`).toISOString() : undefined);
const dayEnd = (d: string) => (d ? new Date(`${d}T23:59:59.999`).toISOString() : undefined);

export const useAudit = create<AuditSlice>((set, get) => ({
  filters: NO_FILTERS,
  events: [],
  loading: false,
  setFilters: (f) => set({ filters: { ...get().filters, ...f } }),
  async refresh() {
    const f = get().filters;
    const g = generation();
    set({ loading: true });
    const r = await api.call('audit:list', {
      caseId: f.caseId.trim() || undefined,
      actor: f.actor.trim() || undefined,
      type: f.type.trim() || undefined,
      from: dayStart(f.from),
      to: dayEnd(f.to),
      limit: 10_000,
    });
    if (g !== generation()) return;
    set(r.ok ? { events: r.value, loading: false, error: undefined } : { loading: false, error: r.error });
  },
  reset: () => set({ filters: NO_FILTERS, events: [], loading: false, error: undefined }),
}));
