-- Up Migration
-- The queue's priority order (issue 14, "Order and time"): urgent first, then the analysis's severity
-- (critical, high, medium, low, then none or not analysed), then the SLA deadline (soonest first; none
-- last), then created_at and id. The two leading keys are expressions (src/core/store/cases-repo.ts,
-- QUEUE_ORDER, spells them exactly the same way, so the planner matches them), and the index serves a page
-- of one status — first page and keyset pages alike — as one range scan without a sort.
CREATE INDEX cases_queue_priority_idx ON cases (
  status,
  (CASE WHEN priority = 'urgent' THEN 0 WHEN severity = 'critical' THEN 1 WHEN severity = 'high' THEN 2
        WHEN severity = 'medium' THEN 3 WHEN severity = 'low' THEN 4 ELSE 5 END),
  (COALESCE(sla_due_at, 'infinity'::timestamptz)),
  created_at,
  id
);
-- Only the old order used it.
DROP INDEX cases_queue_order_idx;
-- Deadlines are set at millisecond precision from now on (what the API shows, so a keyset cursor taken
-- from a row is exact); the ones already set are brought to it.
UPDATE cases SET sla_due_at = date_trunc('milliseconds', sla_due_at) WHERE sla_due_at IS NOT NULL;
-- worker.sync_review gains p_sla_targets (resources/db/functions/worker/sync_case.sql re-creates it).
DROP FUNCTION IF EXISTS worker.sync_review(uuid, text, int, text, int, jsonb, text);

-- Down Migration
CREATE INDEX cases_queue_order_idx ON cases (status, (priority = 'urgent') DESC, created_at, id);
DROP INDEX cases_queue_priority_idx;
