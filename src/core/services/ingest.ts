import { randomUUID } from 'node:crypto';
import { GuardianError } from '../errors.js';
import type { Logger } from '../ports.js';
import { NORMAL_PRIORITY, PermanentError, URGENT_PRIORITY, type Delivery, type WorkQueue } from '../queue/bus.js';
import { parseIngest, type ContentSubmittedV1 } from '../queue/messages.js';
import { appendAudit } from '../store/audit-repo.js';
import { getCaseByContentId, type CaseRow } from '../store/cases-repo.js';
import type { Db } from '../store/db.js';
import type { CommandService } from './commands.js';

export interface IngestDeps {
  db: Db;
  logger: Logger;
  commands: CommandService;
  publishJob: (queue: WorkQueue, body: object, opts?: { priority?: number }) => Promise<void>;
  onCaseChanged: (row: CaseRow) => void;
}

export const analysisPriority = (p: string) => (p === 'urgent' ? URGENT_PRIORITY : NORMAL_PRIORITY);

/**
 * The ingest queue's handler: validate (bad input is dead-lettered with the reason), create the case
 * once per contentId, and hand it to the prioritised analysis queue. Acked only after both happened.
 */
export function createIngestHandler(d: IngestDeps) {
  async function content(msg: ContentSubmittedV1) {
    const priority = msg.priority ?? 'normal';
    const created = await d.db.tx(async (q) => {
      const { rows } = await q.query<CaseRow>(
        `INSERT INTO cases (id, content_id, author_id, text, url, reported_by, report_reason, priority, submitted_at, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'analyzing')
         ON CONFLICT (content_id) DO NOTHING RETURNING *, false AS claim_active`,
        [randomUUID(), msg.contentId, msg.authorId, msg.text, msg.url ?? null, msg.reportedBy ?? null, msg.reportReason ?? null, priority, msg.submittedAt],
      );
      if (rows[0])
        await appendAudit(q, {
          caseId: rows[0].id,
          type: 'case.created',
          actor: 'platform',
          tool: 'ingest',
          payload: { contentId: msg.contentId, authorId: msg.authorId, priority, reportedBy: msg.reportedBy ?? null },
        });
      return rows[0];
    });
    const row = created ?? (await getCaseByContentId(d.db, msg.contentId))!;
    if (created) d.onCaseChanged(created);
    // A redelivery of a message whose case exists but was never analysed republishes the job.
    if (row.status === 'analyzing') await d.publishJob('analysis', { caseId: row.id }, { priority: analysisPriority(row.priority) });
    else d.logger.debug({ contentId: msg.contentId }, 'duplicate content.submitted ignored');
  }

  return async function handle(delivery: Delivery): Promise<void> {
    const parsed = parseIngest(delivery.routingKey, delivery.body);
    if (parsed.kind === 'content') return content(parsed.msg);
    const msg = parsed.msg;
    const row = await getCaseByContentId(d.db, msg.contentId);
    if (!row) throw new PermanentError(`appeal for unknown contentId "${msg.contentId}"`);
    if (row.author_id !== msg.authorId) throw new PermanentError(`appeal authorId "${msg.authorId}" is not the author of content "${msg.contentId}"`);
    try {
      await d.commands.openAppeal({
        commandId: `appeal:${msg.contentId}:${msg.submittedAt}`,
        caseId: row.id,
        reason: msg.reason,
        submittedAt: msg.submittedAt,
        authorId: msg.authorId,
      });
    } catch (err) {
      if (err instanceof GuardianError && err.code !== 'unavailable' && err.code !== 'internal') throw new PermanentError(err.message);
      throw err;
    }
  };
}
