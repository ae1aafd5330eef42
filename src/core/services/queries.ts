import type { AuditEvent, CaseDetail, Moderator, Role } from '../../shared/domain.js';
import type { AuditQuery, CommandStatus } from '../api.js';
import { GuardianError, invalidInput, notFound } from '../errors.js';
import { verifyAudit } from '../audit/verify.js';
import { describeAuditEvent, queryAudit, resolveCase, type AuditFilter } from '../store/audit-repo.js';
import { supervisorMetrics } from '../store/metrics-repo.js';
import { readDashboard } from '../store/dashboard-repo.js';
import type { DashboardWindow } from '../../shared/dashboard.js';
import { allowedDecisions, getCaseRow, isUuid, listActions, listCases, toSummary, type CaseListQuery, type CaseListRow } from '../store/cases-repo.js';
import type { Queryable } from '../store/db.js';
import { exportStatements, listStatements, type StatementExportQuery } from './statements.js';

/** `slaMinutes`: the review SLA (GUARDIAN_SLA_MINUTES) the dashboard counts breaches against. */
export function createQueries(db: Queryable, o: { slaMinutes?: number } = {}) {
  return {
    metrics: (q: { sinceDays?: number } = {}) => supervisorMetrics(db, { sinceDays: q.sinceDays ?? 7 }),

    /** The supervisor dashboard's series (api.dashboard; supervisors and admins, the database refuses others). */
    dashboard: (q: { window?: DashboardWindow } = {}) => readDashboard(db, { window: q.window ?? '7d', slaMinutes: o.slaMinutes ?? 60 }),

    /** Pages (`after`), incremental reads (`updatedSince`, `withWatermark`) or a plain list: CaseQuery. */
    listCases: (q: CaseListQuery = {}): Promise<CaseListRow[]> => listCases(db, q),

    async getCase(caseId: string): Promise<CaseDetail> {
      if (!isUuid(caseId)) throw invalidInput(`"${caseId}" is not a case id`);
      const row = await getCaseRow(db, caseId);
      if (!row) throw notFound(`No case ${caseId}.`);
      const [actions, timeline, statements] = await Promise.all([listActions(db, caseId), queryAudit(db, { caseId, limit: 10_000 }), listStatements(db, caseId)]);
      return {
        ...toSummary(row),
        text: row.text,
        url: row.url,
        reportedBy: row.reported_by,
        reportReason: row.report_reason,
        analysis: row.analysis,
        excludedDeciders: row.excluded_deciders,
        lastDecision: row.last_decision,
        failureReason: row.failure_reason,
        editedAfterDecisionAt: row.edited_after_decision_at ?? null,
        actions,
        statements,
        timeline,
        allowedDecisions: allowedDecisions(row),
      };
    },

    audit: (q: AuditQuery & AuditFilter = {}): Promise<AuditEvent[]> => queryAudit(db, q),

    /** Transparency reporting: one row per decision's statement of reasons (`guardian statements export`). */
    exportStatements: (q: StatementExportQuery = {}) => exportStatements(db, q),

    /** The audit view's "Verify chain": verifyAudit, the whole log or one case's (resolved as the filters are). */
    verifyAudit: (q: { caseId?: string; contentId?: string } = {}): Promise<AuditVerification> => verifyAuditFor(db, q),

    async commandStatus(commandId: string): Promise<CommandStatus | undefined> {
      const { rows } = await db.query<{ id: string; status: CommandStatus['status']; case_id: string | null; result: { error?: CommandStatus['error'] } | null }>(
        'SELECT id, status, case_id, result FROM commands WHERE id = $1',
        [commandId],
      );
      const r = rows[0];
      return r && { commandId: r.id, status: r.status, caseId: r.case_id, ...(r.result?.error ? { error: r.result.error } : {}) };
    },

    async moderators(): Promise<Moderator[]> {
      const { rows } = await db.query<{ id: string; display_name: string; role: Role; created_at: string }>(
        'SELECT id, display_name, role, created_at FROM moderators WHERE active ORDER BY id',
      );
      return rows.map((r) => ({ id: r.id, displayName: r.display_name, role: r.role, createdAt: r.created_at }));
    },
  };
}

/** What the audit view shows of a verification (contract AuditVerification). */
export interface AuditVerification {
  ok: boolean;
  /** The case whose chain was checked, or null: the whole log. */
  caseId: string | null;
  streams: number;
  events: number;
  problems: number;
  firstBroken: { eventId: number | null; stream: string; seq: number | null; caseId: string | null; type: string | null; kind: string; message: string } | null;
  checkedAt: string;
}

/** src/core/audit/verify.ts, the same check as `guardian audit verify [--case]`, with the broken event's case and type. */
export async function verifyAuditFor(db: Queryable, q: { caseId?: string; contentId?: string }): Promise<AuditVerification> {
  const resolved = await resolveCase(db, q);
  if (resolved && resolved.caseId === null) throw new GuardianError('not_found', `No case ${q.caseId?.trim() || q.contentId?.trim()}.`, { field: q.caseId?.trim() ? 'caseId' : 'contentId' });
  const caseId = resolved?.caseId ?? null;
  const report = await verifyAudit(db, caseId ? { caseId } : {});
  const fb = report.firstBroken;
  const firstBroken = fb ? { eventId: fb.eventId, stream: fb.stream, seq: fb.seq, kind: fb.kind, message: fb.message, ...(await describeAuditEvent(db, fb.eventId, fb.stream)) } : null;
  return { ok: report.ok, caseId, streams: report.streams, events: report.events, problems: report.problems.length, firstBroken, checkedAt: new Date().toISOString() };
}
