import { create } from 'zustand';
import type { ConnectionState, ContractError, Moderator, Session } from '../lib/contract-types';
import { api } from '../lib/api';
import { useOutbox } from './outbox';

interface SessionSlice {
  session?: Session;
  moderators: Moderator[];
  error?: ContractError;
  load(): Promise<void>;
  setConnection(c: ConnectionState): void;
}

export const useSession = create<SessionSlice>((set, get) => ({
  moderators: [],
  async load() {
    const r = await api.call('session:get', {});
    if (!r.ok) {
      set({ error: r.error });
      return;
    }
    set({ session: r.value, error: undefined });
    if (r.value.outbox) void useOutbox.getState().load();
    const m = await api.call('moderators:list', {});
    if (m.ok) set({ moderators: m.value });
  },
  setConnection(connection) {
    const s = get().session;
    if (s) set({ session: { ...s, connection } });
  },
}));
