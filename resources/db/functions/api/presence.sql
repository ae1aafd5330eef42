-- Presence (issue 14): who has each of the given cases open or is typing a decision on it, unexpired rows
-- only (the expiry is database time, so a closed or crashed desktop vanishes within seconds). Ids only:
-- [{ caseId, personId, state, since }], the caller included (the workstation leaves itself out). At most 500
-- cases per call (a queue page). Every person may read it: persons see every case and its audit already.
CREATE OR REPLACE FUNCTION api.presence(p_case_ids uuid[]) RETURNS jsonb
  LANGUAGE plpgsql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  me moderators := private.require_person();
BEGIN
  IF p_case_ids IS NULL THEN PERFORM private.fail('GWINV', 'caseIds: required'); END IF;
  IF cardinality(p_case_ids) > 500 THEN PERFORM private.fail('GWINV', 'caseIds: at most 500'); END IF;
  RETURN coalesce((
    SELECT jsonb_agg(jsonb_build_object('caseId', p.case_id, 'personId', p.person_id, 'state', p.state, 'since', p.since)
                     ORDER BY p.case_id, p.since, p.person_id)
      FROM case_presence p
     WHERE p.case_id = ANY (p_case_ids) AND p.expires_at > now()), '[]'::jsonb);
END $$;
COMMENT ON FUNCTION api.presence(uuid[]) IS 'Who is viewing or typing on each of the given cases (unexpired presence, ids only).';
GRANT EXECUTE ON FUNCTION api.presence(uuid[]) TO guardian_moderator;
