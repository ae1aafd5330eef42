-- Up Migration
-- Presence (issue 14): who has a case open ('viewing') or is typing a decision on it ('typing'). Ephemeral by
-- design: UNLOGGED (lost on a crash, never replicated, never audited — a heartbeat every few seconds is no
-- decision and would flood the hash chain), one row per (case, person), each with an expiry in database time
-- that the workstation's heartbeat pushes forward. Written only by api.touch_presence for the caller's OWN
-- person (derived from session_user; the function takes no person argument) and read only through
-- api.presence, which shows unexpired rows only: a closed window disappears within the expiry even if its
-- 'left' never arrives. privileges.sql grants nothing on it.
CREATE UNLOGGED TABLE case_presence (
  case_id    uuid NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  person_id  text NOT NULL REFERENCES moderators (id) ON DELETE CASCADE,
  state      text NOT NULL CHECK (state IN ('viewing', 'typing')),
  since      timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (case_id, person_id)
);
REVOKE ALL ON case_presence FROM PUBLIC;

-- Down Migration
DROP TABLE case_presence;
