-- An admin adds a person (or resets one: a new one-time password, the role given, enabled again). The
-- login is <prefix>.<id>; the password arrives as a SCRAM verifier computed by the client.
CREATE OR REPLACE FUNCTION api.add_person(
  p_id text,
  p_role text,
  p_display_name text DEFAULT NULL,
  p_password_verifier text DEFAULT NULL,
  p_tool text DEFAULT 'api'
) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  me moderators := private.person();
  actor text := coalesce(me.id, session_user::text);
  person jsonb;
  sqlstate_ text; message_ text;
BEGIN
  IF p_tool IS NULL OR p_tool NOT IN ('cli', 'ui', 'api') THEN PERFORM private.fail('GWINV', 'tool: must be cli, ui or api'); END IF;
  -- An admin on a build older than the team's minimum changes nobody (GWUPD, rolled back; issue 13).
  PERFORM private.require_current_client();
  BEGIN
    me := private.require_person();
    IF NOT private.has_role('admin') THEN PERFORM private.fail('GWFRB', 'Adding people needs an admin.'); END IF;
    IF p_id = me.id THEN PERFORM private.fail('GWFRB', 'You cannot reset your own login or role here.'); END IF;
    person := private.save_person(p_id, p_role, p_display_name, p_password_verifier, me.id, p_tool);
    RETURN jsonb_build_object('outcome', 'applied', 'person', person);
  EXCEPTION WHEN SQLSTATE 'GWCON' OR SQLSTATE 'GWFRB' THEN
    GET STACKED DIAGNOSTICS sqlstate_ = RETURNED_SQLSTATE, message_ = MESSAGE_TEXT;
    RETURN private.refuse_people('add_person', actor, p_tool, p_id, sqlstate_, message_, jsonb_build_object('role', p_role));
  END;
END $$;
COMMENT ON FUNCTION api.add_person(text, text, text, text, text) IS
  'Add (or reset) a person with a login and a one-time password (SCRAM verifier), as an admin.';
GRANT EXECUTE ON FUNCTION api.add_person(text, text, text, text, text) TO guardian_moderator;
