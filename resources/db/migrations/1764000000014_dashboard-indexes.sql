-- Up Migration
-- The supervisor dashboard (api.dashboard) counts the cases created in a window (intake, automatic vs
-- reviewed): without this it reads every case ever recorded (test/db/functions/api/dashboard-plans.test.ts,
-- EXPLAIN at 100,000 cases). Its other reads use commands_applied_idx, audit_type_idx, audit_created_idx,
-- audit_case_idx, commands_case_idx and the queue index.
CREATE INDEX cases_created_idx ON cases (created_at);

-- Down Migration
DROP INDEX cases_created_idx;
