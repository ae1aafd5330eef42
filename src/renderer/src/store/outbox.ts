import { create } from 'zustand';
import type { ContractError, OutboxEntry } from '../lib/contract-types';
import { api } from '../lib/api';
import { generation } from './generation';

interface OutboxSlice {
  entries: OutboxEntry[];
  error?: ContractError;
  load(): Promise<void>;
  upsert(e: OutboxEntry): void;
  discard(id: string): Promise<boolean>;
  escalate(id: string): Promise<boolean>;
  /** Forgets the entries shown (another person signs in here; theirs stay on disk for them). */
  reset(): void;
}

export const useOutbox = create<OutboxSlice>((set, get) => ({
  entries: [],
  async load() {
    const g = generation();
    const r = await api.call('outbox:list', {});
    if (g !== generation()) return;
    set(r.ok ? { entries: r.value, error: undefined } : { error: r.error });
  },
  upsert(e) {
    const rest = get().entries.filter((x) => x.id !== e.id);
    set({ entries: [e, ...rest].sort((a, b) => b.createdAt.localeCompare(a.createdAt)) });
  },
  async discard(id) {
    const g = generation();
    const r = await api.call('outbox:discard', { id });
    if (g !== generation()) return false;
    if (r.ok) get().upsert(r.value);
    else set({ error: r.error });
    return r.ok;
  },
  async escalate(id) {
    const g = generation();
    const r = await api.call('outbox:escalate', { id });
    if (g !== generation()) return false;
    if (r.ok) {
      get().upsert(r.value);
      await get().load();
    } else set({ error: r.error });
    return r.ok;
  },
  reset: () => set({ entries: [], error: undefined }),
}));

export const isOpen = (e: OutboxEntry) => e.state === 'pending' || e.state === 'delivered';
export const needsAction = (e: OutboxEntry) => e.state === 'conflict' || e.state === 'rejected';
