import type {
  ActionRecord,
  AnalysisResult,
  AppealOutcome,
  CaseStatus,
  CaseSummary,
  Decision,
  DecisionRecord,
  Priority,
  ReviewKind,
} from '../../shared/domain.js';
import type { CaseListRow, CaseQuery } from '../api.js';
import { queueRank } from '../../shared/queue-order.js';
import type { Queryable } from './db.js';

export interface CaseRow {
  id: string;
  content_id: string;
  author_id: string;
  text: string;
  url: string | null;
  reported_by: string | null;
  report_reason: string | null;
  priority: Priority;
  submitted_at: string;
  status: CaseStatus;
  level: number;
  review_kind: ReviewKind | null;
  verdict: string | null;
  severity: string | null;
  violation_type: string | null;
  analysis: AnalysisResult | null;
  interrupt_id: string | null;
  claimed_by: string | null;
  claim_until: string | null;
  claim_active: boolean;
  excluded_deciders: string[];
  last_decision: DecisionRecord | null;
  last_command_id: string | null;
  version: number;
  analysis_attempts: number;
  failure_reason: string | null;
  edited_after_decision_at?: string | null;
  sla_due_at: string | null;
  escalation_requested_by: string | null;
  escalation_requested_at: string | null;
  escalation_reason: string | null;
  created_at: string;
  updated_at: string;
}

// claim_active is computed in database time so that every workstation agrees on lease expiry.
export const CASE_COLUMNS = `c.*, (c.claim_until IS NOT NULL AND c.claim_until > now()) AS claim_active`;

// A list needs the summary only: no analysis, and just the start of the text (it becomes the preview).
const SUMMARY_COLUMNS = `c.id, c.content_id, c.author_id, left(c.text, 200) AS text, c.priority, c.status, c.level,
  c.review_kind, c.verdict, c.severity, c.violation_type, c.claimed_by, c.claim_until, c.version, c.sla_due_at,
  c.created_at, c.updated_at, c.escalation_requested_by, c.escalation_requested_at, c.escalation_reason,
  (c.claim_until IS NOT NULL AND c.claim_until > now()) AS claim_active`;

const TIME_COLUMNS = ['submitted_at', 'claim_until', 'sla_due_at', 'escalation_requested_at', 'created_at', 'updated_at'] as const;

/**
 * A case row as a command function returns it (jsonb, see private.case_json): the same fields as a query's
 * row, with timestamps in the form the type parser gives everywhere else (ISO, milliseconds, Z).
 */
export function caseRowFromJson(j: Record<string, unknown>): CaseRow {
  const row = { ...j } as Record<string, unknown>;
  for (const k of TIME_COLUMNS) if (typeof row[k] === 'string') row[k] = new Date(row[k] as string).toISOString();
  row.excluded_deciders ??= [];
  return row as unknown as CaseRow;
}

export function toSummary(r: Pick<CaseRow, keyof CaseRow>): CaseSummary {
  return {
    id: r.id,
    contentId: r.content_id,
    authorId: r.author_id,
    status: r.status,
    level: r.level,
    reviewKind: r.review_kind,
    version: r.version,
    severity: (r.severity as CaseSummary['severity']) ?? null,
    violationType: (r.violation_type as CaseSummary['violationType']) ?? null,
    verdict: (r.verdict as CaseSummary['verdict']) ?? null,
    priority: r.priority,
    claimedBy: r.claim_active ? r.claimed_by : null,
    claimUntil: r.claim_active ? r.claim_until : null,
    textPreview: r.text.length > 160 ? `${r.text.slice(0, 157)}...` : r.text,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    slaDueAt: r.sla_due_at,
    escalationRequest: r.escalation_requested_by
      ? { by: r.escalation_requested_by, at: r.escalation_requested_at!, reason: r.escalation_reason ?? '' }
      : null,
  };
}

/** What a reviewer may decide for a case in its current state. */
export function allowedDecisions(r: Pick<CaseRow, 'status' | 'review_kind' | 'level'>): Array<Decision | AppealOutcome> {
  if (r.status !== 'awaiting_review') return [];
  if (r.review_kind === 'appeal') return ['uphold', 'overturn'];
  const all: Decision[] = ['approve', 'warn', 'remove', 'remove_and_ban', 'escalate'];
  return r.level >= 2 ? all.filter((d) => d !== 'escalate') : all;
}

export async function getCaseRow(q: Queryable, caseId: string, forUpdate = false): Promise<CaseRow | undefined> {
  const { rows } = await q.query<CaseRow>(
    `SELECT ${CASE_COLUMNS} FROM cases c WHERE c.id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`,
    [caseId],
  );
  return rows[0];
}

export async function getCaseByContentId(q: Queryable, contentId: string): Promise<CaseRow | undefined> {
  const { rows } = await q.query<CaseRow>(`SELECT ${CASE_COLUMNS} FROM cases c WHERE c.content_id = $1`, [contentId]);
  return rows[0];
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string) => UUID_RE.test(s);

/** The list query (with keyset paging and incremental reads) and its rows: see CaseQuery in api.ts. */
export type CaseListQuery = CaseQuery;
export type { CaseListRow };

/** Where the next incremental read starts: api.change_watermark() (resources/db/functions/api) says why. */
export async function changeWatermark(q: Queryable): Promise<string> {
  const { rows } = await q.query<{ watermark: string }>('SELECT api.change_watermark() AS watermark');
  return rows[0]!.watermark;
}

/**
 * The queue's priority order (issue 14), the same everywhere (src/shared/queue-order.ts for TypeScript: the
 * renderer's merges, the offline cache; the index cases_queue_priority_idx of migration 1764000000013):
 *   1. rank: urgent 0, then severity critical 1, high 2, medium 3, low 4, none or not analysed 5;
 *   2. due: the SLA deadline, soonest first (none: last);
 *   3. created_at, then id.
 * The two expressions are spelt exactly as in the index (the planner matches them as written).
 */
export const QUEUE_RANK_SQL = `(CASE WHEN c.priority = 'urgent' THEN 0 WHEN c.severity = 'critical' THEN 1 WHEN c.severity = 'high' THEN 2
        WHEN c.severity = 'medium' THEN 3 WHEN c.severity = 'low' THEN 4 ELSE 5 END)`;
export const QUEUE_DUE_SQL = `(COALESCE(c.sla_due_at, 'infinity'::timestamptz))`;
export const QUEUE_ORDER_SQL = `${QUEUE_RANK_SQL}, ${QUEUE_DUE_SQL}, c.created_at, c.id`;

export async function listCases(q: Queryable, f: CaseListQuery): Promise<CaseListRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  // One status is an equality, so the queue-order index serves the ORDER BY (= ANY gives no order).
  const oneStatus = f.status?.length === 1;
  if (oneStatus) where.push(`c.status = ${p(f.status![0])}`);
  else if (f.status?.length) where.push(`c.status = ANY(${p(f.status)})`);
  if (f.level) where.push(`c.level = ${p(f.level)}`);
  if (f.authorId) where.push(`c.author_id = ${p(f.authorId)}`);
  if (f.escalationRequested) where.push('c.escalation_requested_at IS NOT NULL');
  if (f.claimedBy) where.push(`c.claimed_by = ${p(f.claimedBy)} AND c.claim_until > now()`);
  if (f.search) {
    const s = p(`%${f.search.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
    where.push(`(c.text ILIKE ${s} OR c.author_id ILIKE ${s} OR c.content_id ILIKE ${s})`);
  }
  const n = Math.min(Math.max(f.limit ?? 100, 1), 100_000);
  const limit = p(n);
  // Before the data: see api.change_watermark().
  const watermark = f.withWatermark || f.updatedSince ? await changeWatermark(q) : undefined;
  const filtered = (extra: string[] = []) => {
    const all = [...where, ...extra];
    return all.length ? `WHERE ${all.join(' AND ')}` : '';
  };

  let sql: string;
  if (f.updatedSince) {
    // What changed, in or out of the filters: the caller drops the rows that no longer match.
    sql = `SELECT ${SUMMARY_COLUMNS}, (${where.length ? where.join(' AND ') : 'true'}) IS TRUE AS matches
             FROM cases c WHERE c.updated_at >= ${p(f.updatedSince)}::timestamptz
            ORDER BY c.updated_at, c.id LIMIT ${limit}`;
  } else if (f.after) {
    // Keyset: the rows after the cursor in QUEUE_ORDER_SQL, one row comparison (with one status, a range
    // scan of cases_queue_priority_idx). Rank and deadline are the cursor's own, as the client's row shows
    // them (the row's key can change: a later severity, a new SLA), the deadline exact (set at millisecond
    // precision). created_at has microseconds the API does not show: the cursor row's own (it never
    // changes). A cursor without severity/slaDueAt (an older client) takes the row's current ones.
    const a = f.after;
    const id = p(a.id);
    const own = (col: string) => `(SELECT ${col} FROM cases c WHERE c.id = ${id})`;
    const rank = a.severity !== undefined ? p(queueRank(a.priority, a.severity)) : own(QUEUE_RANK_SQL);
    const due = a.slaDueAt !== undefined ? `${p(a.slaDueAt ?? 'infinity')}::timestamptz` : own(QUEUE_DUE_SQL);
    const t = `COALESCE(${own('c.created_at')}, ${p(a.createdAt)}::timestamptz)`;
    const after = `(${QUEUE_RANK_SQL}, ${QUEUE_DUE_SQL}, c.created_at, c.id) > (${rank}::int, ${due}, ${t}, ${id}::uuid)`;
    sql = `SELECT ${SUMMARY_COLUMNS} FROM cases c ${filtered([after])} ORDER BY ${QUEUE_ORDER_SQL} LIMIT ${limit}`;
  } else {
    const offset = p(Math.max(f.offset ?? 0, 0));
    sql = `SELECT ${SUMMARY_COLUMNS} FROM cases c ${filtered()} ORDER BY ${QUEUE_ORDER_SQL} LIMIT ${limit} OFFSET ${offset}`;
  }
  const { rows } = await q.query<CaseRow & { matches?: boolean }>(sql, params);
  return rows.map((r) => {
    const row: CaseListRow = toSummary(r);
    if (watermark) row.watermark = watermark;
    if (f.updatedSince) row.matches = r.matches === true;
    return row;
  });
}

interface ActionRow {
  id: string;
  kind: ActionRecord['kind'];
  status: ActionRecord['status'];
  reversible: boolean;
  reverses: string | null;
  command_id: string | null;
  attempts: number;
  last_error: string | null;
  duration_hours: number | null;
  created_at: string;
  executed_at: string | null;
}

export async function listActions(q: Queryable, caseId: string): Promise<ActionRecord[]> {
  const { rows } = await q.query<ActionRow>('SELECT * FROM actions WHERE case_id = $1 ORDER BY seq, created_at', [caseId]);
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    status: r.status,
    reversible: r.reversible,
    reverses: r.reverses,
    commandId: r.command_id,
    attempts: r.attempts,
    lastError: r.last_error,
    durationHours: r.duration_hours,
    createdAt: r.created_at,
    executedAt: r.executed_at,
  }));
}
