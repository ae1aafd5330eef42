-- Owned by the role manager (the only role with CREATEROLE): the people functions below are the only code
-- that creates or changes logins. On PostgreSQL ≤ 15 CREATEROLE may alter and grant nearly any role
-- (FACTS), so this code only ever touches logins named <prefix>.<person id> that belong to a person, and
-- only grants the installation's three person groups.

-- A person's login name: <prefix>.<id> (a dot never appears in the group roles' names).
CREATE OR REPLACE FUNCTION private.person_login(p_id text) RETURNS text
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  login text;
BEGIN
  IF p_id IS NULL OR p_id !~ '^[A-Za-z0-9._@-]{1,64}$' THEN
    PERFORM private.fail('GWINV', 'id: letters, digits and . _ @ - only (1 to 64)');
  END IF;
  login := private.role_prefix() || '.' || p_id;
  IF length(login) > 63 THEN PERFORM private.fail('GWINV', format('id: the login "%s" would be longer than 63 characters', login)); END IF;
  RETURN login;
END $$;

-- Makes the login a member of exactly one person group (admin ⊃ supervisor ⊃ moderator through the groups).
CREATE OR REPLACE FUNCTION private.set_membership(p_login text, p_role text) RETURNS void
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF p_role IS NULL OR p_role NOT IN ('moderator', 'supervisor', 'admin') THEN
    PERFORM private.fail('GWINV', 'role: must be moderator, supervisor or admin');
  END IF;
  EXECUTE format('REVOKE %I, %I, %I FROM %I', private.role_name('moderator'), private.role_name('supervisor'),
                 private.role_name('admin'), p_login);
  EXECUTE format('GRANT %I TO %I', private.role_name(p_role), p_login);
END $$;

-- A SCRAM-SHA-256 verifier as PostgreSQL keeps one: SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>,
-- base64, both keys 32 bytes. Anything else PostgreSQL would hash as if it were a plaintext password (so
-- the "verifier" would become the password), which is refused here; so is md5. Iterations from PostgreSQL's
-- default (4096) to 1,000,000: every sign-in makes the client compute them.
CREATE OR REPLACE FUNCTION private.check_scram_verifier(p_verifier text) RETURNS void
  LANGUAGE plpgsql IMMUTABLE
  SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  parts text[] := regexp_match(p_verifier, '^SCRAM-SHA-256\$([0-9]{1,7}):([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2}):([A-Za-z0-9+/]+={0,2})$');
  ok boolean;
BEGIN
  ok := parts IS NOT NULL AND parts[1]::int BETWEEN 4096 AND 1000000;
  IF ok THEN
    BEGIN
      ok := length(decode(parts[2], 'base64')) BETWEEN 8 AND 64
            AND length(decode(parts[3], 'base64')) = 32 AND length(decode(parts[4], 'base64')) = 32;
    EXCEPTION WHEN invalid_parameter_value OR data_exception THEN
      ok := false;
    END;
  END IF;
  IF NOT ok THEN
    PERFORM private.fail('GWINV', 'password: give a SCRAM-SHA-256 verifier (4096 to 1000000 iterations, 32-byte keys; a plaintext or md5 password is refused)');
  END IF;
END $$;

-- Creates or resets a person and their login (password given as a SCRAM verifier: the plaintext never
-- reaches the server). Used by api.add_person and by `guardian setup --admin` (the first admin).
CREATE OR REPLACE FUNCTION private.save_person(p_id text, p_role text, p_display_name text, p_password_verifier text,
                                               p_actor text, p_tool text) RETURNS jsonb
  LANGUAGE plpgsql
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  login    text := private.person_login(p_id);
  name     text := coalesce(nullif(btrim(p_display_name), ''), p_id);
  existing moderators;
  kind     text;
BEGIN
  IF p_role IS NULL OR p_role NOT IN ('moderator', 'supervisor', 'admin') THEN
    PERFORM private.fail('GWINV', 'role: must be moderator, supervisor or admin');
  END IF;
  IF length(name) > 200 THEN PERFORM private.fail('GWINV', 'displayName: at most 200 characters'); END IF;
  PERFORM private.check_scram_verifier(p_password_verifier);
  SELECT * INTO existing FROM moderators WHERE id = p_id FOR UPDATE;
  IF FOUND AND existing.login IS DISTINCT FROM login THEN
    PERFORM private.fail('GWCON', format('Person %s exists with another login (%s).', p_id, coalesce(existing.login, 'none')));
  END IF;
  IF NOT FOUND AND EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = login) THEN
    PERFORM private.fail('GWCON', format('A database role "%s" exists and is not a person of this installation: it is left alone.', login));
  END IF;
  IF FOUND THEN
    EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', login, p_password_verifier);
    kind := 'person.reset';
  ELSE
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', login, p_password_verifier);
    kind := 'person.added';
  END IF;
  PERFORM private.set_membership(login, p_role);
  INSERT INTO moderators (id, display_name, role, login, active)
  VALUES (p_id, name, p_role, login, true)
  ON CONFLICT (id) DO UPDATE SET display_name = EXCLUDED.display_name, role = EXCLUDED.role, active = true,
                                 disabled_at = NULL, updated_at = now();
  PERFORM private.append_audit(NULL, kind, p_actor, p_tool, jsonb_build_object('id', p_id, 'role', p_role, 'displayName', name, 'login', login));
  RETURN jsonb_build_object('id', p_id, 'role', p_role, 'displayName', name, 'login', login);
END $$;

-- The first admin, created by `guardian setup` as the DBA (no person exists yet to call api.add_person).
CREATE OR REPLACE FUNCTION private.bootstrap_person(p_id text, p_role text, p_display_name text, p_password_verifier text)
  RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
  RETURN private.save_person(p_id, p_role, p_display_name, p_password_verifier, 'setup:' || session_user, 'cli');
END $$;
COMMENT ON FUNCTION private.bootstrap_person(text, text, text, text) IS
  'guardian setup --admin: create the first admin person (executable by the DBA only).';

-- The standalone installation's one local person: the embedded database's own (superuser) login.
CREATE OR REPLACE FUNCTION private.ensure_local_person(p_id text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
  IF NOT private.is_standalone() THEN PERFORM private.fail('GWFRB', 'Only a standalone installation has a local person.'); END IF;
  IF EXISTS (SELECT 1 FROM moderators WHERE login = session_user::text AND id = p_id AND active) THEN RETURN; END IF;
  UPDATE moderators SET login = NULL, updated_at = now() WHERE login = session_user::text;
  INSERT INTO moderators (id, display_name, role, login, active) VALUES (p_id, p_id || ' (local)', 'admin', session_user, true)
  ON CONFLICT (id) DO UPDATE SET login = session_user, role = 'admin', active = true, updated_at = now();
  PERFORM private.append_audit(NULL, 'person.added', 'standalone', 'worker', jsonb_build_object('id', p_id, 'role', 'admin', 'login', session_user::text));
END $$;
