export const fmtTime = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');
export const fmtClock = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleTimeString() : '—');
/** Hours and minutes, local time ("14:02"). */
export const fmtHm = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }) : '—');
export const label = (s: string | null | undefined) => (s ? s.replace(/_/g, ' ') : '—');

export function waitingFor(iso: string, now = Date.now()): string {
  const mins = Math.max(0, Math.round((now - new Date(iso).getTime()) / 60_000));
  if (mins < 60) return `${mins}m`;
  if (mins < 60 * 24) return `${Math.floor(mins / 60)}h ${mins % 60}m`;
  return `${Math.floor(mins / 1440)}d`;
}

/** True when a key press should go to a shortcut (not typed into a field or a dialog). */
export function isShortcutTarget(e: KeyboardEvent): boolean {
  if (e.ctrlKey || e.metaKey || e.altKey) return false;
  const t = e.target as HTMLElement | null;
  if (!t) return true;
  if (t.closest('input, textarea, select, [contenteditable="true"], [role="dialog"], [role="alertdialog"]')) return false;
  return true;
}

export const DECISION_KEYS: Record<string, string> = {
  approve: 'a',
  warn: 'w',
  remove: 'r',
  remove_and_ban: 'b',
  escalate: 'e',
  uphold: 'u',
  overturn: 'o',
};
