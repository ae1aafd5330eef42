import type { Logger } from '../ports.js';
import type { WorkQueue } from '../queue/bus.js';
import type { CaseRow } from '../store/cases-repo.js';
import type { Db } from '../store/db.js';
import { analysisPriority } from './ingest.js';

/**
 * Recovery: the database is the truth, the bus only delivers. Work whose job was lost (a publish that
 * failed after commit, a process killed in between, the in-process bus of standalone mode) is found
 * here by its state and published again; every job is idempotent, so a duplicate is harmless.
 */
export function createSweeper(o: {
  db: Db;
  logger: Logger;
  publishJob: (queue: WorkQueue, body: object, opts?: { priority?: number }) => Promise<void>;
  slaMinutes: number;
  onCaseChanged: (row: CaseRow) => void;
  /** Only work older than this is considered lost (database time). 0 at a single-owner start. */
  minAgeSeconds: number;
  intervalMs: number;
}) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  async function sweepOnce(minAgeSeconds = o.minAgeSeconds): Promise<number> {
    let n = 0;
    const cases = await o.db.query<{ id: string; priority: string }>(
      `SELECT id, priority FROM cases WHERE status = 'analyzing' AND updated_at < now() - make_interval(secs => $1) LIMIT 5000`,
      [minAgeSeconds],
    );
    for (const c of cases.rows) {
      await o.publishJob('analysis', { caseId: c.id }, { priority: analysisPriority(c.priority) });
      n++;
    }
    const cmds = await o.db.query<{ id: string; case_id: string; type: string }>(
      `SELECT id, case_id, type FROM commands WHERE status = 'accepted' AND created_at < now() - make_interval(secs => $1)
        ORDER BY created_at LIMIT 5000`,
      [minAgeSeconds],
    );
    for (const c of cmds.rows) {
      await o.publishJob(c.type === 'rollback' || c.type === 'appeal_open' ? 'rollbacks' : 'decisions', { commandId: c.id, caseId: c.case_id });
      n++;
    }
    if (n) o.logger.info({ republished: n }, 'recovery sweep republished unfinished work');
    await escalateBreaches();
    return n;
  }

  /** DESIGN §3: a level-1 review past its SLA (database time) goes to the supervisors. */
  async function escalateBreaches(): Promise<void> {
    const { rows: breached } = await o.db.query<CaseRow>('SELECT c.*, false AS claim_active FROM worker.escalate_breaches($1) c', [o.slaMinutes]);
    for (const r of breached) o.onCaseChanged(r);
    if (breached.length) o.logger.warn({ cases: breached.length }, 'reviews past their SLA escalated to level 2');
  }

  return {
    sweepOnce,
    start() {
      timer = setInterval(() => {
        if (running) return;
        running = sweepOnce().catch((err: Error) => {
          o.logger.warn({ err: err.message }, 'recovery sweep failed');
          return 0;
        });
        void running.finally(() => (running = undefined));
      }, o.intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
