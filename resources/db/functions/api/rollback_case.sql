-- A supervisor's rollback of an actioned case: its actions are reversed (last first) and the case goes to
-- a level-2 review that whoever made the rolled-back decision may not take (four-eyes).
CREATE OR REPLACE FUNCTION api.rollback_case(
  p_case_id uuid,
  p_command_id text,
  p_reason text,
  p_expected_version int DEFAULT NULL,
  p_tool text DEFAULT 'api'
) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  me       moderators := private.person();
  actor    text := coalesce(me.id, session_user::text);
  reason   text := private.check_reason(p_reason);
  c        cases;
  original cases;
  payload  jsonb;
  prior    jsonb;
  sqlstate_ text; message_ text; detail_ text;
BEGIN
  PERFORM private.check_envelope(p_command_id, p_tool);
  IF p_expected_version IS NOT NULL AND p_expected_version < 1 THEN
    PERFORM private.fail('GWINV', 'expectedVersion: must be a positive version');
  END IF;
  payload := jsonb_build_object('reason', reason);
  c := private.lock_case(p_case_id);
  prior := private.prior_result(p_command_id, 'rollback', c, actor, payload);
  IF prior IS NOT NULL THEN RETURN prior; END IF;

  BEGIN
    me := private.require_person();
    IF NOT private.has_role('supervisor') THEN
      PERFORM private.fail('GWFRB', 'Rollback needs a supervisor or an admin.');
    END IF;
    IF c.status <> 'actioned' THEN
      PERFORM private.fail('GWCON', format('Case %s is %s: only an actioned case can be rolled back.', c.id, c.status),
                           private.conflict_details(c));
    END IF;
    IF p_expected_version IS NOT NULL AND p_expected_version <> c.version THEN
      PERFORM private.fail('GWCON', format('Case %s changed since you saw it (version %s → %s).%s', c.id, p_expected_version,
                                           c.version, private.describe_last(c)), private.conflict_details(c));
    END IF;
    original := c;
    UPDATE cases
       SET status = 'reversing', level = 2, version = version + 1, last_command_id = p_command_id, updated_at = now(),
           excluded_deciders = CASE WHEN c.last_decision->>'actor' IS NULL THEN excluded_deciders
                                    ELSE array_append(excluded_deciders, c.last_decision->>'actor') END
     WHERE id = c.id
    RETURNING * INTO c;
    PERFORM private.append_audit(c.id, 'rollback.requested', me.id, p_tool,
      jsonb_build_object('commandId', p_command_id, 'reason', reason, 'rolledBack', original.last_decision));
    PERFORM private.record_command(p_command_id, 'rollback', c, me.id, p_tool, p_expected_version, payload, 'accepted');
    RETURN jsonb_build_object('outcome', 'accepted', 'duplicate', false, 'job', 'rollbacks', 'case', private.case_json(c));
  EXCEPTION WHEN SQLSTATE 'GWCON' OR SQLSTATE 'GWFRB' THEN
    GET STACKED DIAGNOSTICS sqlstate_ = RETURNED_SQLSTATE, message_ = MESSAGE_TEXT, detail_ = PG_EXCEPTION_DETAIL;
    RETURN private.reject(p_command_id, 'rollback', c.id, actor, p_tool, p_expected_version, payload, sqlstate_, message_, detail_);
  END;
END $$;
COMMENT ON FUNCTION api.rollback_case(uuid, text, text, int, text) IS
  'Roll back an actioned case (reverse its actions, then a level-2 review) as the logged-in supervisor or admin.';
GRANT EXECUTE ON FUNCTION api.rollback_case(uuid, text, text, int, text) TO guardian_moderator;
