-- Up Migration
-- Dead letters an admin can see and act on (issue 15) without any desktop getting rights on the broker's
-- guardian.dead: the worker moves each message from that queue into this table (worker.record_dead_letter)
-- and acks it only after the insert commits, so a crash in between redelivers it and the fingerprint makes
-- the second insert a "seen again" of the same row. Persons act by command functions (api.dead_letter_replay,
-- api.dead_letter_discard: admins only, audited); the worker carries a replay out (it publishes the stored
-- body back to its source and calls worker.dead_letter_replayed). Persons have no privilege on the table:
-- they read it through api.dead_letters / api.dead_letter, which refuse anyone but an admin.
CREATE TABLE dead_letters (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- sha256 of what identifies one delivery (source, routing key, message id, replays, reason, body)
  fingerprint         text NOT NULL,
  reason              text NOT NULL CHECK (length(reason) <= 2000),
  source_queue        text NOT NULL CHECK (length(source_queue) <= 255),
  routing_key         text NOT NULL CHECK (length(routing_key) <= 255),
  message_id          text CHECK (length(message_id) <= 255),
  content_type        text CHECK (length(content_type) <= 255),
  -- whole up to 512 KiB (every message the contract accepts), else the first 16 KiB (body_truncated)
  body                bytea NOT NULL CHECK (octet_length(body) <= 524288),
  body_bytes          bigint NOT NULL CHECK (body_bytes >= 0),
  body_truncated      boolean NOT NULL DEFAULT false,
  body_sha256         text,
  headers             jsonb NOT NULL DEFAULT '{}',
  -- deliveries before it was dead-lettered, and how many times it had been replayed before
  attempts            int NOT NULL DEFAULT 0,
  replays             int NOT NULL DEFAULT 0,
  first_seen          timestamptz NOT NULL DEFAULT now(),
  last_seen           timestamptz NOT NULL DEFAULT now(),
  times_seen          int NOT NULL DEFAULT 1,
  state               text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'replayed', 'discarded')),
  -- a replay an admin asked for and the worker has not carried out yet (the state stays pending until then)
  replay_requested_by text,
  replay_requested_at timestamptz,
  replay_command_id   text,
  -- who replayed (asked for it) or discarded it, and when that was done
  done_by             text,
  done_at             timestamptz
);
-- One pending row per delivery: a redelivery after a crash between the insert and the ack is "seen again".
CREATE UNIQUE INDEX dead_letters_pending_fingerprint_idx ON dead_letters (fingerprint) WHERE state = 'pending';
-- The worker's poll for replays to carry out.
CREATE INDEX dead_letters_replay_idx ON dead_letters (replay_requested_at) WHERE state = 'pending' AND replay_requested_at IS NOT NULL;
-- The console's list (by state, newest first).
CREATE INDEX dead_letters_state_idx ON dead_letters (state, id);

-- Down Migration
DROP TABLE dead_letters;
