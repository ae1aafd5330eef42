// The dead letters console (issue 15, admins). Reads and commands go through the contract to the database
// functions, which refuse anyone but an admin; the worker carries a replay out, so a row stays "replay on its
// way" until it did, and the view reads again until then.
import { create } from 'zustand';
import type { ContractError, DeadLetterActionResult, DeadLetterDetail, DeadLetterSummary } from '../lib/contract-types';
import { api, newCommandId } from '../lib/api';
import { generation } from './generation';

export type DeadLetterFilter = 'pending' | 'replayed' | 'discarded' | 'all';

interface DeadLettersSlice {
  filter: DeadLetterFilter;
  items: DeadLetterSummary[];
  loading: boolean;
  selected: number[];
  open?: DeadLetterDetail;
  /** The last replay or discard, for the status line. */
  last?: DeadLetterActionResult;
  error?: ContractError;
  setFilter(f: DeadLetterFilter): Promise<void>;
  refresh(): Promise<void>;
  toggle(id: number): void;
  selectAll(on: boolean): void;
  inspect(id: number | undefined): Promise<void>;
  act(action: 'replay' | 'discard', ids: number[]): Promise<void>;
  reset(): void;
}

/** A replay asked for and not yet carried out by the worker. */
export const replayOnItsWay = (d: DeadLetterSummary) => d.state === 'pending' && d.replayRequestedAt !== null;

export const useDeadLetters = create<DeadLettersSlice>((set, get) => ({
  filter: 'pending',
  items: [],
  loading: false,
  selected: [],
  reset: () => set({ filter: 'pending', items: [], selected: [], open: undefined, last: undefined, error: undefined, loading: false }),
  async setFilter(filter) {
    set({ filter, selected: [] });
    await get().refresh();
  },
  async refresh() {
    const g = generation();
    set({ loading: true });
    const f = get().filter;
    const r = await api.call('deadLetters:list', { state: f === 'all' ? null : f, limit: 500 });
    if (g !== generation()) return;
    if (!r.ok) return set({ loading: false, error: r.error });
    const ids = new Set(r.value.map((d) => d.id));
    set({ loading: false, items: r.value, error: undefined, selected: get().selected.filter((id) => ids.has(id)) });
    const open = get().open;
    if (open) {
      const fresh = r.value.find((d) => d.id === open.id);
      if (fresh && (fresh.state !== open.state || fresh.replayRequestedAt !== open.replayRequestedAt)) await get().inspect(open.id);
    }
  },
  toggle(id) {
    const s = get().selected;
    set({ selected: s.includes(id) ? s.filter((x) => x !== id) : [...s, id] });
  },
  selectAll(on) {
    set({ selected: on ? get().items.filter((d) => d.state === 'pending' && !replayOnItsWay(d)).map((d) => d.id) : [] });
  },
  async inspect(id) {
    if (id === undefined) return set({ open: undefined });
    const g = generation();
    const r = await api.call('deadLetters:get', { id });
    if (g !== generation()) return;
    if (!r.ok) return set({ error: r.error });
    set({ open: r.value });
  },
  async act(action, ids) {
    const g = generation();
    const r = await api.call(action === 'replay' ? 'deadLetters:replay' : 'deadLetters:discard', { ids, commandId: newCommandId() });
    if (g !== generation()) return;
    if (!r.ok) return set({ error: r.error });
    set({ last: r.value, selected: [], error: undefined });
    await get().refresh();
  },
}));
