// The SLA countdown a row and the case view show (issue 14, "Order and time"): pure, so the renderer and
// its tests share it. The deadline is the case's sla_due_at (set by worker.sync_review from its priority
// and severity); the window it counts down is taken from the case's creation (when it entered the queue).

export type SlaLevel = 'ok' | 'soon' | 'overdue';

export interface SlaView {
  level: SlaLevel;
  /** What the row shows: "1h 12m left", "overdue 5m". */
  text: string;
  /** The same in words for assistive technology, with the level said, not only coloured. */
  spoken: string;
  /** Milliseconds left (negative: overdue). */
  leftMs: number;
}

/** "Soon" (amber) under this much time left at most… */
export const SLA_SOON_MAX_MS = 30 * 60_000;
/** …or under this share of the window, whichever comes later (a short urgent window is not amber throughout). */
export const SLA_SOON_SHARE = 0.25;

/** "2d 3h", "1h 12m", "12m", "45s": the two largest units, rounded down. */
export function shortSpan(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return h ? `${d}d ${h}h` : `${d}d`;
  if (h > 0) return m ? `${h}h ${m}m` : `${h}h`;
  if (m > 0) return `${m}m`;
  return `${s % 60}s`;
}

const spokenSpan = (ms: number) =>
  shortSpan(ms)
    .replace(/(\d+)d/, (_, n) => `${n} day${n === '1' ? '' : 's'}`)
    .replace(/(\d+)h/, (_, n) => `${n} hour${n === '1' ? '' : 's'}`)
    .replace(/(\d+)m/, (_, n) => `${n} minute${n === '1' ? '' : 's'}`)
    .replace(/(\d+)s/, (_, n) => `${n} second${n === '1' ? '' : 's'}`);

/** The amber threshold for a window: the smaller of 30 minutes and a quarter of the window. */
export function soonThresholdMs(windowMs: number): number {
  return windowMs > 0 ? Math.min(SLA_SOON_MAX_MS, windowMs * SLA_SOON_SHARE) : SLA_SOON_MAX_MS;
}

/** The countdown of a deadline at `now`; null without one. `startIso`: when the window began (created_at). */
export function slaView(dueIso: string | null | undefined, startIso: string | null | undefined, now: number): SlaView | null {
  if (!dueIso) return null;
  const due = Date.parse(dueIso);
  if (Number.isNaN(due)) return null;
  const leftMs = due - now;
  if (leftMs < 0) {
    // Rounded up to the second: never "overdue 0s".
    const over = Math.ceil(-leftMs / 1000) * 1000;
    return { level: 'overdue', leftMs, text: `overdue ${shortSpan(over)}`, spoken: `SLA overdue by ${spokenSpan(over)}` };
  }
  const start = startIso ? Date.parse(startIso) : NaN;
  const soon = leftMs < soonThresholdMs(Number.isNaN(start) ? 0 : due - start);
  return {
    level: soon ? 'soon' : 'ok',
    leftMs,
    text: `${shortSpan(leftMs)} left`,
    spoken: `SLA ${spokenSpan(leftMs)} left${soon ? ', due soon' : ''}`,
  };
}
