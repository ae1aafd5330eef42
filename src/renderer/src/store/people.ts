// The admins' People screen (issue 15): the list, and add / disable / change role through the people
// functions of the database, which decide who may and audit it. The store forwards every request as asked:
// a refusal is the database's, shown with its words. A one-time password lives here only until the admin
// dismisses it, leaves the screen or signs out; nothing can show it again.
import { create } from 'zustand';
import type { ContractError, PersonAdded, PersonEntry, Role } from '../lib/contract-types';
import { api } from '../lib/api';
import { generation } from './generation';

export interface PeopleNotice {
  kind: 'ok' | 'error';
  text: string;
}

interface PeopleSlice {
  people: PersonEntry[];
  loading: boolean;
  /** The list could not be read. */
  error?: ContractError;
  /** The outcome of the last change: applied, or the database's refusal. */
  notice?: PeopleNotice;
  /** The person just added (or reset), with their one-time password: shown once. */
  added?: PersonAdded;
  /** A change on its way, for this person id. */
  busy?: string;
  refresh(): Promise<void>;
  add(i: { id: string; role: Role; displayName?: string }): Promise<boolean>;
  disable(id: string): Promise<boolean>;
  setRole(id: string, role: Role): Promise<boolean>;
  /** Forgets the one-time password (dismissed, or the screen was left). */
  dismissAdded(): void;
  dismissNotice(): void;
  reset(): void;
}

const refused = (what: string, e: ContractError): PeopleNotice => ({ kind: 'error', text: `${what} refused (${e.code}): ${e.message}` });

export const usePeople = create<PeopleSlice>((set, get) => {
  /** One change: busy while on its way, then the notice and a fresh list (for the same person only). */
  async function change<T>(id: string, what: string, call: () => Promise<{ ok: true; value: T } | { ok: false; error: ContractError }>, done: (v: T) => Partial<PeopleSlice>) {
    const g = generation();
    set({ busy: id, notice: undefined });
    const r = await call();
    if (g !== generation()) return false;
    set(r.ok ? { busy: undefined, ...done(r.value) } : { busy: undefined, notice: refused(what, r.error) });
    await get().refresh();
    return r.ok;
  }
  return {
    people: [],
    loading: false,
    async refresh() {
      const g = generation();
      set({ loading: true });
      const r = await api.call('people:list', {});
      if (g !== generation()) return;
      set(r.ok ? { people: r.value, loading: false, error: undefined } : { loading: false, error: r.error });
    },
    add: (i) =>
      change(i.id, `Adding ${i.id}`, () => api.call('people:add', i), (p) => ({
        added: p,
        notice: { kind: 'ok', text: `${p.id} (${p.displayName}) is ${p.role}; login ${p.login}.` },
      })),
    disable: (id) =>
      change(id, `Disabling ${id}`, () => api.call('people:disable', { id }), (p) => ({
        notice: { kind: 'ok', text: `${p.id} is disabled: the login ${p.login} can no longer connect, and their open sessions were ended.` },
      })),
    setRole: (id, role) =>
      change(id, `Changing ${id}'s role`, () => api.call('people:setRole', { id, role }), (p) => ({ notice: { kind: 'ok', text: `${p.id} is now ${p.role}.` } })),
    dismissAdded: () => set({ added: undefined }),
    dismissNotice: () => set({ notice: undefined }),
    reset: () => set({ people: [], loading: false, error: undefined, notice: undefined, added: undefined, busy: undefined }),
  };
});
