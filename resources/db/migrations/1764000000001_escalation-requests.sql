-- Up Migration
-- A moderator whose offline decision conflicted (or who disagrees) can ask a supervisor to look again.
ALTER TABLE cases ADD COLUMN escalation_requested_by text;
ALTER TABLE cases ADD COLUMN escalation_requested_at timestamptz;
ALTER TABLE cases ADD COLUMN escalation_reason text;
CREATE INDEX cases_escalation_requested_idx ON cases (escalation_requested_at) WHERE escalation_requested_at IS NOT NULL;

-- Down Migration
DROP INDEX cases_escalation_requested_idx;
ALTER TABLE cases DROP COLUMN escalation_reason;
ALTER TABLE cases DROP COLUMN escalation_requested_at;
ALTER TABLE cases DROP COLUMN escalation_requested_by;
