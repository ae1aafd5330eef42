-- Platform actions, each with its own status row, recorded before it is sent and finished after (the
-- platform dedupes by Idempotency-Key = action id, so a crash in between is safe). An action belongs to a
-- command the database accepted (or to the agent's own automatic decision, `auto:<case>`): the worker
-- cannot invent a decision to act on. The actor of its audit event is the command's, read here.

-- The actor of an action, after checking that the accepted command calls for it: a decision's own actions
-- (warn → warn_user, remove → remove_content, remove_and_ban → both), or, under a rollback or an overturned
-- appeal, the reversal of an action of this case that was carried out (remove_content → restore_content,
-- ban_user → unban_user; an action with no reversal is recorded as not reversible under its own kind).
DROP FUNCTION IF EXISTS private.action_actor(uuid, text, text);
CREATE OR REPLACE FUNCTION private.action_actor(p_case_id uuid, p_command_id text, p_kind text, p_reverses text DEFAULT NULL,
                                                p_not_reversible boolean DEFAULT false) RETURNS text
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  cm commands;
  original actions;
BEGIN
  IF p_command_id = 'auto:' || p_case_id THEN
    -- The agent acts alone only while it analyses a case (or re-runs that after a crash), and only with the
    -- low-risk actions the policy may automate: an AI never bans without a human (DESIGN §8).
    IF p_kind NOT IN ('warn_user', 'remove_content') OR p_reverses IS NOT NULL THEN
      PERFORM private.fail('GWFRB', format('the agent may not %s without a human', p_kind));
    END IF;
    IF NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = p_case_id
                     AND (c.status = 'analyzing' OR c.last_decision->>'actor' = 'agent')) THEN
      PERFORM private.fail('GWFRB', format('case %s has no automatic decision', p_case_id));
    END IF;
    RETURN 'agent';
  END IF;
  SELECT * INTO cm FROM commands
   WHERE id = p_command_id AND case_id = p_case_id AND status IN ('accepted', 'applied')
     AND type IN ('decide', 'appeal_decide', 'rollback');
  IF NOT FOUND THEN PERFORM private.fail('GWFRB', format('no accepted command %s on case %s', p_command_id, p_case_id)); END IF;
  IF p_reverses IS NULL THEN
    IF cm.type <> 'decide' OR p_kind <> ALL (CASE cm.payload->>'decision'
                                               WHEN 'warn' THEN ARRAY['warn_user']
                                               WHEN 'remove' THEN ARRAY['remove_content']
                                               WHEN 'remove_and_ban' THEN ARRAY['remove_content', 'ban_user']
                                               ELSE ARRAY[]::text[] END) THEN
      PERFORM private.fail('GWFRB', format('command %s (%s %s) does not call for %s', p_command_id, cm.type,
        coalesce(cm.payload->>'decision', cm.payload->>'outcome', ''), p_kind));
    END IF;
    RETURN cm.actor;
  END IF;
  IF NOT (cm.type = 'rollback' OR (cm.type = 'appeal_decide' AND cm.payload->>'outcome' = 'overturn')) THEN
    PERFORM private.fail('GWFRB', format('command %s (%s) reverses nothing', p_command_id, cm.type));
  END IF;
  SELECT * INTO original FROM actions WHERE id = p_reverses AND case_id = p_case_id AND reverses IS NULL AND status = 'done';
  IF NOT FOUND THEN
    PERFORM private.fail('GWFRB', format('no carried-out action %s on case %s to reverse', p_reverses, p_case_id));
  END IF;
  IF (p_not_reversible AND (p_kind <> original.kind OR original.kind IN ('remove_content', 'ban_user')))
     OR (NOT p_not_reversible AND (original.kind, p_kind) NOT IN (('remove_content', 'restore_content'), ('ban_user', 'unban_user'))) THEN
    PERFORM private.fail('GWFRB', format('%s is not the reversal of %s (%s)', p_kind, p_reverses, original.kind));
  END IF;
  RETURN cm.actor;
END $$;

-- Records the action, or counts another attempt at a pending one. Returns 'pending' when it is to be sent
-- now; NULL when it was already carried out or failed for good (not sent again).
CREATE OR REPLACE FUNCTION worker.record_action(
  p_action_id text, p_case_id uuid, p_command_id text, p_seq int, p_kind text, p_reason text,
  p_duration_hours int DEFAULT NULL, p_reverses text DEFAULT NULL
) RETURNS text
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  st text;
  who text := private.action_actor(p_case_id, p_command_id, p_kind, p_reverses);
BEGIN
  INSERT INTO actions (id, case_id, command_id, seq, kind, reason, duration_hours, reversible, reverses, status, attempts, actor)
  VALUES (p_action_id, p_case_id, p_command_id, p_seq, p_kind, p_reason, p_duration_hours,
          p_kind IN ('remove_content', 'ban_user'), p_reverses, 'pending', 1, who)
  ON CONFLICT (id) DO UPDATE SET attempts = actions.attempts + 1 WHERE actions.status = 'pending'
  RETURNING status INTO st;
  RETURN st;
END $$;
COMMENT ON FUNCTION worker.record_action(text, uuid, text, int, text, text, int, text) IS 'Record a platform action before it is sent.';
GRANT EXECUTE ON FUNCTION worker.record_action(text, uuid, text, int, text, text, int, text) TO guardian_worker;

-- A transient failure (retries exhausted for now): the action stays pending, with the error.
CREATE OR REPLACE FUNCTION worker.note_action_error(p_action_id text, p_error text) RETURNS void
  LANGUAGE sql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
  UPDATE actions SET last_error = left(p_error, 1000) WHERE id = p_action_id AND status = 'pending'
$$;
COMMENT ON FUNCTION worker.note_action_error(text, text) IS 'Note a transient error of a pending action.';
GRANT EXECUTE ON FUNCTION worker.note_action_error(text, text) TO guardian_worker;

-- The platform answered: done (or already done) or failed for good. Audited as action.executed,
-- action.reversed or action.failed with the command's actor.
CREATE OR REPLACE FUNCTION worker.finish_action(p_action_id text, p_ok boolean, p_error text, p_details jsonb DEFAULT '{}')
  RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  a actions;
BEGIN
  UPDATE actions SET status = CASE WHEN p_ok THEN 'done' ELSE 'failed' END,
                     last_error = CASE WHEN p_ok THEN NULL ELSE left(p_error, 1000) END,
                     executed_at = CASE WHEN p_ok THEN now() END
   WHERE id = p_action_id AND status = 'pending'
  RETURNING * INTO a;
  IF NOT FOUND THEN RETURN; END IF;
  PERFORM private.append_audit(a.case_id,
    CASE WHEN NOT p_ok THEN 'action.failed' WHEN a.reverses IS NOT NULL THEN 'action.reversed' ELSE 'action.executed' END,
    coalesce(a.actor, (SELECT cm.actor FROM commands cm WHERE cm.id = a.command_id), 'agent'), 'agent',
    -- The platform's details first: what the database knows about the action is written over them.
    CASE WHEN jsonb_typeof(p_details) = 'object' THEN p_details ELSE '{}'::jsonb END
    || jsonb_build_object('actionId', a.id, 'kind', a.kind)
    || CASE WHEN a.reverses IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('reverses', a.reverses) END
    || CASE WHEN p_ok THEN '{}'::jsonb ELSE jsonb_build_object('error', p_error) END);
END $$;
COMMENT ON FUNCTION worker.finish_action(text, boolean, text, jsonb) IS 'Record the platform''s answer to a pending action.';
GRANT EXECUTE ON FUNCTION worker.finish_action(text, boolean, text, jsonb) TO guardian_worker;

-- A reversal that cannot happen (warn_user): recorded once, and audited.
CREATE OR REPLACE FUNCTION worker.record_not_reversible(
  p_action_id text, p_case_id uuid, p_command_id text, p_seq int, p_kind text, p_reason text, p_reverses text
) RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  who text := private.action_actor(p_case_id, p_command_id, p_kind, p_reverses, true);
BEGIN
  INSERT INTO actions (id, case_id, command_id, seq, kind, reason, reversible, reverses, status, last_error, actor)
  VALUES (p_action_id, p_case_id, p_command_id, p_seq, p_kind, p_reason, false, p_reverses, 'not_reversible', p_kind || ' cannot be reversed', who)
  ON CONFLICT (id) DO NOTHING;
  IF NOT FOUND THEN RETURN false; END IF;
  PERFORM private.append_audit(p_case_id, 'action.not_reversible', who, 'agent', jsonb_build_object('actionId', p_reverses, 'kind', p_kind));
  RETURN true;
END $$;
COMMENT ON FUNCTION worker.record_not_reversible(text, uuid, text, int, text, text, text) IS 'Record that an action cannot be reversed.';
GRANT EXECUTE ON FUNCTION worker.record_not_reversible(text, uuid, text, int, text, text, text) TO guardian_worker;
