-- An admin sets the team's minimum client version (issue 13): from then on, a person's command from a client
-- that reports an older version (or none) is refused with GWUPD (private.require_current_client). NULL
-- removes the minimum. Not gated by the version itself, so an admin on an old client can still lower a
-- minimum set too high. Idempotent by command id like the other command functions (the same id again
-- returns the stored outcome, marked duplicate); audited as release.minimum_version { from, to }; a refusal
-- (not an admin) is recorded and audited (command.rejected) and returned as a value. Returns { outcome,
-- duplicate, minimumVersion, previous } or { outcome: 'rejected', error }.
CREATE OR REPLACE FUNCTION api.set_minimum_version(
  p_version text,
  p_command_id text,
  p_tool text DEFAULT 'api'
) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  me       moderators := private.person();
  actor    text := coalesce(me.id, session_user::text);
  version_ text := btrim(p_version);
  payload  jsonb;
  p        commands;
  previous text;
  result   jsonb;
  sqlstate_ text; message_ text; detail_ text;
BEGIN
  PERFORM private.check_command_fields(p_command_id, p_tool);
  IF p_version IS NOT NULL AND NOT private.semver_valid(version_) THEN
    PERFORM private.fail('GWINV', 'version: must be a version like 1.4.0 (major.minor.patch, optionally -prerelease), at most 64 characters');
  END IF;
  payload := jsonb_build_object('minimumVersion', version_);
  -- Locked first: concurrent duplicates of one command then see each other's result.
  SELECT i.minimum_client_version INTO previous FROM private.installation i FOR UPDATE;

  SELECT * INTO p FROM commands WHERE id = p_command_id;
  IF FOUND THEN
    IF p.type <> 'minimum_version' OR p.case_id IS NOT NULL OR p.actor <> actor OR p.payload <> payload THEN
      PERFORM private.fail('GWCON', format('Command id %s was already used for a different command.', p_command_id));
    END IF;
    IF p.status = 'rejected' THEN
      RETURN jsonb_build_object('outcome', 'rejected', 'duplicate', true,
        'error', (p.result->'error') || jsonb_build_object('details', coalesce(p.result->'error'->'details', '{}') || '{"duplicate": true}'));
    END IF;
    RETURN p.result || '{"duplicate": true}';
  END IF;

  BEGIN
    me := private.require_person();
    IF NOT private.has_role('admin') THEN
      PERFORM private.fail('GWFRB', 'Setting the minimum client version needs an admin.');
    END IF;
    UPDATE private.installation
       SET minimum_client_version = version_, minimum_version_set_by = me.id, minimum_version_set_at = now();
    result := jsonb_build_object('outcome', 'applied', 'duplicate', false, 'minimumVersion', version_, 'previous', previous);
    INSERT INTO commands (id, type, case_id, actor, tool, payload, status, result, applied_at)
    VALUES (p_command_id, 'minimum_version', NULL, me.id, p_tool, payload, 'applied', result, now());
    PERFORM private.append_audit(NULL, 'release.minimum_version', me.id, p_tool,
      jsonb_build_object('commandId', p_command_id, 'from', previous, 'to', version_));
    RETURN result;
  EXCEPTION WHEN SQLSTATE 'GWCON' OR SQLSTATE 'GWFRB' THEN
    GET STACKED DIAGNOSTICS sqlstate_ = RETURNED_SQLSTATE, message_ = MESSAGE_TEXT, detail_ = PG_EXCEPTION_DETAIL;
    RETURN private.reject(p_command_id, 'minimum_version', NULL, actor, p_tool, NULL, payload, sqlstate_, message_, detail_);
  END;
END $$;
COMMENT ON FUNCTION api.set_minimum_version(text, text, text) IS
  'Set (or, with NULL, remove) the minimum client version persons'' commands need, as an admin.';
GRANT EXECUTE ON FUNCTION api.set_minimum_version(text, text, text) TO guardian_moderator;
