-- The active person whose login this session is, or NULL.
CREATE OR REPLACE FUNCTION private.person() RETURNS public.moderators
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
AS $$
  SELECT m.* FROM public.moderators m WHERE m.login = session_user::text AND m.active
$$;
COMMENT ON FUNCTION private.person() IS 'The active person logged in as session_user, or NULL.';
GRANT EXECUTE ON FUNCTION private.person() TO guardian_role_manager;

-- For row-level security policies: the acting person's id, or NULL.
CREATE OR REPLACE FUNCTION private.current_person_id() RETURNS text
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
AS $$
  SELECT m.id FROM public.moderators m WHERE m.login = session_user::text AND m.active
$$;
COMMENT ON FUNCTION private.current_person_id() IS 'The id of the active person logged in as session_user (row-level security).';
GRANT EXECUTE ON FUNCTION private.current_person_id() TO guardian_moderator, guardian_worker;

-- The highest group role the session holds: admin ⊃ supervisor ⊃ moderator.
CREATE OR REPLACE FUNCTION private.person_role() RETURNS text
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
AS $$
  SELECT CASE WHEN private.has_role('admin') THEN 'admin'
              WHEN private.has_role('supervisor') THEN 'supervisor'
              WHEN private.has_role('moderator') THEN 'moderator' END
$$;
COMMENT ON FUNCTION private.person_role() IS 'The highest person role session_user holds, or NULL.';
GRANT EXECUTE ON FUNCTION private.person_role() TO guardian_role_manager;
