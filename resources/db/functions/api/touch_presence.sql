-- Presence (issue 14): the calling person says they have the case open ('viewing'), are typing a decision on
-- it ('typing'), or closed it ('left', which removes their row at once). The person is the login's
-- (session_user) — there is no person argument, so nobody can appear as someone else. The row expires
-- p_ttl_seconds after this call in database time (the workstation heartbeats every few seconds), so a
-- crashed or disconnected desktop disappears within seconds too. Ephemeral: no command row and no audit
-- event (a heartbeat is no decision; DESIGN §10 keeps the audit for state changes of cases and people).
-- Returns the case's presence after the touch, the same shape as api.presence.
CREATE OR REPLACE FUNCTION api.touch_presence(
  p_case_id uuid,
  p_state text,
  p_ttl_seconds int DEFAULT 15
) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  me moderators := private.require_person();
BEGIN
  IF p_case_id IS NULL THEN PERFORM private.fail('GWINV', 'caseId: required'); END IF;
  IF p_state IS NULL OR p_state NOT IN ('viewing', 'typing', 'left') THEN
    PERFORM private.fail('GWINV', 'state: viewing, typing or left');
  END IF;
  -- Bounded so a client cannot pin itself on a case for ever: 2 s to 60 s.
  IF p_ttl_seconds IS NULL OR p_ttl_seconds NOT BETWEEN 2 AND 60 THEN
    PERFORM private.fail('GWINV', 'ttlSeconds: 2 to 60');
  END IF;
  IF NOT EXISTS (SELECT 1 FROM cases WHERE id = p_case_id) THEN
    PERFORM private.fail('GWNFD', format('No case %s.', p_case_id));
  END IF;
  IF p_state = 'left' THEN
    DELETE FROM case_presence WHERE case_id = p_case_id AND person_id = me.id;
  ELSE
    INSERT INTO case_presence AS p (case_id, person_id, state, since, expires_at)
    VALUES (p_case_id, me.id, p_state, now(), now() + make_interval(secs => p_ttl_seconds))
    ON CONFLICT (case_id, person_id) DO UPDATE
      SET state = EXCLUDED.state, expires_at = EXCLUDED.expires_at,
          since = CASE WHEN p.state = EXCLUDED.state AND p.expires_at > now() THEN p.since ELSE now() END;
  END IF;
  -- Expired rows of this case go as the case is touched (the table stays as small as the open windows).
  DELETE FROM case_presence WHERE case_id = p_case_id AND expires_at <= now();
  RETURN api.presence(ARRAY[p_case_id]);
END $$;
COMMENT ON FUNCTION api.touch_presence(uuid, text, int) IS
  'Say the logged-in person is viewing or typing on a case (expires after p_ttl_seconds), or has left it.';
GRANT EXECUTE ON FUNCTION api.touch_presence(uuid, text, int) TO guardian_moderator;
