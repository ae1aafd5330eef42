-- A refused people command: audited in the global stream (who tried what), returned as a value.
CREATE OR REPLACE FUNCTION private.refuse_people(p_command text, p_actor text, p_tool text, p_target text, p_sqlstate text,
                                                 p_message text, p_extra jsonb DEFAULT '{}') RETURNS jsonb
  LANGUAGE plpgsql
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  code text := CASE p_sqlstate WHEN 'GWCON' THEN 'conflict' ELSE 'forbidden' END;
BEGIN
  PERFORM private.append_audit(NULL, 'person.refused', p_actor, p_tool,
    jsonb_build_object('command', p_command, 'id', p_target, 'code', code, 'message', p_message) || coalesce(p_extra, '{}'));
  RETURN jsonb_build_object('outcome', 'rejected', 'error', jsonb_build_object('code', code, 'message', p_message));
END $$;
