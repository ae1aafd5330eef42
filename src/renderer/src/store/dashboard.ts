import { create } from 'zustand';
import type { ContractError, Dashboard, DashboardWindow } from '../lib/contract-types';
import { api } from '../lib/api';
import { generation } from './generation';

interface DashboardSlice {
  window: DashboardWindow;
  data?: Dashboard;
  loading: boolean;
  error?: ContractError;
  /** Reads the window's series (the database aggregates them: api.dashboard). */
  load(window?: DashboardWindow): Promise<void>;
  reset(): void;
}

let asked = 0;

export const useDashboard = create<DashboardSlice>((set, get) => ({
  window: '7d',
  loading: false,
  reset: () => set({ window: '7d', data: undefined, loading: false, error: undefined }),
  async load(window = get().window) {
    const g = generation();
    const mine = ++asked;
    set({ window, loading: true });
    const r = await api.call('dashboard:get', { window });
    // An answer for someone who signed out since, or to a request a newer one replaced: not shown.
    if (g !== generation() || mine !== asked) return;
    if (r.ok) set({ data: r.value, error: undefined, loading: false });
    else set({ error: r.error, loading: false });
  },
}));
