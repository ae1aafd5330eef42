-- An admin changes a person's role (their group membership and the moderators row, together).
CREATE OR REPLACE FUNCTION api.set_person_role(p_id text, p_role text, p_tool text DEFAULT 'api') RETURNS jsonb
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
  IF p_role IS NULL OR p_role NOT IN ('moderator', 'supervisor', 'admin') THEN
    PERFORM private.fail('GWINV', 'role: must be moderator, supervisor or admin');
  END IF;
  SELECT * INTO target FROM moderators WHERE id = p_id FOR UPDATE;
  IF NOT FOUND THEN PERFORM private.fail('GWNFD', format('No person %s.', p_id)); END IF;
  BEGIN
    me := private.require_person();
    IF NOT private.has_role('admin') THEN PERFORM private.fail('GWFRB', 'Changing roles needs an admin.'); END IF;
    IF target.id = me.id THEN PERFORM private.fail('GWFRB', 'You cannot change your own role.'); END IF;
    IF target.login IS NULL THEN PERFORM private.fail('GWCON', format('Person %s has no login.', p_id)); END IF;
    PERFORM private.set_membership(target.login, p_role);
    UPDATE moderators SET role = p_role, updated_at = now() WHERE id = p_id;
    PERFORM private.append_audit(NULL, 'person.role_changed', me.id, p_tool, jsonb_build_object('id', p_id, 'from', target.role, 'to', p_role));
    RETURN jsonb_build_object('outcome', 'applied', 'person', jsonb_build_object('id', p_id, 'role', p_role, 'displayName', target.display_name, 'login', target.login, 'active', target.active));
  EXCEPTION WHEN SQLSTATE 'GWCON' OR SQLSTATE 'GWFRB' THEN
    GET STACKED DIAGNOSTICS sqlstate_ = RETURNED_SQLSTATE, message_ = MESSAGE_TEXT;
    RETURN private.refuse_people('set_person_role', actor, p_tool, p_id, sqlstate_, message_, jsonb_build_object('role', p_role));
  END;
END $$;
COMMENT ON FUNCTION api.set_person_role(text, text, text) IS 'Change a person''s role (moderator, supervisor, admin), as an admin.';
GRANT EXECUTE ON FUNCTION api.set_person_role(text, text, text) TO guardian_moderator;
