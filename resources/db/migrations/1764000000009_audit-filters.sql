-- Up Migration
-- The audit view filters by event type and by time window, newest first (audit-repo.ts queryAudit).
-- Without these, EXPLAIN at 200k events shows a sequential scan for a rare type and for a time window
-- (test/audit/audit-plans.test.ts); case and actor already have theirs (audit_case_idx, audit_actor_idx).
CREATE INDEX audit_type_idx ON audit_events (type, id);
CREATE INDEX audit_created_idx ON audit_events (created_at);

-- Down Migration
DROP INDEX audit_created_idx;
DROP INDEX audit_type_idx;
