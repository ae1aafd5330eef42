// Notifications (issue 14): urgent arrivals, appeals and escalations routed to the person's role, and a
// conflict on one of their own commands. What counts and what is new is lib/attention.ts (pure); how it
// is shown is the port (lib/notify.ts). The count of unseen items is the window title ("(3) Guardian
// Workstation") and the badge. Mutes are per person on this computer (localStorage), not in the database.
import { create } from 'zustand';
import { arrivals, audible, BASE_TITLE, noticeFor, titleFor, unseenCount, type Muted, type Notice, type NotifyKind } from '../lib/attention';
import { createNotifyPort, type NotifyPort } from '../lib/notify';
import type { OutboxEntry, Role } from '../lib/contract-types';
import type { Row } from './queue-sync';

const MUTE_KEY = (userId: string) => `guardian.notify.muted.${userId}`;
const TOAST_MAX = 4;

function loadMuted(userId: string | undefined): Muted {
  if (!userId) return {};
  try {
    const v = JSON.parse(localStorage.getItem(MUTE_KEY(userId)) ?? '{}') as unknown;
    return v && typeof v === 'object' ? (v as Muted) : {};
  } catch {
    return {};
  }
}

export interface Toast extends Notice {
  id: number;
}

interface NotificationsSlice {
  userId?: string;
  role?: Role;
  muted: Muted;
  /** Case ids arrived and not opened yet. */
  unseen: Set<string>;
  /** Outbox entry ids in conflict not looked at yet, by case. */
  conflicts: Map<string, string>;
  count: number;
  toasts: Toast[];
  /** The person signed in here (their mutes; a baseline for the next list). */
  person(userId: string | undefined, role: Role | undefined): void;
  setMuted(kind: NotifyKind, muted: boolean): void;
  /** The queue's rows changed; `baseline`: a (re)load, whatever it brings was already there. */
  observe(rows: readonly Row[], baseline: boolean): void;
  /** One of the person's commands changed state in the outbox; `looking`: its case is open (shown there, not notified). */
  outbox(e: OutboxEntry, looking: boolean): void;
  /** The person opened this case: it is seen. */
  seen(caseId: string | undefined): void;
  dismiss(id: number): void;
  reset(): void;
}

let known: Set<string> | null = null;
let rowsNow: readonly Row[] = [];
let toastSeq = 0;
let port: NotifyPort | undefined;

export const useNotifications = create<NotificationsSlice>((set, get) => {
  const toast = (n: Notice) => set({ toasts: [...get().toasts, { ...n, id: ++toastSeq }].slice(-TOAST_MAX) });
  const portOf = () => (port ??= createNotifyPort(toast));
  const recount = () => {
    const { unseen, role, conflicts } = get();
    const count = unseenCount(unseen, rowsNow, role, conflicts.size);
    if (count !== get().count) {
      set({ count });
      portOf().setCount(count);
    }
    document.title = titleFor(count);
    return count;
  };
  const announce = (n: Notice) => {
    if (audible(n.kind, get().muted)) void portOf().show(n, get().count);
  };
  return {
    muted: {},
    unseen: new Set(),
    conflicts: new Map(),
    count: 0,
    toasts: [],
    person(userId, role) {
      if (userId === get().userId && role === get().role) return;
      known = null;
      set({ userId, role, muted: loadMuted(userId), unseen: new Set(), conflicts: new Map(), toasts: [] });
      recount();
    },
    setMuted(kind, muted) {
      const next = { ...get().muted, [kind]: muted };
      const { userId } = get();
      if (userId) localStorage.setItem(MUTE_KEY(userId), JSON.stringify(next));
      set({ muted: next });
    },
    observe(rows, baseline) {
      rowsNow = rows;
      const a = arrivals(baseline ? null : known, rows, get().role);
      // A baseline keeps what was known before (a filter change must not announce old cases again).
      if (baseline && known) for (const k of known) a.known.add(k);
      known = a.known;
      if (a.fresh.length) {
        const unseen = new Set(get().unseen);
        for (const f of a.fresh) unseen.add(f.c.id);
        set({ unseen });
      }
      recount();
      for (const f of a.fresh) announce(noticeFor(f.c, f.kind));
    },
    outbox(e, looking) {
      if (e.state !== 'conflict' || looking || get().conflicts.has(e.id)) return;
      const conflicts = new Map(get().conflicts);
      conflicts.set(e.id, e.caseId);
      set({ conflicts });
      recount();
      announce({ kind: 'conflict', caseId: e.caseId, title: 'Your command met a conflict', body: `${e.summary} — the case changed before it arrived. Open the Outbox to resolve it.` });
    },
    seen(caseId) {
      if (!caseId) return;
      const { unseen, conflicts } = get();
      const hadConflict = [...conflicts.values()].includes(caseId);
      if (!unseen.has(caseId) && !hadConflict) return;
      const u = new Set(unseen);
      u.delete(caseId);
      set({ unseen: u, conflicts: hadConflict ? new Map([...conflicts].filter(([, c]) => c !== caseId)) : conflicts });
      recount();
    },
    dismiss: (id) => set({ toasts: get().toasts.filter((t) => t.id !== id) }),
    reset() {
      known = null;
      rowsNow = [];
      set({ userId: undefined, role: undefined, muted: {}, unseen: new Set(), conflicts: new Map(), toasts: [] });
      recount();
      document.title = BASE_TITLE;
    },
  };
});
