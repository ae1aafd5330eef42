-- Up Migration
-- The supervisor metrics count the decisions and appeal decisions applied in a recent window
-- (metrics-repo.ts): without this they scan every command ever recorded.
CREATE INDEX commands_applied_idx ON commands (type, created_at) WHERE status = 'applied';

-- Down Migration
DROP INDEX commands_applied_idx;
