-- A person reveals a case's content they had blurred (issue 15: an opted-out category) or its masked
-- personal data (issue 14, category 'personal_data'): each reveal is the
-- audit event content.revealed { commandId, category } on the case's chain and an applied `reveal`
-- command, in one transaction. Idempotent by command id (the same reveal again is one event). It changes
-- no case row. Every person may reveal what they may read; the workstation shows the text only once this
-- returned (the reveal needs the server: an unrecorded reveal would defeat the record).
CREATE OR REPLACE FUNCTION api.record_reveal(
  p_case_id uuid,
  p_command_id text,
  p_category text,
  p_tool text DEFAULT 'api'
) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  me      moderators := private.person();
  actor   text := coalesce(me.id, session_user::text);
  c       cases;
  payload jsonb;
  prior   jsonb;
  event   bigint;
  sqlstate_ text; message_ text; detail_ text;
BEGIN
  PERFORM private.check_command_fields(p_command_id, p_tool);
  IF p_category IS NULL OR p_category NOT IN ('violence', 'self_harm', 'sexual', 'hate', 'personal_data') THEN
    PERFORM private.fail('GWINV', 'category: must be violence, self_harm, sexual, hate or personal_data');
  END IF;
  payload := jsonb_build_object('category', p_category);
  c := private.lock_case(p_case_id);
  prior := private.prior_result(p_command_id, 'reveal', c, actor, payload);
  IF prior IS NOT NULL THEN RETURN prior; END IF;

  BEGIN
    me := private.require_person();
    event := private.append_audit(c.id, 'content.revealed', me.id, p_tool, jsonb_build_object('commandId', p_command_id, 'category', p_category));
    PERFORM private.record_command(p_command_id, 'reveal', c, me.id, p_tool, NULL, payload, 'applied');
    RETURN jsonb_build_object('outcome', 'applied', 'duplicate', false, 'auditEventId', event, 'case', private.case_json(c));
  EXCEPTION WHEN SQLSTATE 'GWCON' OR SQLSTATE 'GWFRB' THEN
    GET STACKED DIAGNOSTICS sqlstate_ = RETURNED_SQLSTATE, message_ = MESSAGE_TEXT, detail_ = PG_EXCEPTION_DETAIL;
    RETURN private.reject(p_command_id, 'reveal', c.id, actor, p_tool, NULL, payload, sqlstate_, message_, detail_);
  END;
END $$;
COMMENT ON FUNCTION api.record_reveal(uuid, text, text, text) IS 'Record that the logged-in person revealed a case''s blurred content (audited).';
GRANT EXECUTE ON FUNCTION api.record_reveal(uuid, text, text, text) TO guardian_moderator;
