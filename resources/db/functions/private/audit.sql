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

-- Appends one event to its stream's chain, inside the transaction of the change it records. The stream's
-- row in audit_heads is locked first, so concurrent appends to one stream queue up and the chain never
-- forks; the writing login (session_user) is recorded beside the actor.
CREATE OR REPLACE FUNCTION private.append_audit(p_case_id uuid, p_type text, p_actor text, p_tool text,
                                                p_payload jsonb DEFAULT '{}') RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  s       text := CASE WHEN p_case_id IS NULL THEN 'global' ELSE 'case:' || p_case_id END;
  h       audit_heads;
  at      timestamptz := now();
  body    jsonb := coalesce(p_payload, '{}');
  n       bigint;
  digest  text;
  event   bigint;
BEGIN
  SELECT * INTO h FROM audit_heads WHERE stream = s FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO audit_heads (stream, seq, head) VALUES (s, 0, '') ON CONFLICT (stream) DO NOTHING;
    SELECT * INTO h FROM audit_heads WHERE stream = s FOR UPDATE;
  END IF;
  n := h.seq + 1;
  digest := private.audit_hash(nullif(h.head, ''), s, n, p_type, p_actor, p_tool, session_user::text, at, body);
  INSERT INTO audit_events (stream, case_id, seq, type, actor, tool, db_login, payload, prev_hash, hash, hash_version, created_at)
  VALUES (s, p_case_id, n, p_type, p_actor, p_tool, session_user::text, body, nullif(h.head, ''), digest, 2, at)
  RETURNING id INTO event;
  UPDATE audit_heads SET seq = n, head = digest, updated_at = at WHERE stream = s;
  RETURN event;
END $$;
COMMENT ON FUNCTION private.append_audit(uuid, text, text, text, jsonb) IS
  'Appends an audit event to its stream''s hash chain (call inside the change''s transaction).';
GRANT EXECUTE ON FUNCTION private.append_audit(uuid, text, text, text, jsonb) TO guardian_role_manager;
