-- The team's minimum client version (NULL: none), when it was set, the version this session reported and
-- whether that is current enough for commands (what private.require_current_client decides). Every person
-- and the worker may read it: a workstation shows "Update required" before its first refused command, and a
-- worker can decline to start.
CREATE OR REPLACE FUNCTION api.minimum_version() RETURNS jsonb
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
AS $$
  SELECT jsonb_build_object('minimumVersion', i.minimum_client_version,
                            'setAt', to_char(i.minimum_version_set_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                            'clientVersion', left(v.reported, 64),
                            'current', i.minimum_client_version IS NULL OR coalesce(private.semver_cmp(v.reported, i.minimum_client_version), -1) >= 0)
    FROM private.installation i,
         LATERAL (SELECT nullif(btrim(current_setting('guardian.client_version', true)), '') AS reported) v
$$;
COMMENT ON FUNCTION api.minimum_version() IS
  'The minimum client version persons'' commands need and this session''s standing ({ minimumVersion, setAt, clientVersion, current }).';
GRANT EXECUTE ON FUNCTION api.minimum_version() TO guardian_moderator, guardian_worker;
