import type { AuditEvent, CaseDetail, Moderator, Role } from '../../shared/domain.js';
import type { AuditQuery, CommandStatus, Tool } from '../api.js';
import { invalidInput, notFound } from '../errors.js';
import { appendAudit, queryAudit } from '../store/audit-repo.js';
import { supervisorMetrics } from '../store/metrics-repo.js';
import { allowedDecisions, getCaseRow, isUuid, listActions, listCases, toSummary, type CaseListQuery, type CaseListRow } from '../store/cases-repo.js';
import type { Db } from '../store/db.js';
import { Role as RoleSchema, UserId } from '../../shared/domain.js';

export function createQueries(db: Db) {
  return {
    metrics: (q: { sinceDays?: number } = {}) => supervisorMetrics(db, { sinceDays: q.sinceDays ?? 7 }),

    /** Pages (`after`), incremental reads (`updatedSince`, `withWatermark`) or a plain list: CaseQuery. */
    listCases: (q: CaseListQuery = {}): Promise<CaseListRow[]> => listCases(db, q),

    async getCase(caseId: string): Promise<CaseDetail> {
      if (!isUuid(caseId)) throw invalidInput(`"${caseId}" is not a case id`);
      const row = await getCaseRow(db, caseId);
      if (!row) throw notFound(`No case ${caseId}.`);
      const [actions, timeline] = await Promise.all([listActions(db, caseId), queryAudit(db, { caseId, limit: 10_000 })]);
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
        actions,
        timeline,
        allowedDecisions: allowedDecisions(row),
      };
    },

    audit: (q: AuditQuery = {}): Promise<AuditEvent[]> => queryAudit(db, q),

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

    /** Adds or updates a moderator (operators' `guardian moderators add`). */
    async addModerator(input: { id: string; role: Role; displayName?: string; actor: string; tool: Tool }): Promise<Moderator> {
      const id = UserId.safeParse(input.id);
      if (!id.success) throw invalidInput(`moderator id: ${id.error.issues[0]!.message}`);
      const role = RoleSchema.safeParse(input.role);
      if (!role.success) throw invalidInput('role must be moderator, supervisor or admin');
      const name = input.displayName?.trim() || input.id;
      return db.tx(async (q) => {
        const { rows } = await q.query<{ id: string; display_name: string; role: Role; created_at: string }>(
          `INSERT INTO moderators (id, display_name, role) VALUES ($1, $2, $3)
           ON CONFLICT (id) DO UPDATE SET display_name = EXCLUDED.display_name, role = EXCLUDED.role, active = true
           RETURNING id, display_name, role, created_at`,
          [id.data, name, role.data],
        );
        await appendAudit(q, { caseId: null, type: 'moderator.saved', actor: input.actor, tool: input.tool, payload: { id: id.data, role: role.data, displayName: name } });
        const r = rows[0]!;
        return { id: r.id, displayName: r.display_name, role: r.role, createdAt: r.created_at };
      });
    },
  };
}
