import { z } from 'zod';
import { csvLines } from './csv.js';

/** The supervisor dashboard's windows: 24 hourly buckets, or 7 / 30 daily ones (UTC). */
export const DashboardWindow = z.enum(['24h', '7d', '30d']);
export type DashboardWindow = z.infer<typeof DashboardWindow>;

/** One bucket of the window (api.dashboard, resources/db/functions/api/dashboard.sql, defines each number). */
export const DashboardBucket = z.object({
  start: z.string(),
  /** Reviews open at the bucket's end (or now, for the current bucket). */
  backlog: z.number().int(),
  /** Of those, open longer than the SLA (urgent: a quarter of it). */
  slaBreached: z.number().int(),
  /** Cases created in the bucket: settled by the agent alone, sent to a person, or neither yet. */
  intake: z.number().int(),
  automatic: z.number().int(),
  reviewed: z.number().int(),
  other: z.number().int(),
  /** First-level human decisions compared with the AI's suggestion. */
  decided: z.number().int(),
  agreed: z.number().int(),
  agreement: z.number().nullable(),
  appealsDecided: z.number().int(),
  overturned: z.number().int(),
  overturnRate: z.number().nullable(),
});
export type DashboardBucket = z.infer<typeof DashboardBucket>;

export const DashboardModerator = z.object({
  actor: z.string(),
  displayName: z.string(),
  /** Decisions and appeal decisions applied in the window. */
  decisions: z.number().int(),
  /** Those with a claim to time them from. */
  timed: z.number().int(),
  medianSeconds: z.number().nullable(),
  p90Seconds: z.number().nullable(),
});
export type DashboardModerator = z.infer<typeof DashboardModerator>;

export const Dashboard = z.object({
  window: DashboardWindow,
  bucket: z.enum(['hour', 'day']),
  from: z.string(),
  to: z.string(),
  asOf: z.string(),
  slaMinutes: z.number().int(),
  buckets: z.array(DashboardBucket),
  categories: z.array(z.object({ category: z.string(), count: z.number().int() })),
  moderators: z.array(DashboardModerator),
});
export type Dashboard = z.infer<typeof Dashboard>;

const rows = (header: string[], body: Array<Array<string | number | null>>) => csvLines([header, ...body]);

/**
 * The dashboard as CSV (RFC 4180, CRLF): three sections separated by a blank line — the buckets, the intake
 * by category and the per-moderator figures — each with its header. Rates are fractions (0–1), times
 * seconds; an empty cell is "no data" (no decisions in the bucket, no timed decision).
 */
export function dashboardCsv(d: Dashboard): string {
  const buckets = rows(
    ['bucket_start', 'backlog', 'sla_breached', 'intake', 'automatic', 'reviewed', 'other', 'decided', 'agreed', 'agreement', 'appeals_decided', 'overturned', 'overturn_rate'],
    d.buckets.map((b) => [b.start, b.backlog, b.slaBreached, b.intake, b.automatic, b.reviewed, b.other, b.decided, b.agreed, b.agreement, b.appealsDecided, b.overturned, b.overturnRate]),
  );
  const categories = rows(['category', 'intake'], d.categories.map((c) => [c.category, c.count]));
  const people = rows(
    ['moderator', 'name', 'decisions', 'timed', 'median_seconds', 'p90_seconds'],
    d.moderators.map((m) => [m.actor, m.displayName, m.decisions, m.timed, m.medianSeconds, m.p90Seconds]),
  );
  return `${buckets}\r\n\r\n${categories}\r\n\r\n${people}\r\n`;
}

// How the dashboard writes its numbers, in its tables and its charts' labels (the e2e spec reads the tables
// back through these same functions and compares them with the database's figures).
export const fmtCount = (n: number) => String(n);
export const fmtRate = (r: number | null) => (r === null ? '—' : `${Math.round(r * 100)} %`);
/** Seconds as "45 s" under two minutes, else minutes with one decimal ("4.5 min"). */
export const fmtSeconds = (s: number | null) => (s === null ? '—' : s < 120 ? `${Math.round(s)} s` : `${(s / 60).toFixed(1)} min`);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** A bucket's start in UTC: "13:00" for hours, "3 Dec" for days. */
export function fmtBucket(start: string, bucket: Dashboard['bucket']): string {
  const d = new Date(start);
  return bucket === 'hour' ? `${String(d.getUTCHours()).padStart(2, '0')}:00` : `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
}
