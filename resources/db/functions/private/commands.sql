-- The shared steps of the person command functions (resources/db/functions/api).

-- The case, locked for the command (concurrent duplicates of one command then see each other's result).
-- Text without the whitespace around it, as JavaScript's String.prototype.trim sees whitespace (tabs,
-- newlines, no-break and other Unicode spaces, BOM): btrim alone strips only the space character, so a
-- reason of newlines would pass as text.
CREATE OR REPLACE FUNCTION private.trim_text(p text) RETURNS text
  LANGUAGE sql IMMUTABLE
  SET search_path = pg_catalog, pg_temp
AS $$
  SELECT regexp_replace(p, '^[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+|[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+$', '', 'g')
$$;
GRANT EXECUTE ON FUNCTION private.trim_text(text) TO guardian_role_manager;

CREATE OR REPLACE FUNCTION private.lock_case(p_case_id uuid) RETURNS public.cases
  LANGUAGE plpgsql
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  c cases;
BEGIN
  IF p_case_id IS NULL THEN PERFORM private.fail('GWINV', 'caseId: required'); END IF;
  SELECT * INTO c FROM cases WHERE id = p_case_id FOR UPDATE;
  IF NOT FOUND THEN PERFORM private.fail('GWNFD', format('No case %s.', p_case_id)); END IF;
  RETURN c;
END $$;

-- Checks the envelope every person's command carries: its id (the idempotency key), the tool it came from,
-- and the client's version (a client older than the team's minimum is refused, GWUPD:
-- private.require_current_client). api.set_minimum_version checks the first two only (check_command_fields):
-- an admin on an old client can still lower a minimum set too high.
CREATE OR REPLACE FUNCTION private.check_envelope(p_command_id text, p_tool text) RETURNS void
  LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM private.check_command_fields(p_command_id, p_tool);
  PERFORM private.require_current_client(p_command_id);
  PERFORM private.check_batch_command(p_command_id);
END $$;

CREATE OR REPLACE FUNCTION private.check_command_fields(p_command_id text, p_tool text) RETURNS void
  LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF p_command_id IS NULL OR length(btrim(p_command_id)) NOT BETWEEN 8 AND 128 THEN
    PERFORM private.fail('GWINV', 'commandId: must be 8 to 128 characters');
  END IF;
  -- Ids the database derives itself (an appeal from its message, the agent's own decision) are not a
  -- person's to take: taken first, they would block the appeal or pass for the agent.
  IF p_command_id ~* '^\s*(appeal|auto):' THEN
    PERFORM private.fail('GWINV', 'commandId: the prefixes appeal: and auto: are reserved');
  END IF;
  IF p_tool IS NULL OR p_tool NOT IN ('cli', 'ui', 'api') THEN
    PERFORM private.fail('GWINV', 'tool: must be cli, ui or api');
  END IF;
END $$;

-- A reason as every decision needs one: 3 to 2000 characters once trimmed.
CREATE OR REPLACE FUNCTION private.check_reason(p_reason text, p_field text DEFAULT 'reason') RETURNS text
  LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF p_reason IS NULL OR length(private.trim_text(p_reason)) < 3 THEN
    PERFORM private.fail('GWINV', p_field || ': a reason of at least 3 characters is required');
  END IF;
  IF length(private.trim_text(p_reason)) > 2000 THEN PERFORM private.fail('GWINV', p_field || ': at most 2000 characters'); END IF;
  RETURN private.trim_text(p_reason);
END $$;

-- The stored outcome of a command id seen before (the same id again returns it), or NULL for a new id.
-- The same id for a different command, case or person is a conflict.
CREATE OR REPLACE FUNCTION private.prior_result(p_command_id text, p_type text, p_case public.cases, p_actor text,
                                                p_payload jsonb) RETURNS jsonb
  LANGUAGE plpgsql
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  p commands;
BEGIN
  SELECT * INTO p FROM commands WHERE id = p_command_id;
  IF NOT FOUND THEN RETURN NULL; END IF;
  IF p.type <> p_type OR p.case_id IS DISTINCT FROM p_case.id OR p.actor <> p_actor OR (p.payload - 'context') <> p_payload THEN
    PERFORM private.fail('GWCON', format('Command id %s was already used for a different command.', p_command_id));
  END IF;
  IF p.status = 'rejected' THEN
    RETURN jsonb_build_object('outcome', 'rejected', 'duplicate', true,
      'error', (p.result->'error') || jsonb_build_object('details', coalesce(p.result->'error'->'details', '{}') || '{"duplicate": true}'));
  END IF;
  -- Still only accepted: the job hint may never have gone out (a lost COMMIT reply), so the caller resends it.
  RETURN jsonb_build_object('outcome', CASE WHEN p.status = 'applied' THEN 'applied' ELSE 'accepted' END,
                            'duplicate', true, 'case', private.case_json(p_case),
                            'job', CASE WHEN p.status <> 'accepted' THEN NULL
                                        WHEN p.type = 'rollback' THEN 'rollbacks'
                                        WHEN p.type IN ('decide', 'appeal_decide') THEN 'decisions' END);
END $$;

-- A refused command (role, four-eyes, claim, version): recorded with its reason and audited, then
-- returned as a value. It is not raised: a raise would roll back the record of the refusal.
CREATE OR REPLACE FUNCTION private.reject(p_command_id text, p_type text, p_case_id uuid, p_actor text, p_tool text,
                                          p_expected_version int, p_payload jsonb, p_sqlstate text, p_message text,
                                          p_detail text) RETURNS jsonb
  LANGUAGE plpgsql
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  code text := CASE p_sqlstate WHEN 'GWCON' THEN 'conflict' WHEN 'GWFRB' THEN 'forbidden' ELSE 'internal' END;
  err  jsonb := jsonb_build_object('code', code, 'message', p_message)
                || CASE WHEN coalesce(p_detail, '') = '' THEN '{}'::jsonb ELSE jsonb_build_object('details', p_detail::jsonb) END;
BEGIN
  INSERT INTO commands (id, type, case_id, actor, tool, expected_version, payload, status, result)
  VALUES (p_command_id, p_type, p_case_id, p_actor, p_tool, p_expected_version, p_payload, 'rejected',
          jsonb_build_object('error', err))
  ON CONFLICT (id) DO NOTHING;
  IF FOUND THEN
    PERFORM private.append_audit(p_case_id, 'command.rejected', p_actor, p_tool,
      jsonb_build_object('commandId', p_command_id, 'command', p_type, 'code', code, 'message', p_message));
  END IF;
  RETURN jsonb_build_object('outcome', 'rejected', 'duplicate', false, 'error', err);
END $$;

-- Records an accepted or applied command (the audit event is the caller's, in the same transaction).
CREATE OR REPLACE FUNCTION private.record_command(p_command_id text, p_type text, c public.cases, p_actor text, p_tool text,
                                                  p_expected_version int, p_payload jsonb, p_status text) RETURNS void
  LANGUAGE sql
  SET search_path = pg_catalog, public, pg_temp
AS $$
  INSERT INTO commands (id, type, case_id, actor, tool, expected_version, payload, interrupt_id, status, applied_at)
  VALUES (p_command_id, p_type, c.id, p_actor, p_tool, p_expected_version, p_payload, c.interrupt_id, p_status,
          CASE WHEN p_status = 'applied' THEN now() END)
$$;

-- Who may decide a case now: it awaits review at the version the person saw, level 2 needs a supervisor,
-- four-eyes (whoever made the decision under review cannot decide it; the one local person of a
-- standalone installation is the exception, and the waiver is audited by the caller), and the claim.
CREATE OR REPLACE FUNCTION private.check_reviewable(c public.cases, p_person text, p_expected_version int) RETURNS void
  LANGUAGE plpgsql
  SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
  IF c.status <> 'awaiting_review' THEN
    PERFORM private.fail('GWCON', format('Case %s is %s, not awaiting review.%s', c.id, c.status, private.describe_last(c)),
                         private.conflict_details(c));
  END IF;
  IF p_expected_version IS NOT NULL AND p_expected_version <> c.version THEN
    PERFORM private.fail('GWCON', format('Case %s changed since you saw it (you saw version %s, it is now %s).%s',
                                         c.id, p_expected_version, c.version, private.describe_last(c)),
                         private.conflict_details(c));
  END IF;
  IF c.level >= 2 AND NOT private.has_role('supervisor') THEN
    PERFORM private.fail('GWFRB', format('Case %s is an escalated (level %s) review: supervisors and admins only.', c.id, c.level));
  END IF;
  IF p_person = ANY (c.excluded_deciders) AND NOT private.is_standalone() THEN
    PERFORM private.fail('GWFRB', format('Four-eyes: %s made the decision under review on case %s and cannot decide this review.', p_person, c.id));
  END IF;
  IF c.claim_until > now() AND c.claimed_by <> p_person THEN
    PERFORM private.fail('GWCON', format('Case %s is claimed by %s until %s.', c.id, c.claimed_by,
                                         to_char(c.claim_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
                         jsonb_build_object('claimedBy', c.claimed_by, 'claimUntil', c.claim_until));
  END IF;
END $$;

CREATE OR REPLACE FUNCTION private.is_standalone() RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
AS $$
  SELECT i.mode = 'standalone' FROM private.installation i
$$;
GRANT EXECUTE ON FUNCTION private.is_standalone() TO guardian_role_manager;

-- The acting person, or a refusal (GWFRB) naming the login.
CREATE OR REPLACE FUNCTION private.require_person() RETURNS public.moderators
  LANGUAGE plpgsql
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  me moderators := private.person();
BEGIN
  IF me.id IS NULL THEN
    PERFORM private.fail('GWFRB', format('The login "%s" is not an active person of this installation.', session_user));
  END IF;
  RETURN me;
END $$;
GRANT EXECUTE ON FUNCTION private.require_person() TO guardian_role_manager;

CREATE OR REPLACE FUNCTION private.now_text() RETURNS text
  LANGUAGE sql STABLE
  SET search_path = pg_catalog, pg_temp
AS $$
  SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;
