-- Takes the review lease on a case awaiting review (claimed_by, until, in database time, visible to
-- everyone). The same checks as a decision, so nobody holds a case they may not decide.
CREATE OR REPLACE FUNCTION api.claim_case(
  p_case_id uuid,
  p_command_id text,
  p_minutes int DEFAULT 15,
  p_tool text DEFAULT 'api'
) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  me      moderators := private.person();
  actor   text := coalesce(me.id, session_user::text);
  c       cases;
  payload jsonb := '{}';
  prior   jsonb;
  sqlstate_ text; message_ text; detail_ text;
BEGIN
  PERFORM private.check_envelope(p_command_id, p_tool);
  IF p_minutes IS NULL OR p_minutes NOT BETWEEN 1 AND 1440 THEN
    PERFORM private.fail('GWINV', 'minutes: a claim lasts 1 to 1440 minutes');
  END IF;
  c := private.lock_case(p_case_id);
  prior := private.prior_result(p_command_id, 'claim', c, actor, payload);
  IF prior IS NOT NULL THEN RETURN prior; END IF;

  BEGIN
    me := private.require_person();
    IF c.status <> 'awaiting_review' THEN
      PERFORM private.fail('GWCON', format('Case %s is %s: nothing to claim.%s', c.id, c.status, private.describe_last(c)),
                           private.conflict_details(c));
    END IF;
    PERFORM private.check_reviewable(c, me.id, NULL);
    UPDATE cases SET claimed_by = me.id, claim_until = now() + make_interval(mins => p_minutes), updated_at = now()
     WHERE id = c.id
    RETURNING * INTO c;
    PERFORM private.append_audit(c.id, 'case.claimed', me.id, p_tool, jsonb_build_object('until', c.claim_until));
    PERFORM private.record_command(p_command_id, 'claim', c, me.id, p_tool, NULL, payload, 'applied');
    RETURN jsonb_build_object('outcome', 'applied', 'duplicate', false, 'case', private.case_json(c));
  EXCEPTION WHEN SQLSTATE 'GWCON' OR SQLSTATE 'GWFRB' THEN
    GET STACKED DIAGNOSTICS sqlstate_ = RETURNED_SQLSTATE, message_ = MESSAGE_TEXT, detail_ = PG_EXCEPTION_DETAIL;
    RETURN private.reject(p_command_id, 'claim', c.id, actor, p_tool, NULL, payload, sqlstate_, message_, detail_);
  END;
END $$;
COMMENT ON FUNCTION api.claim_case(uuid, text, int, text) IS 'Claim a case for review (a lease in database time) as the logged-in person.';
GRANT EXECUTE ON FUNCTION api.claim_case(uuid, text, int, text) TO guardian_moderator;
