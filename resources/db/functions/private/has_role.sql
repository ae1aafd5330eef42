-- Whether the session's login holds a group role (directly or through another group). The login, not
-- anything the client sends, is the identity: session_user is unaffected by SET ROLE and by SECURITY
-- DEFINER. A superuser (the embedded database of standalone mode) holds every role.
CREATE OR REPLACE FUNCTION private.has_role(p_kind text) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
AS $$
  SELECT pg_has_role(session_user, private.role_name(p_kind), 'MEMBER')
$$;
COMMENT ON FUNCTION private.has_role(text) IS 'Whether session_user holds the installation''s group role p_kind.';
GRANT EXECUTE ON FUNCTION private.has_role(text) TO guardian_moderator, guardian_worker, guardian_role_manager;
