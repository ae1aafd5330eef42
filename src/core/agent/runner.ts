import { Command } from '@langchain/langgraph';
import type { DecisionRecord } from '../../shared/domain.js';
import type { Logger } from '../ports.js';
import type { CaseRow } from '../store/cases-repo.js';
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
  /** Minutes per urgency/severity (config GUARDIAN_SLA_TARGETS); the rest follow slaMinutes. */
  slaTargets?: Record<string, number>;
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
      // means no checkpoint can exist yet: the first (normal) delivery needs no getState. A case no longer
      // being analysed has nothing to do here: the job was a hint (a duplicate, or anyone's).
      const { rows } = await this.o.db.query<CaseRow>(
        `SELECT c.*, (c.claim_until IS NOT NULL AND c.claim_until > now()) AS claim_active FROM worker.begin_analysis($1) c`,
        [caseId],
      );
      const row = rows[0];
      if (!row) {
        this.o.logger.warn({ caseId }, 'analysis job for an unknown case ignored (a job is only a hint)');
        return;
      }
      if (row.status !== 'analyzing') {
        this.o.logger.debug({ caseId, status: row.status }, 'analysis job for a case that is not being analysed: nothing to do');
        return;
      }
      // (An edited post counts its attempts afresh, worker.edit_content: its first one restarts the thread.)
      const { started, running, pending, values } =
        row.analysis_attempts === 1 ? { started: false, running: false, pending: undefined, values: undefined } : await this.snapshot(caseId);
      let out: Record<string, unknown> | undefined;
      if (!started || values?.content?.text !== row.text) {
        // New input on an existing thread restarts it from START (FACTS): only ever start once per text. The
        // text differs from the checkpoint's only after an edit of an undecided case, which is analysed again.
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

  /** The command a job names, as the database accepted it (undefined: no such command). */
  async loadCommand(commandId: string): Promise<StoredCommand | undefined> {
    const { rows } = await this.o.db.query<StoredCommand>(
      `SELECT * FROM commands WHERE id = $1 AND type IN ('decide', 'rollback', 'appeal_decide', 'appeal_open')`,
      [commandId],
    );
    return rows[0];
  }

  /** Decision, rollback and appeal jobs: apply the accepted command to the graph exactly once. */
  async applyCommand(cmd: StoredCommand): Promise<void> {
    const commandId = cmd.id;
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
    const { rows } = await this.o.db.query<CaseRow>(
      `SELECT c.*, false AS claim_active FROM worker.fail_case($1, $2, $3) c`,
      [caseId, reason.slice(0, 2000), commandId ?? null],
    );
    if (rows[0]) this.o.onCaseChanged(rows[0]);
  }

  /** Projects the checkpoint onto the cases row (the read model) with its audit, through the worker functions. */
  private async syncReadModel(caseId: string, commandId: string | null, out?: Record<string, unknown>): Promise<void> {
    // The run's own result already says where the thread stopped (values + __interrupt__): reading the
    // checkpoint back (getState, one more query and a deserialisation) is only needed without one.
    const { values, pending, running } = out ? fromRunResult(out) : await this.snapshot(caseId);
    // The checkpoint is the truth and the row its projection: each UPDATE applies only when the row does
    // not show this position yet (a redelivery changes nothing and records nothing twice).
    const analysis = values.analysis ? JSON.stringify(values.analysis) : null;
    let changed: CaseRow | undefined;
    if (pending) {
      const { rows } = await this.o.db.query<CaseRow>(
        `SELECT c.*, (c.claim_until IS NOT NULL AND c.claim_until > now()) AS claim_active
           FROM worker.sync_review(p_case_id => $1, p_interrupt_id => $2, p_level => $3, p_review_kind => $4, p_sla_minutes => $5,
                                   p_analysis => $6, p_command_id => $7, p_sla_targets => $8) c`,
        [caseId, pending.id, values.level ?? 1, values.reviewKind ?? 'initial', this.o.slaMinutes, analysis, commandId,
         this.o.slaTargets && Object.keys(this.o.slaTargets).length ? JSON.stringify(this.o.slaTargets) : null],
      );
      changed = rows[0];
    } else if (!running && values.outcome) {
      const { rows } = await this.o.db.query<CaseRow>(
        `SELECT c.*, (c.claim_until IS NOT NULL AND c.claim_until > now()) AS claim_active
           FROM worker.sync_outcome(p_case_id => $1, p_status => $2, p_failure => $3, p_decision => $4, p_analysis => $5,
                                    p_command_id => $6) c`,
        [caseId, values.outcome, values.failure ?? null, values.decision ? JSON.stringify(values.decision) : null, analysis, commandId],
      );
      changed = rows[0];
    }
    // Otherwise a step is still left (after a crash, say): nothing to project, the command is not applied yet.
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
