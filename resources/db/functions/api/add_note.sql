-- A note on a case's timeline, readable by everyone who can read the case (its text is in the audit event).
CREATE OR REPLACE FUNCTION api.add_note(
  p_case_id uuid,
  p_command_id text,
  p_text text,
  p_tool text DEFAULT 'api'
) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  me      moderators := private.person();
  actor   text := coalesce(me.id, session_user::text);
  c       cases;
  body    text := private.trim_text(coalesce(p_text, ''));
  payload jsonb;
  prior   jsonb;
  sqlstate_ text; message_ text; detail_ text;
BEGIN
  PERFORM private.check_envelope(p_command_id, p_tool);
  IF length(body) = 0 THEN PERFORM private.fail('GWINV', 'text: a note cannot be empty'); END IF;
  IF length(body) > 5000 THEN PERFORM private.fail('GWINV', 'text: at most 5000 characters'); END IF;
  payload := jsonb_build_object('text', body);
  c := private.lock_case(p_case_id);
  prior := private.prior_result(p_command_id, 'note', c, actor, payload);
  IF prior IS NOT NULL THEN RETURN prior; END IF;

  BEGIN
    me := private.require_person();
    PERFORM private.append_audit(c.id, 'case.note', me.id, p_tool, jsonb_build_object('commandId', p_command_id, 'text', body));
    PERFORM private.record_command(p_command_id, 'note', c, me.id, p_tool, NULL, payload, 'applied');
    RETURN jsonb_build_object('outcome', 'applied', 'duplicate', false, 'case', private.case_json(c));
  EXCEPTION WHEN SQLSTATE 'GWCON' OR SQLSTATE 'GWFRB' THEN
    GET STACKED DIAGNOSTICS sqlstate_ = RETURNED_SQLSTATE, message_ = MESSAGE_TEXT, detail_ = PG_EXCEPTION_DETAIL;
    RETURN private.reject(p_command_id, 'note', c.id, actor, p_tool, NULL, payload, sqlstate_, message_, detail_);
  END;
END $$;
COMMENT ON FUNCTION api.add_note(uuid, text, text, text) IS 'Add a note to a case''s timeline as the logged-in person.';
GRANT EXECUTE ON FUNCTION api.add_note(uuid, text, text, text) TO guardian_moderator;
