-- The client's version and the team's minimum (issue 13). A client reports its version when it connects
-- (the startup option `-c guardian.client_version=X`, src/core/store/db.ts); the installation holds the
-- minimum an admin set (private.installation.minimum_client_version). This is a compatibility gate, not an
-- identity: a login can report any version it likes, and what it may do is still its role's (DESIGN §10).

-- Whether p is a version as semver 2.0.0 writes one: major.minor.patch (no leading zeros), an optional
-- pre-release (-beta.1) and build (+sha.5), at most 64 characters.
CREATE OR REPLACE FUNCTION private.semver_valid(p text) RETURNS boolean
  LANGUAGE sql IMMUTABLE
  SET search_path = pg_catalog, pg_temp
AS $$
  SELECT coalesce(length(p) <= 64 AND p ~
    '^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(\.(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$',
    false)
$$;

-- Semver precedence of a and b: -1 (a older), 0 (same), 1 (a newer); NULL when either is not a version.
-- Major, minor and patch compare as numbers (0.10.0 is newer than 0.9.0); a pre-release is older than its
-- release (0.2.0-beta.1 < 0.2.0); pre-release identifiers compare one by one, numeric ones as numbers and
-- below alphanumeric ones (compared in ASCII order), and a shorter list that matches is older
-- (1.0.0-alpha < 1.0.0-alpha.1); build metadata is ignored.
CREATE OR REPLACE FUNCTION private.semver_cmp(a text, b text) RETURNS int
  LANGUAGE plpgsql IMMUTABLE
  SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  pa text[];
  pb text[];
  ia text[];
  ib text[];
  x  text;
  y  text;
BEGIN
  IF NOT private.semver_valid(a) OR NOT private.semver_valid(b) THEN RETURN NULL; END IF;
  pa := regexp_match(a, '^([0-9]+)\.([0-9]+)\.([0-9]+)(?:-([^+]*))?');
  pb := regexp_match(b, '^([0-9]+)\.([0-9]+)\.([0-9]+)(?:-([^+]*))?');
  FOR i IN 1..3 LOOP
    IF pa[i]::numeric <> pb[i]::numeric THEN RETURN sign(pa[i]::numeric - pb[i]::numeric)::int; END IF;
  END LOOP;
  IF pa[4] IS NULL AND pb[4] IS NULL THEN RETURN 0; END IF;
  IF pa[4] IS NULL THEN RETURN 1; END IF;   -- a release is newer than any of its pre-releases
  IF pb[4] IS NULL THEN RETURN -1; END IF;
  ia := string_to_array(pa[4], '.');
  ib := string_to_array(pb[4], '.');
  FOR i IN 1..greatest(cardinality(ia), cardinality(ib)) LOOP
    IF i > cardinality(ia) THEN RETURN -1; END IF;
    IF i > cardinality(ib) THEN RETURN 1; END IF;
    x := ia[i];
    y := ib[i];
    IF x = y THEN CONTINUE; END IF;
    IF x ~ '^[0-9]+$' AND y ~ '^[0-9]+$' THEN RETURN sign(x::numeric - y::numeric)::int; END IF;
    IF x ~ '^[0-9]+$' THEN RETURN -1; END IF;   -- numeric identifiers are older than alphanumeric ones
    IF y ~ '^[0-9]+$' THEN RETURN 1; END IF;
    RETURN CASE WHEN x COLLATE "C" < y COLLATE "C" THEN -1 ELSE 1 END;
  END LOOP;
  RETURN 0;
END $$;

-- The team's minimum version, or NULL when none is set.
CREATE OR REPLACE FUNCTION private.minimum_client_version() RETURNS text
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
AS $$
  SELECT i.minimum_client_version FROM private.installation i
$$;

-- Refuses (GWUPD, rolling the whole command back: nothing changed, no command row, no audit event) a
-- state change from a client older than the minimum. A client that reports no version, or something that is
-- not a version, counts as older than any minimum. With no minimum set, every client passes. A command id
-- already recorded passes: the command function then answers with the stored outcome (or refuses an id
-- reused for another command), which changes nothing, so an old client's outbox learns where its commands
-- stand. SECURITY DEFINER so that the people functions (owned by the role manager) can call it too.
CREATE OR REPLACE FUNCTION private.require_current_client(p_command_id text DEFAULT NULL) RETURNS void
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  minimum  text := private.minimum_client_version();
  reported text := nullif(btrim(current_setting('guardian.client_version', true)), '');
  shown    text := left(reported, 64);
BEGIN
  IF minimum IS NULL THEN RETURN; END IF;
  IF coalesce(private.semver_cmp(reported, minimum), -1) >= 0 THEN RETURN; END IF;
  IF p_command_id IS NOT NULL AND EXISTS (SELECT 1 FROM public.commands WHERE id = p_command_id) THEN RETURN; END IF;
  PERFORM private.fail('GWUPD',
    format('Update required: %s, the minimum is %s. Update Guardian Workstation to send commands; reading still works.',
           CASE WHEN reported IS NULL THEN 'this client reported no version'
                WHEN private.semver_valid(reported) THEN format('this client is %s', shown)
                ELSE format('this client reported "%s", which is not a version', shown) END,
           minimum),
    jsonb_build_object('minimumVersion', minimum, 'clientVersion', shown));
END $$;
COMMENT ON FUNCTION private.require_current_client(text) IS
  'Raises GWUPD when the session''s guardian.client_version is older than the installation''s minimum (or is missing or not a version).';
GRANT EXECUTE ON FUNCTION private.require_current_client(text) TO guardian_role_manager;
