-- The hash of one audit event (hash_version 2). Computed where the event is stored, over the jsonb's own
-- text form, so that key order never matters (STYLE: "compute it where it is stored"). Recomputed
-- independently by `guardian audit verify` (src/core/audit/verify.ts): keep the two identical.
CREATE OR REPLACE FUNCTION private.audit_hash(p_prev text, p_stream text, p_seq bigint, p_type text, p_actor text,
                                              p_tool text, p_login text, p_at timestamptz, p_payload jsonb) RETURNS text
  LANGUAGE sql STABLE
  SET search_path = pg_catalog, pg_temp
AS $$
  SELECT encode(sha256(convert_to(concat_ws(E'\n',
           coalesce(p_prev, ''), coalesce(p_stream, ''), coalesce(p_seq::text, ''), coalesce(p_type, ''), coalesce(p_actor, ''),
           coalesce(p_tool, ''), coalesce(p_login, ''),
           to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), p_payload::text), 'UTF8')), 'hex')
$$;
COMMENT ON FUNCTION private.audit_hash(text, text, bigint, text, text, text, text, timestamptz, jsonb) IS
  'Hash of an audit event: sha256 of prev, stream, seq, type, actor, tool, login, time (UTC, µs) and payload::text, newline-separated.';

-- Appends one event to its stream's chain, inside the transaction of the change it records. One upsert
-- locks the stream's head row (concurrent appends to one stream queue up, so the chain never forks),
-- advances it and returns the head it chained to; the writing login (session_user) is recorded beside the
-- actor.
CREATE OR REPLACE FUNCTION private.append_audit(p_case_id uuid, p_type text, p_actor text, p_tool text,
                                                p_payload jsonb DEFAULT '{}') RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  s      text := CASE WHEN p_case_id IS NULL THEN 'global' ELSE 'case:' || p_case_id END;
  at     timestamptz := now();
  body   jsonb := coalesce(p_payload, '{}');
  who    text := session_user::text;
  h      audit_heads;
  event  bigint;
BEGIN
  INSERT INTO audit_heads AS x (stream, seq, head, prev, updated_at)
  VALUES (s, 1, private.audit_hash(NULL, s, 1, p_type, p_actor, p_tool, who, at, body), NULL, at)
  ON CONFLICT (stream) DO UPDATE
     SET seq = x.seq + 1, prev = nullif(x.head, ''), updated_at = at,
         head = private.audit_hash(nullif(x.head, ''), s, x.seq + 1, p_type, p_actor, p_tool, who, at, body)
  RETURNING x.* INTO h;
  INSERT INTO audit_events (stream, case_id, seq, type, actor, tool, db_login, payload, prev_hash, hash, hash_version, created_at)
  VALUES (s, p_case_id, h.seq, p_type, p_actor, p_tool, who, body, h.prev, h.head, 2, at)
  RETURNING id INTO event;
  RETURN event;
END $$;
COMMENT ON FUNCTION private.append_audit(uuid, text, text, text, jsonb) IS
  'Appends an audit event to its stream''s hash chain (call inside the change''s transaction).';
GRANT EXECUTE ON FUNCTION private.append_audit(uuid, text, text, text, jsonb) TO guardian_role_manager;
