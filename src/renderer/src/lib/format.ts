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

// Keys: the action table in lib/keymap.ts (the key handler, the palette and the help sheet come from it).

/** "just now", "3 min ago", "2 h ago", "4 d ago" (or "in 3 min" for a future time). */
export function timeAgo(iso: string, now = Date.now()): string {
  const diff = now - new Date(iso).getTime();
  if (!Number.isFinite(diff)) return '';
  const mins = Math.round(Math.abs(diff) / 60_000);
  const span = mins < 1 ? '' : mins < 60 ? `${mins} min` : mins < 60 * 24 ? `${Math.floor(mins / 60)} h` : `${Math.floor(mins / 1440)} d`;
  if (!span) return 'just now';
  return diff >= 0 ? `${span} ago` : `in ${span}`;
}

/** A time a person reads: "14:05, 3 min ago" (today) or the local date and time, with how long ago. */
export function humanTime(iso: string, now = Date.now()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const today = new Date(now).toDateString() === d.toDateString();
  const when = today ? fmtHm(iso) : d.toLocaleString([], { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return `${when}, ${timeAgo(iso, now)}`;
}

/** The first 8 characters of a case id: enough to tell cases apart on screen. */
export const shortId = (id: string) => id.slice(0, 8);

/** A case as a person names it: "3f2a9c1d (post-123)", or the short id when the content id is unknown. */
export const caseName = (id: string, contentId?: string | null) => (contentId ? `${shortId(id)} (${contentId})` : shortId(id));

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const ISO = /\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)\b/g;

/**
 * A server message made readable: case UUIDs become the case's name (content id when known), ISO
 * timestamps become "14:05, 3 min ago". Anything else is left as the server wrote it.
 */
export function humanizeMessage(text: string, opts: { contentIdOf?: (caseId: string) => string | undefined; now?: number } = {}): string {
  const now = opts.now ?? Date.now();
  return text
    .replace(ISO, (m) => (Number.isNaN(new Date(m).getTime()) ? m : humanTime(m, now)))
    .replace(UUID, (m) => caseName(m, opts.contentIdOf?.(m.toLowerCase()) ?? opts.contentIdOf?.(m)));
}

/** A note's own text (untrusted: to be shown as text, never markup), or undefined for any other event. */
export function noteText(e: { type: string; payload: unknown }): string | undefined {
  if (e.type !== 'case.note') return undefined;
  const t = (e.payload as Record<string, unknown> | null)?.text;
  return typeof t === 'string' ? t : undefined;
}
