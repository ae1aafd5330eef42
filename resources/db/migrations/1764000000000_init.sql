-- Up Migration

CREATE TABLE moderators (
  id            text PRIMARY KEY,
  display_name  text NOT NULL,
  role          text NOT NULL CHECK (role IN ('moderator', 'supervisor', 'admin')),
  active        boolean NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- The read model of a case. PostgreSQL is the authority: every state change is a compare-and-set on
-- this row (version) made by the command path in the same transaction as its command and audit rows.
CREATE TABLE cases (
  id                uuid PRIMARY KEY,
  content_id        text NOT NULL UNIQUE,
  author_id         text NOT NULL,
  text              text NOT NULL,
  url               text,
  reported_by       text,
  report_reason     text,
  priority          text NOT NULL DEFAULT 'normal' CHECK (priority IN ('normal', 'urgent')),
  submitted_at      timestamptz NOT NULL,
  status            text NOT NULL CHECK (status IN ('analyzing', 'auto_resolved', 'awaiting_review', 'executing',
                                                    'actioned', 'reversing', 'closed', 'failed')),
  level             int NOT NULL DEFAULT 1 CHECK (level IN (1, 2)),
  review_kind       text CHECK (review_kind IN ('initial', 'escalation', 'rollback', 'appeal')),
  verdict           text,
  severity          text,
  violation_type    text,
  analysis          jsonb,
  interrupt_id      text,
  claimed_by        text,
  claim_until       timestamptz,
  excluded_deciders text[] NOT NULL DEFAULT '{}',
  last_decision     jsonb,
  last_command_id   text,
  version           int NOT NULL DEFAULT 1,
  analysis_attempts int NOT NULL DEFAULT 0,
  failure_reason    text,
  sla_due_at        timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cases_queue_idx ON cases (status, level, priority, created_at);
CREATE INDEX cases_author_idx ON cases (author_id, created_at);
CREATE INDEX cases_updated_idx ON cases (updated_at);

-- Every state-changing command with its client-chosen id (the idempotency key) and its outcome.
CREATE TABLE commands (
  id               text PRIMARY KEY,
  type             text NOT NULL,
  case_id          uuid REFERENCES cases (id),
  actor            text NOT NULL,
  tool             text NOT NULL,
  expected_version int,
  payload          jsonb NOT NULL,
  interrupt_id     text,
  status           text NOT NULL CHECK (status IN ('accepted', 'applied', 'rejected', 'failed')),
  result           jsonb,
  created_at       timestamptz NOT NULL DEFAULT now(),
  applied_at       timestamptz
);
CREATE INDEX commands_case_idx ON commands (case_id, created_at);
CREATE INDEX commands_pending_idx ON commands (status, created_at) WHERE status = 'accepted';

-- Executed and reversed platform actions. A reversal is its own row pointing at what it reverses.
CREATE TABLE actions (
  id             text PRIMARY KEY,
  case_id        uuid NOT NULL REFERENCES cases (id),
  command_id     text,
  seq            int NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('remove_content', 'restore_content', 'ban_user', 'unban_user', 'warn_user')),
  reason         text NOT NULL,
  duration_hours int,
  reversible     boolean NOT NULL,
  reverses       text REFERENCES actions (id),
  status         text NOT NULL CHECK (status IN ('pending', 'done', 'failed', 'not_reversible')),
  attempts       int NOT NULL DEFAULT 0,
  last_error     text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  executed_at    timestamptz
);
CREATE INDEX actions_case_idx ON actions (case_id, seq);
CREATE UNIQUE INDEX actions_one_reversal_idx ON actions (reverses) WHERE reverses IS NOT NULL;

-- Append-only, hash-chained per stream (a case, or 'global' for events without a case).
CREATE TABLE audit_events (
  id         bigserial PRIMARY KEY,
  stream     text NOT NULL,
  case_id    uuid,
  type       text NOT NULL,
  actor      text NOT NULL,
  tool       text NOT NULL,
  payload    jsonb NOT NULL DEFAULT '{}',
  prev_hash  text,
  hash       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_case_idx ON audit_events (case_id, id);
CREATE INDEX audit_stream_idx ON audit_events (stream, id);
CREATE INDEX audit_actor_idx ON audit_events (actor, id);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only';
END $$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

-- What the built-in simulator platform adapter "executed" (standalone mode, demos, tests).
CREATE TABLE platform_sim_actions (
  action_id  text PRIMARY KEY,
  kind       text NOT NULL,
  body       jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE platform_sim_actions;
DROP TABLE audit_events;
DROP FUNCTION audit_events_append_only();
DROP TABLE actions;
DROP TABLE commands;
DROP TABLE cases;
DROP TABLE moderators;
