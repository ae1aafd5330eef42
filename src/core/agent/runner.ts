import { Command } from '@langchain/langgraph';
import type { DecisionRecord } from '../../shared/domain.js';
import type { Logger } from '../ports.js';
import { appendAudit } from '../store/audit-repo.js';
import { CASE_COLUMNS, type CaseRow } from '../store/cases-repo.js';
import type { Db } from '../store/db.js';
import type { CaseLock } from './case-lock.js';
import type { CaseGraph } from './graph.js';
import { assertResumable, GRAPH_VERSION, type CaseStateType } from './state.js';

export interface StoredCommand {
  id: string;
  type: 'decide' | 'rollback' | 'appeal_decide' | 'appeal_open';
  case_id: string;
  actor: string;
  status: string;
  interrupt_id: string | null;
  payload: Record<string, any>;
}

export interface RunnerOptions {
  db: Db;
  graph: CaseGraph;
  lock: CaseLock;
  logger: Logger;
  slaMinutes: number;
  /** Called after the read model changed (live updates). */
  onCaseChanged: (row: CaseRow) => void;
  /** LangSmith/trace metadata for a run. */
  runConfig?: (caseId: string) => Record<string, unknown>;
}

/** A case the runner refuses to touch (unknown graph version, missing case): not worth retrying. */
export class RefusedError extends Error {
  override name = 'RefusedError';
}

/**
 * The only code that advances a case's graph. Every entry point takes the case lock, looks at the
 * checkpoint, and does only what is still missing, so a redelivered job (after a crash, a timeout or
 * a duplicate publish) finishes the work instead of repeating it.
 */
export class AgentRunner {
  constructor(private readonly o: RunnerOptions) {}

  private config(caseId: string) {
    return {
      configurable: { thread_id: caseId },
      durability: 'sync' as const, // "async" lost the human's decision on a crash (FACTS)
      ...(this.o.runConfig?.(caseId) ?? {}),
    };
  }

  private async snapshot(caseId: string) {
    const snap = await this.o.graph.getState({ configurable: { thread_id: caseId } });
    const values = (snap.values ?? {}) as Partial<CaseStateType>;
    assertResumable(values.graphVersion, (m) => new RefusedError(m));
    const pending = snap.tasks.flatMap((t) => t.interrupts).find((i) => i.id);
    // Work is left when a task is not paused at an interrupt. That includes a task whose writes were saved
    // before a crash but whose step was never checkpointed: getState() lists it in `tasks` but not in
    // `next`, and invoke(null) applies those writes and goes on (seen after SIGKILL in the crash test).
    const running = snap.next.length > 0 || snap.tasks.some((t) => t.interrupts.length === 0);
    return { snap, values, pending, started: values.caseId !== undefined, running };
  }

  /** Analysis job: start the thread (once) or finish a run a crash interrupted. */
  async analyze(caseId: string): Promise<void> {
    await this.o.lock.withLock(caseId, async () => {
      // Counts this delivery as an attempt and reads the row in one statement. No attempt before this one
      // means no checkpoint can exist yet: the first (normal) delivery needs no getState.
      const { rows } = await this.o.db.query<CaseRow>(
        `UPDATE cases AS c SET analysis_attempts = c.analysis_attempts + 1 WHERE c.id = $1 RETURNING ${CASE_COLUMNS}`,
        [caseId],
      );
      const row = rows[0];
      if (!row) throw new RefusedError(`case ${caseId} does not exist`);
      const { started, running, pending } = row.analysis_attempts === 1 ? { started: false, running: false, pending: undefined } : await this.snapshot(caseId);
      let out: Record<string, unknown> | undefined;
      if (!started) {
        // New input on an existing thread would restart it from START (FACTS): only ever start once.
        out = await this.o.graph.invoke(
          {
            caseId,
            graphVersion: GRAPH_VERSION,
            content: {
              caseId,
              contentId: row.content_id,
              authorId: row.author_id,
              text: row.text,
              url: row.url,
              reportReason: row.report_reason,
              priority: row.priority,
            },
          },
          this.config(caseId),
        );
      } else if (running && !pending) {
        out = await this.o.graph.invoke(null, this.config(caseId));
      }
      await this.syncReadModel(caseId, null, out);
    });
  }

  /** Decision, rollback and appeal jobs: apply the accepted command to the graph exactly once. */
  async applyCommand(commandId: string): Promise<void> {
    const { rows } = await this.o.db.query<StoredCommand>('SELECT * FROM commands WHERE id = $1', [commandId]);
    const cmd = rows[0];
    if (!cmd) throw new RefusedError(`command ${commandId} does not exist`);
    if (cmd.status !== 'accepted') return; // already applied (or failed): a duplicate delivery
    await this.o.lock.withLock(cmd.case_id, async () => {
      const { values, pending, running } = await this.snapshot(cmd.case_id);
      const cfg = this.config(cmd.case_id);
      let out: Record<string, unknown> | undefined;
      if (cmd.type === 'decide' || cmd.type === 'appeal_decide') {
        if (pending && pending.id === cmd.interrupt_id) {
          const value = decisionRecordOf(cmd);
          out = await this.o.graph.invoke(new Command({ resume: { [pending.id]: value } }), cfg);
        } else if (running && !pending) {
          await this.o.graph.invoke(null, cfg);
        } else if (pending) {
          // The interrupt this command answered is gone: it was resumed already (this is a redelivery).
          this.o.logger.warn({ commandId, caseId: cmd.case_id }, 'command answered an interrupt that is no longer pending');
        }
      } else if (cmd.type === 'rollback') {
        if (values.reversal?.commandId !== cmd.id && !running) {
          await this.o.graph.invoke(
            new Command({
              goto: 'reverse',
              update: { reversal: { commandId: cmd.id, actor: cmd.actor, reason: cmd.payload.reason, kind: 'rollback' } },
            }),
            cfg,
          );
        } else if (running && !pending) {
          await this.o.graph.invoke(null, cfg);
        }
      } else if (cmd.type === 'appeal_open') {
        if (values.appeal?.commandId !== cmd.id && !running) {
          await this.o.graph.invoke(
            new Command({
              goto: 'humanReview',
              update: {
                appeal: { commandId: cmd.id, reason: cmd.payload.reason, submittedAt: cmd.payload.submittedAt },
                level: 2,
                reviewKind: 'appeal',
                outcome: null,
              },
            }),
            cfg,
          );
        } else if (running && !pending) {
          await this.o.graph.invoke(null, cfg);
        }
      }
      await this.syncReadModel(cmd.case_id, cmd.id, out);
    });
  }

  /** Marks a case failed (an operator must look at it): retries ran out or the runner refused it. */
  async fail(caseId: string, reason: string, commandId?: string): Promise<void> {
    const row = await this.o.db.tx(async (q) => {
      const { rows } = await q.query<CaseRow>(
        `UPDATE cases SET status = 'failed', failure_reason = $2, version = version + 1, updated_at = now()
          WHERE id = $1 RETURNING *, false AS claim_active`,
        [caseId, reason.slice(0, 2000)],
      );
      if (commandId) await q.query(`UPDATE commands SET status = 'failed', result = $2 WHERE id = $1`, [commandId, JSON.stringify({ error: reason })]);
      if (rows[0]) await appendAudit(q, { caseId, type: 'case.failed', actor: 'agent', tool: 'worker', payload: { reason } });
      return rows[0];
    });
    if (row) this.o.onCaseChanged(row);
  }

  /** Projects the checkpoint onto the cases row (the read model) in one transaction with its audit. */
  private async syncReadModel(caseId: string, commandId: string | null, out?: Record<string, unknown>): Promise<void> {
    // The run's own result already says where the thread stopped (values + __interrupt__): reading the
    // checkpoint back (getState, one more query and a deserialisation) is only needed without one.
    const { values, pending, running } = out ? fromRunResult(out) : await this.snapshot(caseId);
    // The checkpoint is the truth and the row its projection: each UPDATE applies only when the row does
    // not show this position yet (a redelivery changes nothing and records nothing twice).
    const analysis = values.analysis ?? null;
    const changed = await this.o.db.tx(async (q) => {
      let next: CaseRow | undefined;
      if (pending) {
        const { rows } = await q.query<CaseRow>(
          `UPDATE cases AS c SET status = 'awaiting_review', interrupt_id = $2, level = $3, review_kind = $4,
                  version = c.version + 1, updated_at = now(), failure_reason = NULL,
                  sla_due_at = now() + make_interval(mins => CASE WHEN c.priority = 'urgent' THEN $5::int ELSE $6::int END),
                  ${analysisSet(7)}
            WHERE c.id = $1 AND (c.status <> 'awaiting_review' OR c.interrupt_id IS DISTINCT FROM $2)
            RETURNING ${CASE_COLUMNS}`,
          [caseId, pending.id, values.level ?? 1, values.reviewKind ?? 'initial', Math.ceil(this.o.slaMinutes / 4), this.o.slaMinutes, ...analysisParams(analysis)],
        );
        next = rows[0];
        if (next)
          await appendAudit(q, {
            caseId,
            type: 'review.requested',
            actor: 'agent',
            tool: 'agent',
            payload: { level: values.level ?? 1, reviewKind: values.reviewKind ?? 'initial' },
          });
      } else if (!running && values.outcome) {
        const status = values.outcome;
        const { rows } = await q.query<CaseRow>(
          `UPDATE cases AS c SET status = $2, interrupt_id = NULL, failure_reason = $3, version = c.version + 1, updated_at = now(),
                  last_decision = COALESCE($4::jsonb, c.last_decision), sla_due_at = NULL,
                  ${analysisSet(5)}
            WHERE c.id = $1 AND c.status <> $2
            RETURNING ${CASE_COLUMNS}`,
          [caseId, status, values.failure ?? null, values.decision?.actor === 'agent' ? JSON.stringify(values.decision) : null, ...analysisParams(analysis)],
        );
        next = rows[0];
        if (next)
          await appendAudit(q, {
            caseId,
            type: `case.${status}`,
            actor: 'agent',
            tool: 'agent',
            payload: {
              ...(values.failure ? { failure: values.failure } : {}),
              ...(values.decision ? { decision: values.decision.decision, decidedBy: values.decision.actor } : {}),
            },
          });
      }
      if (commandId) await q.query(`UPDATE commands SET status = 'applied', applied_at = now() WHERE id = $1 AND status = 'accepted'`, [commandId]);
      return next;
    });
    if (changed) this.o.onCaseChanged(changed);
  }
}

/** The thread's position from invoke()'s return value: interrupted (pending) or finished. */
function fromRunResult(out: Record<string, unknown>) {
  const interrupts = (out.__interrupt__ ?? []) as Array<{ id?: string; value?: unknown }>;
  const pending = interrupts.find((i) => i.id) as { id: string; value?: unknown } | undefined;
  const values = out as Partial<CaseStateType>;
  assertResumable(values.graphVersion, (m) => new RefusedError(m));
  return { values, pending, running: pending !== undefined };
}

/**
 * The analysis columns of the read model, set from the checkpoint's analysis; without one (never
 * analysed) they keep their value. Parameters $first … $first+4 are `analysisParams(...)`.
 */
const analysisSet = (first: number) => {
  const has = `$${first}::boolean`;
  const p = (i: number) => `$${first + i}`;
  return `analysis = CASE WHEN ${has} THEN ${p(1)}::jsonb ELSE c.analysis END,
          verdict = CASE WHEN ${has} THEN ${p(2)} ELSE c.verdict END,
          severity = CASE WHEN ${has} THEN ${p(3)} ELSE c.severity END,
          violation_type = CASE WHEN ${has} THEN ${p(4)} ELSE c.violation_type END`;
};

const analysisParams = (a: CaseStateType['analysis']) =>
  a ? [true, JSON.stringify(a), a.verdict, a.severity, a.violationType] : [false, null, null, null, null];

function decisionRecordOf(cmd: StoredCommand): DecisionRecord {
  const p = cmd.payload;
  return {
    commandId: cmd.id,
    decision: cmd.type === 'appeal_decide' ? p.outcome : p.decision,
    reason: p.reason,
    policyIds: p.policyIds ?? [],
    actor: cmd.actor,
    level: p.context.level,
    reviewKind: p.context.reviewKind,
    ...(p.durationHours ? { durationHours: p.durationHours } : {}),
    at: p.context.at,
  };
}
