import type { BusState, QueueDepth } from '../queue/bus.js';
import type { Bus } from '../queue/bus.js';
import { DEAD_QUEUE } from '../queue/topology.js';
import type { Queryable } from '../store/db.js';
import { caseHealthCounts } from '../store/metrics-repo.js';

export interface HealthReport {
  /** ok: all up and nothing waiting on an operator; degraded: up, but something needs a look; down: a server is unreachable */
  status: 'ok' | 'degraded' | 'down';
  mode: 'connected' | 'standalone';
  database: { state: 'up' | 'down' | 'embedded'; latencyMs?: number; error?: string };
  broker: { state: BusState; queues?: QueueDepth[]; error?: string };
  cases?: { failed: number; stuckAnalyzing: number; awaitingReview: number; pastSla: number };
  /** Why the status is not ok, in words. */
  problems: string[];
}

/** What an operator checks first (`guardian health`): connections, queue depths, dead letters, stuck work. */
export async function healthReport(o: { mode: 'connected' | 'standalone'; db: Queryable; bus: Bus }): Promise<HealthReport> {
  const problems: string[] = [];
  const t0 = performance.now();
  const database: HealthReport['database'] = await o.db
    .query('SELECT 1')
    .then(() => ({ state: o.mode === 'standalone' ? ('embedded' as const) : ('up' as const), latencyMs: Math.round((performance.now() - t0) * 10) / 10 }))
    .catch((err: Error) => ({ state: 'down' as const, error: err.message }));
  if (database.state === 'down') problems.push(`database unreachable: ${database.error}`);
  const state = o.bus.state();
  const broker: HealthReport['broker'] = { state };
  if (state === 'down') problems.push('broker unreachable');
  else
    broker.queues = await o.bus.queueDepths().catch((err: Error) => {
      broker.error = err.message;
      problems.push(`broker: ${err.message}`);
      return undefined;
    });
  const dead = broker.queues?.find((q) => q.queue === DEAD_QUEUE)?.messages ?? 0;
  if (dead) problems.push(`${dead} message(s) in the dead-letter queue ${DEAD_QUEUE}`);
  let cases: HealthReport['cases'];
  if (database.state !== 'down') {
    const r = (cases = await caseHealthCounts(o.db));
    if (r.failed) problems.push(`${r.failed} failed case(s) need an operator`);
    if (r.stuckAnalyzing) problems.push(`${r.stuckAnalyzing} case(s) analysing for more than 5 minutes`);
  }
  const down = database.state === 'down' || state === 'down';
  return { status: down ? 'down' : problems.length ? 'degraded' : 'ok', mode: o.mode, database, broker, cases, problems };
}
