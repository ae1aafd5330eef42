// The undo window (issue 14): a decision is held here for `undoSeconds` (GUARDIAN_UNDO_SECONDS, a managed
// setting; 0 sends at once) with "Undo" before it is sent. Undo gives the draft back to the form, on its
// case. One decision is held at a time: deciding another one sends the held one first.
//
// Held in this window only: if the app closes (or the person signs out) during the window the decision is
// NOT sent — nothing half-done reaches the team, and the bar says so. Once sent, the outbox keeps it as
// every other command (DESIGN §9).
import { afterFirstPage } from '../lib/startup';
import { create } from 'zustand';
import type { CommandOutcome, ContractError } from '../lib/contract-types';
import { api, newCommandId } from '../lib/api';
import { generation } from './generation';
import { heldLabel, useCase, type HeldDecision } from './case';
import { useQueue } from './queue';

/** What the form had: given back by Undo. */
export interface Draft {
  choice: string;
  reason: string;
  policies: string[];
  hours: string;
}

export interface Held {
  caseId: string;
  contentId: string;
  version: number;
  commandId: string;
  decision: HeldDecision;
  draft: Draft;
  /** When it was held and when it is sent (ms since the epoch). */
  heldAt: number;
  dueAt: number;
}

/** The last held decision sent: its outcome, shown in the bar until dismissed or the next one. */
export interface Sent {
  caseId: string;
  contentId: string;
  label: string;
  result: { ok: true; value: CommandOutcome } | { ok: false; error: ContractError };
}

interface HeldSlice {
  /** Seconds a decision is held; 0: sent at once. Read from the settings (undoSeconds). */
  undoSeconds: number;
  held?: Held;
  sent?: Sent;
  /** A draft Undo gave back, until the form of its case takes it. */
  restored?: { caseId: string; draft: Draft };
  loadSetting(): Promise<void>;
  setUndoSeconds(s: number): void;
  /** Holds the decision (or sends it at once when the window is 0): 'held', or whether the send succeeded. */
  hold(h: Omit<Held, 'heldAt' | 'dueAt' | 'commandId'>): Promise<'held' | boolean>;
  undo(): boolean;
  /** Sends the held decision now. */
  flush(): Promise<void>;
  takeRestored(caseId: string): Draft | undefined;
  dismissSent(): void;
  /** Sign-out: the held decision is dropped, not sent (it was the previous person's). */
  reset(): void;
}

let timer: ReturnType<typeof setTimeout> | undefined;
const stop = () => {
  if (timer) clearTimeout(timer);
  timer = undefined;
};

export const useHeld = create<HeldSlice>((set, get) => {
  async function send(h: Held): Promise<boolean> {
    stop();
    if (get().held?.commandId === h.commandId) set({ held: undefined });
    const g = generation();
    const result = await useCase.getState().sendHeld({ caseId: h.caseId, version: h.version, commandId: h.commandId }, h.decision);
    if (g !== generation()) return false;
    // On the open case (or sent at once, with no window) the case's notice says how it went, as before.
    if (h.dueAt > h.heldAt && useCase.getState().caseId !== h.caseId) set({ sent: { caseId: h.caseId, contentId: h.contentId, label: heldLabel(h.decision), result } });
    return result.ok;
  }
  return {
    // Until the settings are read: a host that does not list the setting has no window.
    undoSeconds: 0,
    async loadSetting() {
      await afterFirstPage();
      const r = await api.call('settings:get', {});
      if (!r.ok) return;
      const v = r.value.settings.find((s) => s.key === 'undoSeconds')?.value;
      set({ undoSeconds: typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0 });
    },
    setUndoSeconds: (undoSeconds) => set({ undoSeconds }),
    async hold(input) {
      const prev = get().held;
      if (prev) await send(prev);
      const now = Date.now();
      const h: Held = { ...input, commandId: newCommandId(), heldAt: now, dueAt: now + get().undoSeconds * 1000 };
      set({ sent: undefined, restored: undefined });
      if (get().undoSeconds <= 0) return send(h);
      set({ held: h });
      timer = setTimeout(() => void send(h), get().undoSeconds * 1000);
      return 'held';
    },
    undo() {
      const h = get().held;
      if (!h) return false;
      stop();
      set({ held: undefined, restored: { caseId: h.caseId, draft: h.draft } });
      // Back to the case it was made on, with the draft in its form.
      useQueue.getState().select(h.caseId);
      if (useCase.getState().caseId !== h.caseId) void useCase.getState().open(h.caseId);
      return true;
    },
    async flush() {
      const h = get().held;
      if (h) await send(h);
    },
    takeRestored(caseId) {
      const r = get().restored;
      if (!r || r.caseId !== caseId) return undefined;
      set({ restored: undefined });
      return r.draft;
    },
    dismissSent: () => set({ sent: undefined }),
    reset() {
      stop();
      set({ held: undefined, sent: undefined, restored: undefined });
    },
  };
});
