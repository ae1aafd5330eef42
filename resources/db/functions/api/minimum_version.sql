-- The team's minimum client version (NULL: none) and when it was set: every person and the worker may read
-- it (a client shows "Update required" before its first refused command; a worker can refuse to start).
CREATE OR REPLACE FUNCTION api.minimum_version() RETURNS jsonb
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
AS $$
  SELECT jsonb_build_object('minimumVersion', i.minimum_client_version,
                            'setAt', to_char(i.minimum_version_set_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
    FROM private.installation i
$$;
COMMENT ON FUNCTION api.minimum_version() IS 'The minimum client version persons'' commands need ({ minimumVersion, setAt }; minimumVersion NULL: none).';
GRANT EXECUTE ON FUNCTION api.minimum_version() TO guardian_moderator, guardian_worker;
