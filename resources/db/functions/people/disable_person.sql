-- An admin disables a person: the login can no longer connect (NOLOGIN), their open sessions are ended,
-- and every command function refuses them (moderators.active). Their audit history stays.
CREATE OR REPLACE FUNCTION api.disable_person(p_id text, p_tool text DEFAULT 'api') RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  me moderators := private.person();
  actor text := coalesce(me.id, session_user::text);
  target moderators;
  sqlstate_ text; message_ text;
BEGIN
  IF p_tool IS NULL OR p_tool NOT IN ('cli', 'ui', 'api') THEN PERFORM private.fail('GWINV', 'tool: must be cli, ui or api'); END IF;
  -- An admin on a build older than the team's minimum changes nobody (GWUPD, rolled back; issue 13).
  PERFORM private.require_current_client();
  SELECT * INTO target FROM moderators WHERE id = p_id FOR UPDATE;
  IF NOT FOUND THEN PERFORM private.fail('GWNFD', format('No person %s.', p_id)); END IF;
  BEGIN
    me := private.require_person();
    IF NOT private.has_role('admin') THEN PERFORM private.fail('GWFRB', 'Disabling people needs an admin.'); END IF;
    IF target.id = me.id THEN PERFORM private.fail('GWFRB', 'You cannot disable yourself.'); END IF;
    IF target.login IS NULL THEN PERFORM private.fail('GWCON', format('Person %s has no login.', p_id)); END IF;
    IF target.active THEN
      EXECUTE format('ALTER ROLE %I NOLOGIN', target.login);
      UPDATE moderators SET active = false, disabled_at = now(), updated_at = now() WHERE id = p_id;
      PERFORM private.append_audit(NULL, 'person.disabled', me.id, p_tool, jsonb_build_object('id', p_id, 'login', target.login));
      PERFORM pg_terminate_backend(a.pid) FROM pg_stat_activity a WHERE a.usename = target.login;
    END IF;
    RETURN jsonb_build_object('outcome', 'applied', 'person', jsonb_build_object('id', p_id, 'role', target.role, 'displayName', target.display_name, 'login', target.login, 'active', false));
  EXCEPTION WHEN SQLSTATE 'GWCON' OR SQLSTATE 'GWFRB' THEN
    GET STACKED DIAGNOSTICS sqlstate_ = RETURNED_SQLSTATE, message_ = MESSAGE_TEXT;
    RETURN private.refuse_people('disable_person', actor, p_tool, p_id, sqlstate_, message_);
  END;
END $$;
COMMENT ON FUNCTION api.disable_person(text, text) IS 'Disable a person (no more connections, no more commands), as an admin.';
GRANT EXECUTE ON FUNCTION api.disable_person(text, text) TO guardian_moderator;
