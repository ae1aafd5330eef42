import { randomUUID } from 'node:crypto';
import { GuardianError } from '../errors.js';
import type { Logger } from '../ports.js';
import { NORMAL_PRIORITY, PermanentError, URGENT_PRIORITY, type Delivery, type WorkQueue } from '../queue/bus.js';
import { parseIngest, type AppealSubmittedV1, type ContentSubmittedV1 } from '../queue/messages.js';
import { caseRowFromJson, type CaseRow } from '../store/cases-repo.js';
import { dbCall } from '../store/db-errors.js';
import type { Db } from '../store/db.js';

export interface IngestDeps {
  db: Db;
  logger: Logger;
  publishJob: (queue: WorkQueue, body: object, opts?: { priority?: number }) => Promise<void>;
  onCaseChanged: (row: CaseRow) => void;
}

type EditOutcome = 'unchanged' | 'stale' | 'other_author' | 'edited' | 'edited_after_decision';

export const analysisPriority = (p: string) => (p === 'urgent' ? URGENT_PRIORITY : NORMAL_PRIORITY);

/**
 * The ingest queue's handler (worker role): validate (bad input is dead-lettered with the reason), create
 * the case once per contentId — the same contentId with another text is an edit (worker.edit_content) — or
 * open the appeal, through the worker functions (the platform is the actor), and hand new work to its queue.
 * Acked only after both happened.
 */
export function createIngestHandler(d: IngestDeps) {
  /**
   * One round trip per message (issue 16): worker.ingest_content creates the case, or, for a known contentId,
   * decides in the same call whether this is a duplicate or an edit (worker.edit_content).
   */
  async function content(msg: ContentSubmittedV1) {
    const priority = msg.priority ?? 'normal';
    const { rows } = await d.db.query<{ r: { created: boolean; outcome?: EditOutcome; case: Record<string, unknown> } }>(
      `SELECT worker.ingest_content(p_case_id => $1, p_content_id => $2, p_author_id => $3, p_text => $4, p_url => $5,
              p_reported_by => $6, p_report_reason => $7, p_priority => $8, p_submitted_at => $9) AS r`,
      [randomUUID(), msg.contentId, msg.authorId, msg.text, msg.url ?? null, msg.reportedBy ?? null, msg.reportReason ?? null, priority, msg.submittedAt],
    );
    let { outcome } = rows[0]!.r;
    const { created } = rows[0]!.r;
    let row = caseRowFromJson(rows[0]!.r.case);
    if (!created && outcome === undefined) {
      // A database whose worker.ingest_content predates this build (a rolling upgrade: no migration marks
      // the change): it did not look at the edit, so ask worker.edit_content in a second call, as before.
      const r = await d.db.query<{ r: { outcome: EditOutcome; case: Record<string, unknown> } }>(
        `SELECT worker.edit_content(p_content_id => $1, p_author_id => $2, p_text => $3, p_submitted_at => $4) AS r`,
        [msg.contentId, msg.authorId, msg.text, msg.submittedAt],
      );
      outcome = r.rows[0]!.r.outcome;
      row = caseRowFromJson(r.rows[0]!.r.case);
    }
    if (created) d.onCaseChanged(row);
    else edited(msg, row, outcome!);
    // A redelivery of a message whose case exists but was never analysed republishes the job.
    if (row.status === 'analyzing') await d.publishJob('analysis', { caseId: row.id }, { priority: analysisPriority(row.priority) });
  }

  /** The contentId had a case: an edited post, or a duplicate (the same text, or an older message). */
  function edited(msg: ContentSubmittedV1, row: CaseRow, outcome: EditOutcome): void {
    switch (outcome) {
      case 'edited':
      case 'edited_after_decision':
        d.logger.info({ contentId: msg.contentId, caseId: row.id, outcome }, 'edited content recorded');
        d.onCaseChanged(row);
        break;
      case 'other_author':
        throw new PermanentError(`invalid content.submitted v1: authorId: content ${msg.contentId} is another author's (case ${row.id})`);
      case 'stale':
        d.logger.warn({ contentId: msg.contentId, submittedAt: msg.submittedAt }, 'content.submitted older than the case\'s text ignored');
        break;
      default:
        d.logger.debug({ contentId: msg.contentId }, 'duplicate content.submitted ignored');
    }
  }

  async function appeal(msg: AppealSubmittedV1) {
    const commandId = `appeal:${msg.contentId}:${msg.submittedAt}`;
    let r: { outcome: 'opened' | 'duplicate' | 'redelivered'; caseId: string; case: Record<string, unknown> };
    try {
      const { rows } = await dbCall(() =>
        d.db.query<{ r: typeof r }>(
          `SELECT worker.open_appeal(p_command_id => $1, p_content_id => $2, p_author_id => $3, p_reason => $4, p_submitted_at => $5) AS r`,
          [commandId, msg.contentId, msg.authorId, msg.reason, msg.submittedAt],
        ),
      );
      r = rows[0]!.r;
    } catch (err) {
      // Unknown content, someone else's content, nothing to appeal: retrying cannot help.
      if (err instanceof GuardianError && err.code !== 'unavailable' && err.code !== 'internal') throw new PermanentError(err.message);
      throw err;
    }
    if (r.outcome === 'opened') d.onCaseChanged(caseRowFromJson(r.case));
    // Opened now, or redelivered before its job was confirmed: publish the (idempotent) job.
    if (r.outcome !== 'duplicate') await d.publishJob('rollbacks', { commandId, caseId: r.caseId });
  }

  return async function handle(delivery: Delivery): Promise<void> {
    const parsed = parseIngest(delivery.routingKey, delivery.body);
    return parsed.kind === 'content' ? content(parsed.msg) : appeal(parsed.msg);
  };
}
