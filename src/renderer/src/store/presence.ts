import { create } from 'zustand';
import type { PresenceEntry } from '../../../shared/contract.js';

// Presence (issue 14): who else has a case open or is typing a decision on it. The database keeps it
// (api.touch_presence / api.presence, the person from the login), ephemeral with an expiry; this slice
// holds the last answer for the cases on screen, others only (the workstation leaves its own person out).
// How it travels: the renderer polls — see features/presence/PresenceSync.tsx for why and how often.

interface PresenceSlice {
  /** Others' presence per case id (absent: nobody else). */
  byCase: Record<string, PresenceEntry[]>;
  /** The queue rows on screen now (the poll reads their presence besides the open case's). */
  watched: string[];
  watch(ids: string[]): void;
  /** Replaces what is known for `asked` with `entries` (minus `me`). */
  took(asked: string[], entries: PresenceEntry[], me: string | undefined): void;
  reset(): void;
}

const EMPTY: PresenceEntry[] = [];

export const usePresence = create<PresenceSlice>((set, get) => ({
  byCase: {},
  watched: [],
  watch(ids) {
    const w = get().watched;
    if (w.length !== ids.length || w.some((id, i) => id !== ids[i])) set({ watched: ids });
  },
  took(asked, entries, me) {
    const next: Record<string, PresenceEntry[]> = {};
    for (const e of entries) if (e.personId !== me) (next[e.caseId] ??= []).push(e);
    const before = get().byCase;
    const byCase = { ...before };
    let changed = false;
    for (const id of asked) {
      const now = next[id];
      const old = before[id];
      if (same(old, now)) continue;
      changed = true;
      if (now) byCase[id] = now;
      else delete byCase[id];
    }
    if (changed) set({ byCase });
  },
  reset: () => set({ byCase: {}, watched: [] }),
}));

function same(a: PresenceEntry[] | undefined, b: PresenceEntry[] | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.length === b.length && a.every((x, i) => x.personId === b[i]!.personId && x.state === b[i]!.state);
}

/** Others' presence on one case (a stable empty array when nobody). */
export const usePresenceOf = (caseId: string | undefined) => usePresence((s) => (caseId ? (s.byCase[caseId] ?? EMPTY) : EMPTY));
