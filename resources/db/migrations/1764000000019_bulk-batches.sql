-- Up Migration
-- Bulk actions (issue 14): a supervisor's batch — one decision and reason over many cases, or the undo of
-- such a batch. The batch row records who ran it and why; each case then goes through the normal command
-- path (api.decide_case / api.rollback_case) with the command id 'bulk:<batch id>:<case id>', so the batch id
-- is recorded with every command it made, and private.check_batch_command lets only the batch's own
-- supervisor use that prefix. Written only by api.start_batch; readable by persons (as commands are).
CREATE TABLE batches (
  id         text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{8,40}$'),
  kind       text NOT NULL CHECK (kind IN ('decide', 'undo')),
  decision   text CHECK (decision IS NULL OR decision IN ('approve', 'warn', 'remove')),
  reason     text NOT NULL,
  undoes     text REFERENCES batches (id),
  case_count int NOT NULL CHECK (case_count BETWEEN 1 AND 1000),
  created_by text NOT NULL REFERENCES moderators (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'decide') = (decision IS NOT NULL)),
  CHECK ((kind = 'undo') = (undoes IS NOT NULL))
);

-- Down Migration
DROP TABLE batches;
