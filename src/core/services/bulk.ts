// Bulk actions for supervisors (issue 14). A batch is started in the database (api.start_batch, which
// refuses anyone below supervisor); then every case goes through the normal command path — the same
// CommandClient.execute as a single decision, so api.decide_case / api.rollback_case check role, claim,
// four-eyes and the version the preview saw, each with its own command id 'bulk:<batch>:<case>' (the batch
// id recorded with the command; only the batch's own supervisor may use it). Nothing is skipped silently:
// every case of the selection ends done, skipped (with why) or failed (with the database's answer).
import type { CommandResult } from '../api.js';
import type { BulkDecision, BulkItemResult, BulkJob, BulkPreview, BulkPreviewItem, BulkRunInput, BulkSelection, BulkUndoInput, SkipReason } from '../../shared/bulk.js';
import type { CommandRequest } from '../../shared/commands.js';
import { GuardianError } from '../errors.js';
import type { Logger } from '../ports.js';
import { dbCall } from '../store/db-errors.js';
import type { Queryable } from '../store/db.js';

export interface BulkOptions {
  db: Queryable;
  logger: Logger;
  tool: 'cli' | 'ui' | 'api';
  /** The signed-in person's id (four-eyes and claims are about them). */
  personId: string;
  execute: (cmd: CommandRequest) => Promise<CommandResult>;
  onProgress: (job: BulkJob) => void;
  /** How long undo waits for a case of the batch still being carried out (default 60 s). */
  settleMs?: number;
}

interface CaseState {
  id: string;
  content_id: string | null;
  status: string;
  version: number;
  level: number;
  claimed_by: string | null;
  claimed: boolean;
  excluded_deciders: string[];
  review_kind: string | null;
}

const READ = `SELECT id::text, content_id, status, version, level, claimed_by, coalesce(claim_until > now(), false) AS claimed,
                     excluded_deciders, review_kind
                FROM cases WHERE id = ANY ($1::uuid[])`;

export const SKIP_TEXT: Record<SkipReason, string> = {
  claimed: 'claimed by someone else',
  not_awaiting: 'already decided / not awaiting review',
  level2: 'level-2 review you may not decide',
  four_eyes: 'four-eyes: you made the decision under review',
  appeal: 'an appeal review (decide it with an outcome)',
  not_found: 'not found',
  not_actioned: 'not actioned (nothing to roll back)',
};

export function createBulk(o: BulkOptions) {
  const jobs = new Map<string, BulkJob>();

  async function read(ids: string[]): Promise<Map<string, CaseState>> {
    const { rows } = await dbCall(() => o.db.query<CaseState>(READ, [ids]));
    return new Map(rows.map((r) => [r.id, r]));
  }

  async function supervisor(): Promise<boolean> {
    const { rows } = await dbCall(() => o.db.query<{ ok: boolean }>(`SELECT private.has_role('supervisor') AS ok`).catch(() => ({ rows: [{ ok: false }] })));
    return rows[0]?.ok ?? false;
  }

  function classify(c: CaseState | undefined, isSupervisor: boolean): { skip: SkipReason | null; message: string | null } {
    const why = (skip: SkipReason, detail = '') => ({ skip, message: SKIP_TEXT[skip] + detail });
    if (!c) return why('not_found');
    if (c.status !== 'awaiting_review') return why('not_awaiting', ` (${c.status.replace(/_/g, ' ')})`);
    if (c.claimed && c.claimed_by !== o.personId) return why('claimed', ` (${c.claimed_by})`);
    if (c.review_kind === 'appeal') return why('appeal');
    if (c.level >= 2 && !isSupervisor) return why('level2');
    if (c.excluded_deciders.includes(o.personId)) return why('four_eyes');
    return { skip: null, message: null };
  }

  async function preview(sel: BulkSelection): Promise<BulkPreview> {
    const ids = [...new Set(sel.caseIds)];
    const [cases, isSupervisor] = await Promise.all([read(ids), supervisor()]);
    const items: BulkPreviewItem[] = ids.map((id) => {
      const c = cases.get(id);
      return { caseId: id, contentId: c?.content_id ?? null, version: c?.version ?? null, ...classify(c, isSupervisor) };
    });
    const skipped = items.filter((i) => i.skip).length;
    return { decision: sel.decision, eligible: items.length - skipped, skipped, items };
  }

  async function startBatch(batchId: string, kind: 'decide' | 'undo', count: number, reason: string, decision: BulkDecision | null, undoes: string | null) {
    const { rows } = await dbCall(() =>
      o.db.query<{ r: unknown }>(
        `SELECT api.start_batch(p_batch_id => $1, p_kind => $2, p_case_count => $3, p_reason => $4, p_decision => $5, p_undoes => $6, p_tool => $7) AS r`,
        [batchId, kind, count, reason, decision, undoes, o.tool],
      ),
    );
    return rows[0]!.r;
  }

  function tally(job: BulkJob) {
    job.processed = job.items.filter((i) => i.outcome !== 'pending').length;
    job.done = job.items.filter((i) => i.outcome === 'done').length;
    job.skipped = job.items.filter((i) => i.outcome === 'skipped').length;
    job.failed = job.items.filter((i) => i.outcome === 'failed').length;
  }
  function progress(job: BulkJob) {
    tally(job);
    o.onProgress(structuredClone(job));
  }

  /** Sends one case's command; a refusal or conflict is that case's result, never the batch's end. */
  async function send(item: BulkItemResult, cmd: CommandRequest) {
    item.commandId = cmd.commandId;
    try {
      const r = await o.execute(cmd);
      item.outcome = 'done';
      item.message = `${cmd.type === 'rollback' ? 'rollback' : cmd.type === 'decide' ? cmd.decision : cmd.type} ${r.duplicate ? 'already recorded' : r.status}`;
    } catch (err) {
      item.outcome = err instanceof GuardianError && err.code === 'conflict' ? 'skipped' : 'failed';
      item.message = err instanceof GuardianError ? `${err.code}: ${err.message}` : (err as Error).message;
    }
  }

  function newJob(batchId: string, kind: 'decide' | 'undo', decision: BulkDecision | null, undoes: string | null, ids: string[], contentOf: (id: string) => string | null): BulkJob {
    const job: BulkJob = {
      batchId, kind, decision, undoes, state: 'running', total: ids.length, processed: 0, done: 0, skipped: 0, failed: 0,
      items: ids.map((caseId) => ({ caseId, contentId: contentOf(caseId), outcome: 'pending', commandId: null, message: null })),
    };
    jobs.set(batchId, job);
    return job;
  }

  function finish(job: BulkJob) {
    job.state = 'finished';
    progress(job);
    o.logger.info({ batchId: job.batchId, kind: job.kind, done: job.done, skipped: job.skipped, failed: job.failed }, 'bulk batch finished');
  }

  /** Starts the batch in the database (refused below supervisor) and runs it in the background. */
  async function run(input: BulkRunInput): Promise<BulkJob> {
    if (jobs.has(input.batchId)) return structuredClone(jobs.get(input.batchId)!);
    const p = await preview(input);
    await startBatch(input.batchId, 'decide', p.items.length, input.reason, input.decision, null);
    const job = newJob(input.batchId, 'decide', input.decision, null, p.items.map((i) => i.caseId), (id) => p.items.find((i) => i.caseId === id)?.contentId ?? null);
    void (async () => {
      for (const [n, planned] of p.items.entries()) {
        const item = job.items[n]!;
        if (planned.skip) {
          item.outcome = 'skipped';
          item.message = planned.message;
        } else {
          await send(item, {
            type: 'decide', caseId: planned.caseId, decision: input.decision, reason: input.reason,
            commandId: `bulk:${input.batchId}:${planned.caseId}`, expectedVersion: planned.version ?? undefined, tool: o.tool,
          });
        }
        progress(job);
      }
      finish(job);
    })().catch((err: unknown) => {
      o.logger.error({ batchId: input.batchId, err: (err as Error).message }, 'bulk batch stopped');
      for (const i of job.items) if (i.outcome === 'pending') Object.assign(i, { outcome: 'failed', message: (err as Error).message });
      finish(job);
    });
    return structuredClone(job);
  }

  /** The cases a batch actioned, as the database recorded its commands (not this process's memory). */
  async function batchCases(batchId: string): Promise<string[]> {
    const { rows } = await dbCall(() =>
      o.db.query<{ case_id: string }>(
        `SELECT case_id::text FROM commands WHERE id LIKE $1 AND type = 'decide' AND status IN ('accepted', 'applied') ORDER BY created_at, id`,
        [`bulk:${batchId.replace(/[%_\\]/g, '\\$&')}:%`],
      ),
    );
    return rows.map((r) => r.case_id);
  }

  /** Waits (polling the database) while a case of the batch is still being carried out. */
  async function settled(id: string): Promise<CaseState | undefined> {
    const until = Date.now() + (o.settleMs ?? 60_000);
    for (;;) {
      const c = (await read([id])).get(id);
      if (!c || !['executing', 'reversing'].includes(c.status) || Date.now() > until) return c;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Undo a batch: each case it actioned goes through the normal rollback path (its own command id and version). */
  async function undo(input: BulkUndoInput): Promise<BulkJob> {
    if (jobs.has(input.batchId)) return structuredClone(jobs.get(input.batchId)!);
    const ids = await batchCases(input.undoes);
    if (ids.length === 0) throw new GuardianError('conflict', `Batch ${input.undoes} actioned no case: nothing to undo.`);
    await startBatch(input.batchId, 'undo', ids.length, input.reason, null, input.undoes);
    const first = await read(ids);
    const job = newJob(input.batchId, 'undo', null, input.undoes, ids, (id) => first.get(id)?.content_id ?? null);
    void (async () => {
      for (const [n, id] of ids.entries()) {
        const item = job.items[n]!;
        const c = await settled(id);
        if (!c || c.status !== 'actioned') {
          item.outcome = 'skipped';
          item.message = c ? `${SKIP_TEXT.not_actioned} (${c.status.replace(/_/g, ' ')})` : SKIP_TEXT.not_found;
        } else {
          await send(item, { type: 'rollback', caseId: id, reason: input.reason, commandId: `bulk:${input.batchId}:${id}`, expectedVersion: c.version, tool: o.tool });
        }
        progress(job);
      }
      finish(job);
    })().catch((err: unknown) => {
      o.logger.error({ batchId: input.batchId, err: (err as Error).message }, 'bulk undo stopped');
      for (const i of job.items) if (i.outcome === 'pending') Object.assign(i, { outcome: 'failed', message: (err as Error).message });
      finish(job);
    });
    return structuredClone(job);
  }

  return {
    preview,
    run,
    undo,
    get(batchId: string): BulkJob {
      const j = jobs.get(batchId);
      if (!j) throw new GuardianError('not_found', `No bulk job ${batchId} in this session.`);
      return structuredClone(j);
    },
  };
}

export type Bulk = ReturnType<typeof createBulk>;
