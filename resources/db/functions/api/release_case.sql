-- Gives a claim back: the holder, or a supervisor for anyone's. Releasing a case nobody holds is a no-op.
CREATE OR REPLACE FUNCTION api.release_case(
  p_case_id uuid,
  p_command_id text,
  p_tool text DEFAULT 'api'
) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  me      moderators := private.person();
  actor   text := coalesce(me.id, session_user::text);
  c       cases;
  holder  text;
  payload jsonb := '{}';
  prior   jsonb;
  sqlstate_ text; message_ text; detail_ text;
BEGIN
  PERFORM private.check_envelope(p_command_id, p_tool);
  c := private.lock_case(p_case_id);
  prior := private.prior_result(p_command_id, 'release', c, actor, payload);
  IF prior IS NOT NULL THEN RETURN prior; END IF;

  BEGIN
    me := private.require_person();
    IF c.claim_until > now() THEN
      IF c.claimed_by <> me.id AND NOT private.has_role('supervisor') THEN
        PERFORM private.fail('GWFRB', format('Only %s or a supervisor can release this claim.', c.claimed_by));
      END IF;
      holder := c.claimed_by;
      UPDATE cases SET claimed_by = NULL, claim_until = NULL, updated_at = now() WHERE id = c.id RETURNING * INTO c;
      PERFORM private.append_audit(c.id, 'case.released', me.id, p_tool, jsonb_build_object('claimedBy', holder));
    END IF;
    PERFORM private.record_command(p_command_id, 'release', c, me.id, p_tool, NULL, payload, 'applied');
    RETURN jsonb_build_object('outcome', 'applied', 'duplicate', false, 'case', private.case_json(c));
  EXCEPTION WHEN SQLSTATE 'GWCON' OR SQLSTATE 'GWFRB' THEN
    GET STACKED DIAGNOSTICS sqlstate_ = RETURNED_SQLSTATE, message_ = MESSAGE_TEXT, detail_ = PG_EXCEPTION_DETAIL;
    RETURN private.reject(p_command_id, 'release', c.id, actor, p_tool, NULL, payload, sqlstate_, message_, detail_);
  END;
END $$;
COMMENT ON FUNCTION api.release_case(uuid, text, text) IS 'Release a claim (your own, or anyone''s as a supervisor).';
GRANT EXECUTE ON FUNCTION api.release_case(uuid, text, text) TO guardian_moderator;
