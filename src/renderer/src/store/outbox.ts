import { create } from 'zustand';
import type { ContractError, OutboxEntry } from '../lib/contract-types';
import { api } from '../lib/api';

interface OutboxSlice {
  entries: OutboxEntry[];
  error?: ContractError;
  load(): Promise<void>;
  upsert(e: OutboxEntry): void;
  discard(id: string): Promise<boolean>;
  escalate(id: string): Promise<boolean>;
}

export const useOutbox = create<OutboxSlice>((set, get) => ({
  entries: [],
  async load() {
    const r = await api.call('outbox:list', {});
    set(r.ok ? { entries: r.value, error: undefined } : { error: r.error });
  },
  upsert(e) {
    const rest = get().entries.filter((x) => x.id !== e.id);
    set({ entries: [e, ...rest].sort((a, b) => b.createdAt.localeCompare(a.createdAt)) });
  },
  async discard(id) {
    const r = await api.call('outbox:discard', { id });
    if (r.ok) get().upsert(r.value);
    else set({ error: r.error });
    return r.ok;
  },
  async escalate(id) {
    const r = await api.call('outbox:escalate', { id });
    if (r.ok) {
      get().upsert(r.value);
      await get().load();
    } else set({ error: r.error });
    return r.ok;
  },
}));

export const isOpen = (e: OutboxEntry) => e.state === 'pending' || e.state === 'delivered';
export const needsAction = (e: OutboxEntry) => e.state === 'conflict' || e.state === 'rejected';
