-- Up Migration
-- The trust model (DESIGN §10). Tables only: roles, grants, row-level security and the command functions
-- are applied by `guardian setup` from resources/db (functions/, privileges.sql), re-applied by checksum.
-- Runs as the installation's owner role (setup does SET ROLE), so everything created here is the owner's.

CREATE SCHEMA IF NOT EXISTS private;  -- helpers and internal state: no person or worker reads it
CREATE SCHEMA IF NOT EXISTS api;      -- the command functions persons may call
CREATE SCHEMA IF NOT EXISTS worker;   -- the functions the worker login may call

-- One row. Roles are cluster-wide, so an installation names its roles with a prefix
-- (guardian_moderator, …; test runs use their own). `mode` says whether people log in (connected) or one
-- local person holds every role (standalone).
CREATE TABLE private.installation (
  singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  role_prefix text NOT NULL CHECK (role_prefix ~ '^[a-z][a-z0-9_]{0,30}$'),
  mode        text NOT NULL CHECK (mode IN ('connected', 'standalone')),
  -- What the last complete setup applied (migrations, functions, privileges): an unchanged installation
  -- is not set up again (the embedded database sets itself up at every start).
  setup_checksum text,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Which function files (resources/db/functions) are applied, by checksum.
CREATE TABLE private.applied_functions (
  file       text PRIMARY KEY,
  checksum   text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);

-- A person's PostgreSQL login (their identity: the database derives the actor from session_user).
ALTER TABLE moderators ADD COLUMN login text UNIQUE;
ALTER TABLE moderators ADD COLUMN disabled_at timestamptz;
ALTER TABLE moderators ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

-- Audit: the hash is computed in the database now (private.audit_hash), over the stored jsonb's text, the
-- position in the stream and the login that wrote it. Earlier events keep their application-computed hash
-- (hash_version 1) and stay verifiable. audit_heads holds every stream's last position and hash, so a
-- deleted tail or a deleted stream is detected without an anchor (and with one, a rewrite of both).
ALTER TABLE audit_events ADD COLUMN seq bigint;
ALTER TABLE audit_events ADD COLUMN db_login text;
ALTER TABLE audit_events ADD COLUMN hash_version smallint;
ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update;
UPDATE audit_events e SET hash_version = 1, seq = s.n
  FROM (SELECT id, row_number() OVER (PARTITION BY stream ORDER BY id) AS n FROM audit_events) s
 WHERE s.id = e.id;
ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update;
ALTER TABLE audit_events ALTER COLUMN seq SET NOT NULL;
ALTER TABLE audit_events ALTER COLUMN hash_version SET DEFAULT 2;
ALTER TABLE audit_events ALTER COLUMN hash_version SET NOT NULL;
CREATE UNIQUE INDEX audit_stream_seq_idx ON audit_events (stream, seq);

CREATE TABLE audit_heads (
  stream     text PRIMARY KEY,
  seq        bigint NOT NULL,
  head       text NOT NULL,
  -- the head before the last append (what that event chains to): one upsert advances the head and says it
  prev       text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO audit_heads (stream, seq, head, prev)
SELECT DISTINCT ON (stream) stream, seq, hash, prev_hash FROM audit_events ORDER BY stream, seq DESC;

-- Who a platform action is carried out for (the accepted command's actor, or the agent), read once when it
-- is recorded and used for its audit events.
ALTER TABLE actions ADD COLUMN actor text;

-- Append-only also against TRUNCATE (by the owner; nobody else may truncate at all).
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_heads_no_truncate BEFORE TRUNCATE ON audit_heads
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- Replaced by private.append_audit (the chain head now lives in audit_heads).
DROP FUNCTION audit_chain_head(text);

-- Live updates come from committed changes, not from clients: every change a workstation should see is
-- announced on this channel (ids and states only, never content) and a worker relays it to RabbitMQ's
-- guardian.events. NOTIFY is delivered on commit only, so a rolled-back change is never announced.
CREATE FUNCTION private.notify_case_changed() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('guardian_case_changed',
    json_build_object('caseId', NEW.id, 'status', NEW.status, 'version', NEW.version, 'level', NEW.level)::text);
  RETURN NULL;
END $$;
-- A case still being analysed is in nobody's queue: it is announced when analysis moves it (NOTIFY
-- serialises the commits of the transactions that use it, so it is kept to what a workstation shows).
CREATE TRIGGER cases_notify_insert AFTER INSERT ON cases
  FOR EACH ROW WHEN (NEW.status <> 'analyzing') EXECUTE FUNCTION private.notify_case_changed();
CREATE TRIGGER cases_notify_update AFTER UPDATE ON cases
  FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.version IS DISTINCT FROM NEW.version
        OR OLD.level IS DISTINCT FROM NEW.level OR OLD.claimed_by IS DISTINCT FROM NEW.claimed_by
        OR OLD.claim_until IS DISTINCT FROM NEW.claim_until
        OR OLD.escalation_requested_at IS DISTINCT FROM NEW.escalation_requested_at)
  EXECUTE FUNCTION private.notify_case_changed();

-- Down Migration
DROP TRIGGER cases_notify_update ON cases;
DROP TRIGGER cases_notify_insert ON cases;
DROP FUNCTION private.notify_case_changed();
CREATE FUNCTION audit_chain_head(p_stream text, OUT head text, OUT at timestamptz)
  LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('audit:' || p_stream));
  SELECT e.hash INTO head FROM audit_events e WHERE e.stream = p_stream ORDER BY e.id DESC LIMIT 1;
  at := now();
END $$;
DROP TRIGGER audit_heads_no_truncate ON audit_heads;
ALTER TABLE actions DROP COLUMN actor;
DROP TRIGGER audit_events_no_truncate ON audit_events;
DROP TABLE audit_heads;
DROP INDEX audit_stream_seq_idx;
ALTER TABLE audit_events DROP COLUMN hash_version;
ALTER TABLE audit_events DROP COLUMN db_login;
ALTER TABLE audit_events DROP COLUMN seq;
ALTER TABLE moderators DROP COLUMN updated_at;
ALTER TABLE moderators DROP COLUMN disabled_at;
ALTER TABLE moderators DROP COLUMN login;
DROP TABLE private.applied_functions;
DROP TABLE private.installation;
DROP SCHEMA worker;
DROP SCHEMA api;
DROP SCHEMA private;
