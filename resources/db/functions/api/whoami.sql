-- The person this login is: what sign-in and `--as` check. A login that is no active person is refused.
CREATE OR REPLACE FUNCTION api.whoami() RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  me moderators := private.require_person();
BEGIN
  RETURN jsonb_build_object('id', me.id, 'displayName', me.display_name, 'role', private.person_role(), 'login', me.login,
                            'mode', (SELECT i.mode FROM private.installation i));
END $$;
COMMENT ON FUNCTION api.whoami() IS 'The active person logged in as session_user, with the role the database grants them.';
GRANT EXECUTE ON FUNCTION api.whoami() TO guardian_moderator;
