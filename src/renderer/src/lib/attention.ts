// What deserves a notification, and the count in the window title and the badge (issue 14). Pure: no
// React, no window; store/notifications.ts feeds it the queue's rows and the outbox's conflicts, and
// lib/notify.ts carries what it decides to the shell (Electron) or the browser (dev host).
import type { CaseSummary, Role } from '../../../shared/domain.js';

/** The kinds of notification; each can be muted in Settings (per person on this computer). */
export const NOTIFY_KINDS = ['urgent', 'routed', 'conflict'] as const;
export type NotifyKind = (typeof NOTIFY_KINDS)[number];

export const KIND_LABELS: Record<NotifyKind, string> = {
  urgent: 'Urgent cases arriving',
  routed: 'Appeals and escalations for your role',
  conflict: 'A conflict on one of your commands',
};

export type Muted = Partial<Record<NotifyKind, boolean>>;

export interface Notice {
  kind: NotifyKind;
  /** The case it is about (the key of "seen"). */
  caseId: string;
  title: string;
  body: string;
}

type Attn = Pick<CaseSummary, 'id' | 'status' | 'priority' | 'level' | 'reviewKind' | 'contentId' | 'textPreview'>;

/** Supervisors and admins take escalations (level 2) and appeals; moderators do not. */
export const takesRouted = (role: Role | undefined) => role === 'supervisor' || role === 'admin';

/** The kind a case awaiting review calls for, for a person of this role (none: undefined). */
export function kindOf(c: Attn, role: Role | undefined): Exclude<NotifyKind, 'conflict'> | undefined {
  if (c.status !== 'awaiting_review') return undefined;
  if (takesRouted(role) && (c.level >= 2 || c.reviewKind === 'appeal')) return 'routed';
  if (c.priority === 'urgent') return 'urgent';
  return undefined;
}

/** The key of one "arrival": a case escalated or appealed later arrives again (a new level or kind). */
export const arrivalKey = (c: Attn) => `${c.id}:${c.level}:${c.reviewKind ?? ''}`;

const preview = (s: string) => (s.length > 120 ? `${s.slice(0, 119)}…` : s);

export function noticeFor(c: Attn, kind: Exclude<NotifyKind, 'conflict'>): Notice {
  const what = kind === 'urgent' ? 'Urgent case' : c.reviewKind === 'appeal' ? 'Appeal to review' : 'Escalated to your role';
  return { kind, caseId: c.id, title: `${what}: ${c.contentId}`, body: preview(c.textPreview) };
}

export interface Arrivals {
  /** Arrival keys known so far (every case calling for attention ever seen in the list). */
  known: Set<string>;
  /** What arrived now, in list order. */
  fresh: Array<{ c: Attn; kind: Exclude<NotifyKind, 'conflict'> }>;
}

/**
 * The cases in `rows` calling for this person's attention that were not in `known`. `known` is not
 * changed; the answer's `known` is the new set. The first read of a list (`known` null) is a baseline:
 * what was already waiting when the person signed in is counted, not announced.
 */
export function arrivals(known: Set<string> | null, rows: readonly Attn[], role: Role | undefined): Arrivals {
  const next = new Set(known ?? []);
  const fresh: Arrivals['fresh'] = [];
  for (const c of rows) {
    const kind = kindOf(c, role);
    if (!kind) continue;
    const key = arrivalKey(c);
    if (next.has(key)) continue;
    next.add(key);
    if (known) fresh.push({ c, kind });
  }
  return { known: next, fresh };
}

/** Whether a notice of this kind is shown (muted kinds are still counted). */
export const audible = (kind: NotifyKind, muted: Muted) => !muted[kind];

/**
 * Unseen items: arrived, not yet opened, still calling for attention (decided elsewhere, released to
 * another level or gone from the list: no longer counted).
 */
export function unseenCount(unseen: ReadonlySet<string>, rows: readonly Attn[], role: Role | undefined, conflicts: number): number {
  let n = conflicts;
  for (const c of rows) if (unseen.has(c.id) && kindOf(c, role)) n++;
  return n;
}

export const BASE_TITLE = 'Guardian Workstation';
/** "(3) Guardian Workstation"; the plain title at zero. */
export const titleFor = (count: number, base = BASE_TITLE) => (count > 0 ? `(${count}) ${base}` : base);
