import type { SupervisorMetrics } from '../../shared/domain.js';
import type { Queryable } from './db.js';

const rate = (part: number, whole: number) => (whole ? part / whole : null);

/**
 * The supervisor metrics, aggregated in the database (the UI used to read up to 20,000 rows to count the
 * backlog). Decisions are read from the applied commands of the window and the AI's suggestion from the
 * case's analysis; automatic outcomes are the cases changed in the window that the agent settled.
 */
export async function supervisorMetrics(q: Queryable, opts: { sinceDays: number }): Promise<SupervisorMetrics> {
  const { rows } = await q.query<{
    waiting: number;
    urgent: number;
    sla_breached: number;
    escalated: number;
    oldest: string | null;
    from: string;
    decided: number;
    agreed: number;
    appeals: number;
    overturned: number;
    auto_resolved: number;
    auto_actioned: number;
  }>(
    `WITH w AS (SELECT now() - make_interval(days => $1) AS from_at),
     backlog AS (
       SELECT count(*) FILTER (WHERE c.status = 'awaiting_review')::int AS waiting,
              count(*) FILTER (WHERE c.status = 'awaiting_review' AND c.priority = 'urgent')::int AS urgent,
              count(*) FILTER (WHERE c.status = 'awaiting_review' AND c.sla_due_at < now())::int AS sla_breached,
              count(*) FILTER (WHERE c.level >= 2)::int AS escalated,
              min(c.created_at) FILTER (WHERE c.status = 'awaiting_review') AS oldest
         FROM cases c WHERE c.status IN ('awaiting_review', 'reversing')),
     decisions AS (
       SELECT count(*)::int AS decided,
              count(*) FILTER (WHERE cm.payload->>'decision' = c.analysis->>'suggestedAction')::int AS agreed
         FROM commands cm JOIN cases c ON c.id = cm.case_id, w
        WHERE cm.type = 'decide' AND cm.status = 'applied' AND cm.created_at >= w.from_at
          AND cm.payload->'context'->>'reviewKind' = 'initial' AND cm.payload->>'decision' <> 'escalate'
          AND c.analysis ? 'suggestedAction'),
     appeals AS (
       SELECT count(*)::int AS appeals, count(*) FILTER (WHERE cm.payload->>'outcome' = 'overturn')::int AS overturned
         FROM commands cm, w
        WHERE cm.type = 'appeal_decide' AND cm.status = 'applied' AND cm.created_at >= w.from_at),
     automatic AS (
       SELECT count(*) FILTER (WHERE c.status = 'auto_resolved')::int AS auto_resolved,
              count(*) FILTER (WHERE c.last_decision->>'actor' = 'agent')::int AS auto_actioned
         FROM cases c, w WHERE c.updated_at >= w.from_at)
     SELECT backlog.*, w.from_at AS from, decisions.*, appeals.*, automatic.* FROM backlog, w, decisions, appeals, automatic`,
    [opts.sinceDays],
  );
  const r = rows[0]!;
  return {
    backlog: { waiting: r.waiting, urgent: r.urgent, slaBreached: r.sla_breached, escalated: r.escalated, oldestCreatedAt: r.oldest },
    window: { days: opts.sinceDays, from: r.from },
    agreement: { decided: r.decided, agreed: r.agreed, rate: rate(r.agreed, r.decided) },
    appeals: { decided: r.appeals, overturned: r.overturned, rate: rate(r.overturned, r.appeals) },
    automatic: { resolved: r.auto_resolved, actioned: r.auto_actioned },
  };
}

/** What `guardian health` reports about the cases: those waiting on an operator, and the review backlog. */
export async function caseHealthCounts(q: Queryable): Promise<{ failed: number; stuckAnalyzing: number; awaitingReview: number; pastSla: number }> {
  const { rows } = await q.query<{ failed: number; stuck: number; waiting: number; past_sla: number }>(
    `SELECT count(*) FILTER (WHERE status = 'failed')::int AS failed,
            count(*) FILTER (WHERE status = 'analyzing' AND updated_at < now() - interval '5 minutes')::int AS stuck,
            count(*) FILTER (WHERE status = 'awaiting_review')::int AS waiting,
            count(*) FILTER (WHERE status = 'awaiting_review' AND sla_due_at < now())::int AS past_sla
       FROM cases WHERE status IN ('failed', 'analyzing', 'awaiting_review')`,
  );
  const r = rows[0]!;
  return { failed: r.failed, stuckAnalyzing: r.stuck, awaitingReview: r.waiting, pastSla: r.past_sla };
}
