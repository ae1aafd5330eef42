-- Asks a supervisor to look at a case again (after an offline decision lost a conflict, or to disagree).
CREATE OR REPLACE FUNCTION api.request_escalation(
  p_case_id uuid,
  p_command_id text,
  p_reason text,
  p_tool text DEFAULT 'api'
) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  me      moderators := private.person();
  actor   text := coalesce(me.id, session_user::text);
  reason  text := private.check_reason(p_reason);
  c       cases;
  before  cases;
  payload jsonb;
  prior   jsonb;
  sqlstate_ text; message_ text; detail_ text;
BEGIN
  PERFORM private.check_envelope(p_command_id, p_tool);
  payload := jsonb_build_object('reason', reason);
  c := private.lock_case(p_case_id);
  prior := private.prior_result(p_command_id, 'request_escalation', c, actor, payload);
  IF prior IS NOT NULL THEN RETURN prior; END IF;

  BEGIN
    me := private.require_person();
    IF c.status = 'closed' THEN
      PERFORM private.fail('GWCON', format('Case %s is closed.', c.id), private.conflict_details(c));
    END IF;
    before := c;
    UPDATE cases SET escalation_requested_by = me.id, escalation_requested_at = now(), escalation_reason = reason, updated_at = now()
     WHERE id = c.id
    RETURNING * INTO c;
    PERFORM private.append_audit(c.id, 'escalation.requested', me.id, p_tool,
      jsonb_build_object('commandId', p_command_id, 'reason', reason, 'status', before.status, 'level', before.level));
    PERFORM private.record_command(p_command_id, 'request_escalation', c, me.id, p_tool, NULL, payload, 'applied');
    RETURN jsonb_build_object('outcome', 'applied', 'duplicate', false, 'case', private.case_json(c));
  EXCEPTION WHEN SQLSTATE 'GWCON' OR SQLSTATE 'GWFRB' THEN
    GET STACKED DIAGNOSTICS sqlstate_ = RETURNED_SQLSTATE, message_ = MESSAGE_TEXT, detail_ = PG_EXCEPTION_DETAIL;
    RETURN private.reject(p_command_id, 'request_escalation', c.id, actor, p_tool, NULL, payload, sqlstate_, message_, detail_);
  END;
END $$;
COMMENT ON FUNCTION api.request_escalation(uuid, text, text, text) IS 'Ask a supervisor to look at a case again.';
GRANT EXECUTE ON FUNCTION api.request_escalation(uuid, text, text, text) TO guardian_moderator;
