import type { ActionKind } from '../../shared/domain.js';
import type { StatementOfReasons } from '../../shared/statement.js';
import type { ActionRequest, AgentDeps, ReversalReport } from '../agent/deps.js';
import type { Platform } from '../platform/platform.js';
import type { Db } from '../store/db.js';

const REVERSAL: Partial<Record<ActionKind, ActionKind>> = {
  remove_content: 'restore_content',
  ban_user: 'unban_user',
};

interface ActionRow {
  id: string;
  kind: ActionKind;
  status: string;
  reversible: boolean;
  seq: number;
}

/**
 * Platform actions with their own status rows. Each action is recorded before it is sent and marked
 * done after; the platform dedupes by Idempotency-Key (= action id), so a crash in between is safe.
 */
export function createActionService(db: Db, platform: Platform): AgentDeps['actions'] {
  async function execute(req: ActionRequest): Promise<{ ok: true } | { ok: false; error: string }> {
    // Records the action (or, on a redelivery, counts another attempt at a pending one) in one statement;
    // the database refuses an action that no accepted command (or automatic decision) asks for.
    // No status back: it was already carried out or failed for good, and is not sent again.
    const { rows } = await db.query<{ status: string | null }>(
      `SELECT worker.record_action(p_action_id => $1, p_case_id => $2, p_command_id => $3, p_seq => $4, p_kind => $5,
              p_reason => $6, p_duration_hours => $7, p_reverses => $8) AS status`,
      [req.actionId, req.caseId, req.commandId, req.seq, req.kind, req.reason, req.durationHours ?? null, req.reverses ?? null],
    );
    if (!rows[0]?.status) {
      const { rows: done } = await db.query<{ status: string; last_error: string | null }>('SELECT status, last_error FROM actions WHERE id = $1', [req.actionId]);
      if (done[0]?.status === 'done') return { ok: true };
      return { ok: false, error: done[0]?.last_error ?? done[0]?.status ?? 'failed' };
    }
    // The decision's statement of reasons, when it was recorded before this action was: an action recorded
    // by an older build (sent without one, maybe) keeps going out without it, so its body never changes.
    const { rows: st } = await db.query<{ body: StatementOfReasons }>(
      `SELECT s.body FROM actions a JOIN statements s ON s.decision_id = a.command_id AND s.case_id = a.case_id
        WHERE a.id = $1 AND a.reverses IS NULL AND s.created_at <= a.created_at`,
      [req.actionId],
    );
    let res;
    try {
      res = await platform.execute({
        actionId: req.actionId,
        kind: req.kind,
        contentId: req.contentId,
        authorId: req.authorId,
        caseId: req.caseId,
        reason: req.reason,
        durationHours: req.durationHours,
        ...(st[0] ? { statement: st[0].body } : {}),
      });
    } catch (err) {
      // Transient (retries exhausted): keep it pending; the job is retried and resends the same id.
      await db.query('SELECT worker.note_action_error($1, $2)', [req.actionId, (err as Error).message]);
      throw err;
    }
    await db.query('SELECT worker.finish_action($1, $2, $3, $4)', [
      req.actionId,
      res.ok,
      res.ok ? null : res.error,
      JSON.stringify({ platform: platform.name, ...(res.ok ? { alreadyDone: res.alreadyDone, attempts: res.attempts } : {}) }),
    ]);
    return res.ok ? { ok: true } : { ok: false, error: res.error };
  }

  async function reverseAll(req: {
    caseId: string;
    commandId: string;
    contentId: string;
    authorId: string;
    reason: string;
    actor: string;
  }): Promise<ReversalReport> {
    // Originals that were carried out, newest first (LIFO).
    const { rows } = await db.query<ActionRow>(
      `SELECT a.id, a.kind, a.status, a.reversible, a.seq FROM actions a
        WHERE a.case_id = $1 AND a.reverses IS NULL AND a.status = 'done'
          AND NOT EXISTS (SELECT 1 FROM actions r WHERE r.reverses = a.id AND r.status IN ('done', 'not_reversible')
                          AND r.command_id IS DISTINCT FROM $2)
        ORDER BY a.created_at DESC, a.seq DESC`,
      [req.caseId, req.commandId],
    );
    const report: ReversalReport = { reversed: [], notReversible: [], failed: [] };
    let seq = 1000;
    for (const a of rows) {
      seq++;
      const reversalKind = REVERSAL[a.kind];
      const reversalId = `${a.id}:rev`;
      if (!reversalKind) {
        await db.query('SELECT worker.record_not_reversible($1, $2, $3, $4, $5, $6, $7)', [reversalId, req.caseId, req.commandId, seq, a.kind, req.reason, a.id]);
        report.notReversible.push({ actionId: a.id, kind: a.kind });
        continue;
      }
      const res = await execute({
        actionId: reversalId,
        caseId: req.caseId,
        commandId: req.commandId,
        seq,
        kind: reversalKind,
        contentId: req.contentId,
        authorId: req.authorId,
        reason: req.reason,
        actor: req.actor,
        reverses: a.id,
      });
      if (res.ok) report.reversed.push({ actionId: a.id, kind: a.kind });
      else report.failed.push({ actionId: a.id, kind: a.kind, error: res.error });
    }
    return report;
  }

  return { execute, reverseAll };
}
