import { z } from 'zod';
import { AppealOutcome, CommandId, Decision, ROLE_RANK, Reason, UserId, type DecisionRecord, type Role } from '../../shared/domain.js';
import type { CommandInput, CommandResult, Tool } from '../api.js';
import { backoffMs, type WorkQueue } from '../queue/bus.js';
import { conflict, forbidden, GuardianError, invalidInput, notFound } from '../errors.js';
import { appendAudit, canonicalJson } from '../store/audit-repo.js';
import { getCaseRow, isUuid, toSummary, type CaseRow } from '../store/cases-repo.js';
import type { Db, Queryable } from '../store/db.js';
import type { Logger } from '../ports.js';

const Meta = {
  commandId: CommandId,
  actor: UserId,
  tool: z.enum(['cli', 'ui', 'agent', 'ingest', 'worker', 'api']),
  expectedVersion: z.number().int().positive().optional(),
  caseId: z.string().refine(isUuid, 'must be a case id (uuid)'),
};
export const CommandInputSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('claim'), ...Meta }),
  z.object({ type: z.literal('release'), ...Meta }),
  z.object({
    type: z.literal('decide'),
    ...Meta,
    decision: Decision,
    reason: Reason,
    policyIds: z.array(z.string().min(1).max(64)).max(20).optional(),
    durationHours: z.number().int().positive().max(24 * 365 * 10).optional(),
  }),
  z.object({ type: z.literal('rollback'), ...Meta, reason: Reason }),
  z.object({ type: z.literal('appeal_decide'), ...Meta, outcome: AppealOutcome, reason: Reason }),
  z.object({ type: z.literal('note'), ...Meta, text: z.string().trim().min(1, 'a note cannot be empty').max(5000) }),
  z.object({ type: z.literal('request_escalation'), ...Meta, reason: Reason }),
]);

export interface CommandServiceOptions {
  db: Db;
  logger: Logger;
  claimMinutes: number;
  publishJob: (queue: WorkQueue, body: object) => Promise<void>;
  onCaseChanged: (row: CaseRow) => void;
}

interface Accepted {
  row: CaseRow;
  job?: WorkQueue;
  status: 'accepted' | 'applied';
}

interface StoredRow {
  id: string;
  type: string;
  payload: Record<string, unknown>;
  status: string;
  result: { error?: { code: GuardianError['code']; message: string; details?: Record<string, unknown> } } | null;
}

const rank = (role: Role) => ROLE_RANK[role];

function describeLast(row: CaseRow): string {
  const d = row.last_decision;
  return d ? ` It was decided by ${d.actor} (${d.decision}) at ${d.at}.` : '';
}

function conflictDetails(row: CaseRow) {
  return {
    caseId: row.id,
    status: row.status,
    version: row.version,
    lastDecision: row.last_decision,
  };
}

/**
 * The one path for every state change (DESIGN §3): idempotent by command id, role and four-eyes
 * checks, compare-and-set on the case row, the command and the audit event in one transaction; the
 * graph is resumed afterwards by a worker taking the job (never while a transaction is open).
 */
interface Actor {
  id: string;
  role: Role;
  /** now() of the command's transaction */
  at: string;
}

export function createCommandService(o: CommandServiceOptions) {
  /** The acting user, and the transaction's time (a decision records when it was made, in database time). */
  async function loadActor(q: Queryable, id: string): Promise<Actor> {
    const { rows } = await q.query<{ id: string | null; role: Role; active: boolean; at: string }>(
      'SELECT m.id, m.role, m.active, now() AS at FROM (SELECT 1) AS one LEFT JOIN moderators m ON m.id = $1',
      [id],
    );
    const m = rows[0]!;
    if (!m.id || !m.active) throw forbidden(`unknown or inactive user "${id}"`);
    return { id: m.id, role: m.role, at: m.at };
  }

  function checkReviewable(row: CaseRow, actor: { id: string; role: Role }, expectedVersion?: number) {
    if (row.status !== 'awaiting_review')
      throw conflict(`Case ${row.id} is ${row.status}, not awaiting review.${describeLast(row)}`, conflictDetails(row));
    if (expectedVersion !== undefined && expectedVersion !== row.version)
      throw conflict(`Case ${row.id} changed since you saw it (you saw version ${expectedVersion}, it is now ${row.version}).${describeLast(row)}`, conflictDetails(row));
    if (row.level >= 2 && rank(actor.role) < rank('supervisor'))
      throw forbidden(`Case ${row.id} is an escalated (level ${row.level}) review: supervisors and admins only.`);
    if (row.excluded_deciders.includes(actor.id))
      throw forbidden(`Four-eyes: ${actor.id} made the decision under review on case ${row.id} and cannot decide this review.`);
    if (row.claim_active && row.claimed_by !== actor.id)
      throw conflict(`Case ${row.id} is claimed by ${row.claimed_by} until ${row.claim_until}.`, { claimedBy: row.claimed_by, claimUntil: row.claim_until });
  }

  async function decide(q: Queryable, cmd: Extract<CommandInput, { type: 'decide' | 'appeal_decide' }>, row: CaseRow, actor: Actor): Promise<Accepted> {
    checkReviewable(row, actor, cmd.expectedVersion);
    const isAppeal = row.review_kind === 'appeal';
    if (cmd.type === 'decide' && isAppeal) throw invalidInput(`Case ${row.id} is an appeal review: decide it with an outcome (uphold or overturn).`);
    if (cmd.type === 'appeal_decide' && !isAppeal) throw invalidInput(`Case ${row.id} is not an appeal review.`);
    if (cmd.type === 'decide') {
      if (cmd.decision === 'escalate' && row.level >= 2) throw invalidInput('An escalated case cannot be escalated further.');
      if (cmd.durationHours !== undefined && cmd.decision !== 'remove_and_ban') throw invalidInput('durationHours only applies to remove_and_ban.');
    }
    const record: DecisionRecord = {
      commandId: cmd.commandId,
      decision: cmd.type === 'decide' ? cmd.decision : cmd.outcome,
      reason: cmd.reason,
      policyIds: cmd.type === 'decide' ? (cmd.policyIds ?? []) : [],
      actor: actor.id,
      level: row.level,
      reviewKind: row.review_kind ?? 'initial',
      ...(cmd.type === 'decide' && cmd.durationHours ? { durationHours: cmd.durationHours } : {}),
      at: actor.at,
    };
    const escalating = record.decision === 'escalate';
    const status = record.decision === 'overturn' ? 'reversing' : 'executing';
    const { rows } = await q.query<CaseRow>(
      `UPDATE cases SET status = $2, version = version + 1, last_decision = $3, last_command_id = $4,
              claimed_by = NULL, claim_until = NULL, updated_at = now(),
              excluded_deciders = CASE WHEN $5 THEN array_append(excluded_deciders, $6) ELSE excluded_deciders END
        WHERE id = $1 RETURNING *, false AS claim_active`,
      [row.id, status, JSON.stringify(record), cmd.commandId, escalating, actor.id],
    );
    await appendAudit(q, {
      caseId: row.id,
      type: cmd.type === 'decide' ? 'decision.made' : 'appeal.decided',
      actor: actor.id,
      tool: cmd.tool,
      payload: { commandId: cmd.commandId, decision: record.decision, reason: record.reason, policyIds: record.policyIds, level: row.level, reviewKind: record.reviewKind, ...(record.durationHours ? { durationHours: record.durationHours } : {}) },
    });
    return { row: rows[0]!, job: 'decisions', status: 'accepted' };
  }

  async function apply(q: Queryable, cmd: CommandInput, row: CaseRow, actor: Actor): Promise<Accepted> {
    switch (cmd.type) {
      case 'claim': {
        if (row.status !== 'awaiting_review') throw conflict(`Case ${row.id} is ${row.status}: nothing to claim.${describeLast(row)}`, conflictDetails(row));
        if (row.level >= 2 && rank(actor.role) < rank('supervisor')) throw forbidden(`Case ${row.id} is a level ${row.level} review: supervisors and admins only.`);
        if (row.excluded_deciders.includes(actor.id)) throw forbidden(`Four-eyes: ${actor.id} made the decision under review on case ${row.id}.`);
        if (row.claim_active && row.claimed_by !== actor.id) throw conflict(`Case ${row.id} is claimed by ${row.claimed_by} until ${row.claim_until}.`, { claimedBy: row.claimed_by, claimUntil: row.claim_until });
        const { rows } = await q.query<CaseRow>(
          `UPDATE cases SET claimed_by = $2, claim_until = now() + make_interval(mins => $3), updated_at = now()
            WHERE id = $1 RETURNING *, true AS claim_active`,
          [row.id, actor.id, o.claimMinutes],
        );
        await appendAudit(q, { caseId: row.id, type: 'case.claimed', actor: actor.id, tool: cmd.tool, payload: { until: rows[0]!.claim_until } });
        return { row: rows[0]!, status: 'applied' };
      }
      case 'release': {
        if (!row.claim_active) return { row, status: 'applied' };
        if (row.claimed_by !== actor.id && rank(actor.role) < rank('supervisor')) throw forbidden(`Only ${row.claimed_by} or a supervisor can release this claim.`);
        const { rows } = await q.query<CaseRow>(
          `UPDATE cases SET claimed_by = NULL, claim_until = NULL, updated_at = now() WHERE id = $1 RETURNING *, false AS claim_active`,
          [row.id],
        );
        await appendAudit(q, { caseId: row.id, type: 'case.released', actor: actor.id, tool: cmd.tool, payload: { claimedBy: row.claimed_by } });
        return { row: rows[0]!, status: 'applied' };
      }
      case 'decide':
      case 'appeal_decide':
        return decide(q, cmd, row, actor);
      case 'note': {
        await appendAudit(q, { caseId: row.id, type: 'case.note', actor: actor.id, tool: cmd.tool, payload: { commandId: cmd.commandId, text: cmd.text } });
        return { row, status: 'applied' };
      }
      case 'request_escalation': {
        if (row.status === 'closed') throw conflict(`Case ${row.id} is closed.`, conflictDetails(row));
        const { rows } = await q.query<CaseRow>(
          `UPDATE cases SET escalation_requested_by = $2, escalation_requested_at = now(), escalation_reason = $3, updated_at = now()
            WHERE id = $1 RETURNING *, (claim_until IS NOT NULL AND claim_until > now()) AS claim_active`,
          [row.id, actor.id, cmd.reason],
        );
        await appendAudit(q, { caseId: row.id, type: 'escalation.requested', actor: actor.id, tool: cmd.tool, payload: { commandId: cmd.commandId, reason: cmd.reason, status: row.status, level: row.level } });
        return { row: rows[0]!, status: 'applied' };
      }
      case 'rollback': {
        if (rank(actor.role) < rank('supervisor')) throw forbidden('Rollback needs a supervisor or an admin.');
        if (row.status !== 'actioned') throw conflict(`Case ${row.id} is ${row.status}: only an actioned case can be rolled back.`, conflictDetails(row));
        if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== row.version)
          throw conflict(`Case ${row.id} changed since you saw it (version ${cmd.expectedVersion} → ${row.version}).${describeLast(row)}`, conflictDetails(row));
        const original = row.last_decision?.actor;
        const { rows } = await q.query<CaseRow>(
          `UPDATE cases SET status = 'reversing', level = 2, version = version + 1, last_command_id = $2, updated_at = now(),
                  excluded_deciders = CASE WHEN $3::text IS NULL THEN excluded_deciders ELSE array_append(excluded_deciders, $3::text) END
            WHERE id = $1 RETURNING *, false AS claim_active`,
          [row.id, cmd.commandId, original ?? null],
        );
        await appendAudit(q, { caseId: row.id, type: 'rollback.requested', actor: actor.id, tool: cmd.tool, payload: { commandId: cmd.commandId, reason: cmd.reason, rolledBack: row.last_decision } });
        return { row: rows[0]!, job: 'rollbacks', status: 'accepted' };
      }
    }
  }

  async function storedResult(q: Queryable, cmd: CommandInput): Promise<CommandResult | undefined> {
    const { rows } = await q.query<StoredRow>('SELECT id, type, payload, status, result FROM commands WHERE id = $1', [cmd.commandId]);
    const prior = rows[0];
    if (!prior) return undefined;
    const { context: _ctx, ...priorInput } = prior.payload;
    void _ctx;
    if (prior.type !== cmd.type || canonicalJson(priorInput) !== canonicalJson(payloadOf(cmd)))
      throw conflict(`Command id ${cmd.commandId} was already used for a different command.`);
    if (prior.status === 'rejected' && prior.result?.error) {
      const e = prior.result.error;
      throw new GuardianError(e.code, e.message, { ...e.details, duplicate: true });
    }
    const row = (await getCaseRow(q, cmd.caseId))!;
    return { commandId: cmd.commandId, status: prior.status === 'applied' ? 'applied' : 'accepted', duplicate: true, case: toSummary(row) };
  }

  async function execute(input: CommandInput): Promise<CommandResult> {
    const parsed = CommandInputSchema.safeParse(input);
    if (!parsed.success) {
      const i = parsed.error.issues[0]!;
      throw invalidInput(`${i.path.join('.') || 'command'}: ${i.message}`, { issues: parsed.error.issues.map((x) => ({ path: x.path.join('.'), message: x.message })) });
    }
    const cmd = parsed.data as CommandInput;
    let outcome: Accepted | CommandResult;
    try {
      outcome = await o.db.tx(async (q) => {
        // Lock the case row first: concurrent duplicates of one command then see each other's result.
        const row = await getCaseRow(q, cmd.caseId, true);
        if (!row) throw notFound(`No case ${cmd.caseId}.`);
        const dup = await storedResult(q, cmd);
        if (dup) return dup;
        const actor = await loadActor(q, cmd.actor);
        const accepted = await apply(q, cmd, row, actor);
        await q.query(
          `INSERT INTO commands (id, type, case_id, actor, tool, expected_version, payload, interrupt_id, status, applied_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $9 = 'applied' THEN now() END)`,
          [cmd.commandId, cmd.type, cmd.caseId, cmd.actor, cmd.tool, cmd.expectedVersion ?? null, JSON.stringify(payloadOf(cmd, accepted.row)), row.interrupt_id, accepted.status],
        );
        return accepted;
      });
    } catch (err) {
      if (err instanceof GuardianError && (err.code === 'conflict' || err.code === 'forbidden') && !err.details?.duplicate)
        await recordRejection(cmd, err).catch((e: Error) => o.logger.warn({ err: e.message }, 'could not record rejected command'));
      throw err;
    }
    if ('duplicate' in outcome) return outcome;
    o.onCaseChanged(outcome.row);
    if (outcome.job) {
      // After commit. A confirm that never came means "unknown": resend by id until one is confirmed
      // (the job is idempotent); if this process dies first, the recovery sweep resends it.
      await publishUntilConfirmed(outcome.job, { commandId: cmd.commandId, caseId: cmd.caseId });
    }
    return { commandId: cmd.commandId, status: outcome.status, duplicate: false, case: toSummary(outcome.row) };
  }

  let stopping = false;
  async function publishUntilConfirmed(queue: WorkQueue, body: { commandId: string; caseId: string }) {
    try {
      await o.publishJob(queue, body);
      return;
    } catch (err) {
      o.logger.warn({ commandId: body.commandId, err: (err as Error).message }, 'job publish not confirmed; resending in the background');
    }
    void (async () => {
      for (let attempt = 2; !stopping; attempt++) {
        await new Promise((r) => setTimeout(r, backoffMs(attempt, 500, 15_000)).unref());
        if (stopping) return;
        try {
          await o.publishJob(queue, body);
          o.logger.info({ commandId: body.commandId, attempt }, 'job resent and confirmed');
          return;
        } catch {
          // still unreachable: keep trying
        }
      }
    })();
  }

  async function recordRejection(cmd: CommandInput, err: GuardianError) {
    await o.db.tx(async (q) => {
      const ins = await q.query(
        `INSERT INTO commands (id, type, case_id, actor, tool, expected_version, payload, status, result)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'rejected', $8) ON CONFLICT (id) DO NOTHING`,
        [cmd.commandId, cmd.type, cmd.caseId, cmd.actor, cmd.tool, cmd.expectedVersion ?? null, JSON.stringify(payloadOf(cmd)), JSON.stringify({ error: { code: err.code, message: err.message, details: err.details } })],
      );
      if (ins.rowCount === 1)
        await appendAudit(q, { caseId: cmd.caseId, type: 'command.rejected', actor: cmd.actor, tool: cmd.tool, payload: { commandId: cmd.commandId, command: cmd.type, code: err.code, message: err.message } });
    });
  }

  /** Opens an appeal review on an actioned case (from `appeal.submitted`; the platform is the actor). */
  async function openAppeal(input: { commandId: string; caseId: string; reason: string; submittedAt: string; authorId: string }): Promise<'opened' | 'duplicate'> {
    let redelivered = false;
    const row = await o.db.tx(async (q) => {
      const existing = await q.query<{ status: string }>('SELECT status FROM commands WHERE id = $1', [input.commandId]);
      if (existing.rowCount) {
        redelivered = existing.rows[0]!.status === 'accepted';
        return undefined;
      }
      const c = await getCaseRow(q, input.caseId, true);
      if (!c) throw notFound(`No case ${input.caseId}.`);
      if (c.status !== 'actioned' || !c.last_decision || c.last_decision.decision === 'approve')
        throw conflict(`Case ${c.id} is ${c.status}${c.last_decision ? ` (last decision ${c.last_decision.decision})` : ''}: there is no carried-out decision to appeal.`);
      const { rows } = await q.query<CaseRow>(
        `UPDATE cases SET status = 'executing', level = 2, review_kind = 'appeal', version = version + 1, last_command_id = $2,
                updated_at = now(), excluded_deciders = array_append(excluded_deciders, $3)
          WHERE id = $1 RETURNING *, false AS claim_active`,
        [c.id, input.commandId, c.last_decision.actor],
      );
      await q.query(
        `INSERT INTO commands (id, type, case_id, actor, tool, payload, status) VALUES ($1, 'appeal_open', $2, 'platform', 'ingest', $3, 'accepted')`,
        [input.commandId, c.id, JSON.stringify({ reason: input.reason, submittedAt: input.submittedAt, authorId: input.authorId, appealed: c.last_decision })],
      );
      await appendAudit(q, { caseId: c.id, type: 'appeal.opened', actor: 'platform', tool: 'ingest', payload: { reason: input.reason, authorId: input.authorId, appealed: c.last_decision } });
      return rows[0];
    });
    if (!row) {
      // The same appeal redelivered before its job was confirmed: publish the (idempotent) job again.
      if (redelivered) await o.publishJob('rollbacks', { commandId: input.commandId, caseId: input.caseId });
      return 'duplicate';
    }
    o.onCaseChanged(row);
    await o.publishJob('rollbacks', { commandId: input.commandId, caseId: input.caseId });
    return 'opened';
  }

  return {
    execute,
    openAppeal,
    stop() {
      stopping = true;
    },
  };
}

/** What is stored (and compared for duplicates): the command without its envelope. */
function payloadOf(cmd: CommandInput, row?: CaseRow): Record<string, unknown> {
  const { commandId: _c, actor: _a, tool: _t, caseId: _id, type: _ty, expectedVersion: _v, ...rest } = cmd as CommandInput & Record<string, unknown>;
  void _c, _a, _t, _id, _ty, _v;
  if (!row?.last_decision || (cmd.type !== 'decide' && cmd.type !== 'appeal_decide')) return rest;
  // The decision record's context (level, kind, time) travels with the command to the graph.
  return { ...rest, context: { level: row.last_decision.level, reviewKind: row.last_decision.reviewKind, at: row.last_decision.at } };
}

export type CommandService = ReturnType<typeof createCommandService>;
export type { Tool };
