-- A moderator's (or, at level 2, a supervisor's) decision on a case awaiting review. Checks the role,
-- four-eyes, the claim and the version the person saw; records the command with the decision's context
-- (level, kind, time) and its audit event in this transaction. The worker then carries it out
-- (job hint on guardian.decisions). Returns { outcome, duplicate, job, case } or, refused, { outcome:
-- 'rejected', error } with the refusal recorded and audited.
CREATE OR REPLACE FUNCTION api.decide_case(
  p_case_id uuid,
  p_command_id text,
  p_decision text,
  p_reason text,
  p_policy_ids text[] DEFAULT NULL,
  p_duration_hours int DEFAULT NULL,
  p_expected_version int DEFAULT NULL,
  p_tool text DEFAULT 'api'
) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  me      moderators := private.person();
  actor   text := coalesce(me.id, session_user::text);
  reason  text := private.check_reason(p_reason);
  c       cases;
  payload jsonb;
  prior   jsonb;
  rec     jsonb;
  waived  boolean;
  sqlstate_ text; message_ text; detail_ text;
BEGIN
  PERFORM private.check_envelope(p_command_id, p_tool);
  IF p_decision IS NULL OR p_decision NOT IN ('approve', 'warn', 'remove', 'remove_and_ban', 'escalate') THEN
    PERFORM private.fail('GWINV', 'decision: must be approve, warn, remove, remove_and_ban or escalate');
  END IF;
  IF p_duration_hours IS NOT NULL AND p_duration_hours NOT BETWEEN 1 AND 87600 THEN
    PERFORM private.fail('GWINV', 'durationHours: must be 1 to 87600 hours');
  END IF;
  IF p_duration_hours IS NOT NULL AND p_decision <> 'remove_and_ban' THEN
    PERFORM private.fail('GWINV', 'durationHours only applies to remove_and_ban.');
  END IF;
  IF cardinality(p_policy_ids) > 20 OR EXISTS (SELECT 1 FROM unnest(p_policy_ids) p WHERE length(coalesce(p, '')) NOT BETWEEN 1 AND 64) THEN
    PERFORM private.fail('GWINV', 'policyIds: at most 20 ids of 1 to 64 characters');
  END IF;
  IF p_expected_version IS NOT NULL AND p_expected_version < 1 THEN
    PERFORM private.fail('GWINV', 'expectedVersion: must be a positive version');
  END IF;
  payload := jsonb_strip_nulls(jsonb_build_object('decision', p_decision, 'reason', reason,
                                                  'policyIds', to_jsonb(p_policy_ids), 'durationHours', p_duration_hours));
  c := private.lock_case(p_case_id);
  prior := private.prior_result(p_command_id, 'decide', c, actor, payload);
  IF prior IS NOT NULL THEN RETURN prior; END IF;

  BEGIN
    me := private.require_person();
    PERFORM private.check_reviewable(c, me.id, p_expected_version);
    IF c.review_kind = 'appeal' THEN
      PERFORM private.fail('GWINV', format('Case %s is an appeal review: decide it with an outcome (uphold or overturn).', c.id));
    END IF;
    IF p_decision = 'escalate' AND c.level >= 2 THEN
      PERFORM private.fail('GWINV', 'An escalated case cannot be escalated further.');
    END IF;
    waived := me.id = ANY (c.excluded_deciders);
    rec := jsonb_build_object('commandId', p_command_id, 'decision', p_decision, 'reason', reason,
                              'policyIds', coalesce(to_jsonb(p_policy_ids), '[]'), 'actor', me.id, 'level', c.level,
                              'reviewKind', coalesce(c.review_kind, 'initial'), 'at', private.now_text())
           || CASE WHEN p_duration_hours IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('durationHours', p_duration_hours) END;
    UPDATE cases
       SET status = 'executing', version = version + 1, last_decision = rec, last_command_id = p_command_id,
           claimed_by = NULL, claim_until = NULL, updated_at = now(),
           excluded_deciders = CASE WHEN p_decision = 'escalate' THEN array_append(excluded_deciders, me.id) ELSE excluded_deciders END
     WHERE id = c.id
    RETURNING * INTO c;
    PERFORM private.append_audit(c.id, 'decision.made', me.id, p_tool,
      jsonb_build_object('commandId', p_command_id, 'decision', p_decision, 'reason', reason,
                         'policyIds', rec->'policyIds', 'level', rec->'level', 'reviewKind', rec->'reviewKind')
      || CASE WHEN p_duration_hours IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('durationHours', p_duration_hours) END
      || CASE WHEN waived THEN '{"fourEyesWaived": "standalone: one local person"}'::jsonb ELSE '{}'::jsonb END);
    PERFORM private.record_command(p_command_id, 'decide', c, me.id, p_tool, p_expected_version,
      payload || jsonb_build_object('context', jsonb_build_object('level', rec->'level', 'reviewKind', rec->'reviewKind', 'at', rec->'at')),
      'accepted');
    RETURN jsonb_build_object('outcome', 'accepted', 'duplicate', false, 'job', 'decisions', 'case', private.case_json(c));
  EXCEPTION WHEN SQLSTATE 'GWCON' OR SQLSTATE 'GWFRB' THEN
    GET STACKED DIAGNOSTICS sqlstate_ = RETURNED_SQLSTATE, message_ = MESSAGE_TEXT, detail_ = PG_EXCEPTION_DETAIL;
    RETURN private.reject(p_command_id, 'decide', c.id, actor, p_tool, p_expected_version, payload, sqlstate_, message_, detail_);
  END;
END $$;
COMMENT ON FUNCTION api.decide_case(uuid, text, text, text, text[], int, int, text) IS
  'Decide a case awaiting review (approve, warn, remove, remove_and_ban, escalate) as the logged-in person.';
GRANT EXECUTE ON FUNCTION api.decide_case(uuid, text, text, text, text[], int, int, text) TO guardian_moderator;
