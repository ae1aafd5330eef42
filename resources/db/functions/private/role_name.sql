-- The installation's name for one of its roles: owner, role_manager, moderator, supervisor, admin, worker.
-- Roles are cluster-wide, so their names carry the installation's prefix (private.installation).
CREATE OR REPLACE FUNCTION private.role_name(p_kind text) RETURNS text
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
AS $$
  SELECT i.role_prefix || '_' || p_kind FROM private.installation i
$$;
COMMENT ON FUNCTION private.role_name(text) IS 'The installation''s name for one of its group roles.';
GRANT EXECUTE ON FUNCTION private.role_name(text) TO guardian_moderator, guardian_worker, guardian_role_manager;

-- The installation's role-name prefix (the role manager builds person logins from it).
CREATE OR REPLACE FUNCTION private.role_prefix() RETURNS text
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
AS $$
  SELECT i.role_prefix FROM private.installation i
$$;
COMMENT ON FUNCTION private.role_prefix() IS 'The installation''s role-name prefix.';
GRANT EXECUTE ON FUNCTION private.role_prefix() TO guardian_role_manager;
