import type { AnalysisResult, DecisionRecord } from '../../shared/domain.js';
import { STATEMENT_EXPORT_COLUMNS, StatementOfReasons, type StatementExportRow } from '../../shared/statement.js';
import type { Policy } from '../classify/policy.js';
import { invalidInput } from '../errors.js';
import { buildStatement, needsStatement } from '../statements/statement.js';
import type { Queryable } from '../store/db.js';

/**
 * The worker's side: builds a decision's statement of reasons from the case, the decision and the policy
 * and records it once (worker.record_statement); the stored statement is what every action of the decision
 * sends. Decisions that restrict nothing (approve, escalate, appeal outcomes) get none (null).
 */
export function createStatementService(db: Queryable, policy: Policy) {
  return {
    async record(req: { caseId: string; decision: DecisionRecord; analysis: AnalysisResult | null }): Promise<StatementOfReasons | null> {
      if (!needsStatement(req.decision.decision)) return null;
      const { rows } = await db.query<{ content_id: string; author_id: string; reported_by: string | null; report_reason: string | null; submitted_at: Date }>(
        'SELECT content_id, author_id, reported_by, report_reason, submitted_at FROM cases WHERE id = $1',
        [req.caseId],
      );
      const c = rows[0];
      if (!c) return null;
      const statement = buildStatement(
        {
          caseId: req.caseId,
          contentId: c.content_id,
          authorId: c.author_id,
          reportedBy: c.reported_by,
          reportReason: c.report_reason,
          submittedAt: new Date(c.submitted_at).toISOString(),
          analysis: req.analysis,
          decision: req.decision,
        },
        policy,
      );
      const stored = await db.query<{ body: unknown }>('SELECT worker.record_statement($1, $2, $3) AS body', [statement.id, req.caseId, JSON.stringify(statement)]);
      return StatementOfReasons.parse(stored.rows[0]!.body);
    },
  };
}

/** A case's statements of reasons, oldest first (the case view). */
export async function listStatements(db: Queryable, caseId: string): Promise<StatementOfReasons[]> {
  const { rows } = await db.query<{ body: unknown }>('SELECT body FROM statements WHERE case_id = $1 ORDER BY created_at, decision_id', [caseId]);
  return rows.map((r) => StatementOfReasons.parse(r.body));
}

export interface StatementExportQuery {
  /** Statements recorded at or after this time (ISO 8601). */
  from?: string;
  /** Statements recorded before this time (ISO 8601). */
  to?: string;
}

const time = (v: string | undefined, field: string): string | null => {
  if (v === undefined || v === '') return null;
  const t = new Date(v);
  if (Number.isNaN(t.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(v)) throw invalidInput(`${field}: not an ISO 8601 time: "${v}"`, { field });
  return t.toISOString();
};

/**
 * The bulk export for transparency reporting (DSA Art. 17 / 24(5)): one row per decision with a statement,
 * oldest first, the DSA fields as columns; `reversed` says whether the restriction was later reversed
 * (rollback or overturned appeal). Filtered by when the statement was recorded (its index).
 */
export async function exportStatements(db: Queryable, q: StatementExportQuery = {}): Promise<StatementExportRow[]> {
  const from = time(q.from, 'from');
  const to = time(q.to, 'to');
  const { rows } = await db.query<{ body: unknown; reversed: boolean }>(
    `SELECT s.body,
            EXISTS (SELECT 1 FROM actions o JOIN actions r ON r.reverses = o.id AND r.status = 'done'
                     WHERE o.command_id = s.decision_id AND o.case_id = s.case_id) AS reversed
       FROM statements s
      WHERE ($1::timestamptz IS NULL OR s.created_at >= $1) AND ($2::timestamptz IS NULL OR s.created_at < $2)
      ORDER BY s.created_at, s.decision_id`,
    [from, to],
  );
  return rows.map((r) => exportRow(StatementOfReasons.parse(r.body), r.reversed));
}

export function exportRow(s: StatementOfReasons, reversed: boolean): StatementExportRow {
  const ban = s.restrictions.find((r) => r.action === 'ban_user');
  const row: StatementExportRow = {
    statement_id: s.id,
    case_id: s.caseId,
    content_id: s.contentId,
    author_id: s.authorId,
    decided_at: s.decidedAt,
    decision: s.decision,
    restrictions: s.restrictions.map((r) => r.type).join(';'),
    duration_hours: ban?.durationHours ?? null,
    ends_at: ban?.endsAt ?? null,
    territorial_scope: s.territorialScope,
    source: s.source,
    automated_detection: s.automatedDetection,
    automated_decision: s.automatedDecision,
    ground_type: s.groundType,
    policy_ids: s.grounds.map((g) => g.policyId).join(';'),
    policy_version: s.policyVersion,
    facts: s.facts,
    explanation: s.explanation,
    redress: `${s.redress.internalAppeal} ${s.redress.outOfCourt} ${s.redress.judicial}`,
    reversed,
  };
  return row;
}

/** The CSV of the export (shared with the supervisor view's export button). */
export { statementsCsv } from '../../shared/statement.js';
