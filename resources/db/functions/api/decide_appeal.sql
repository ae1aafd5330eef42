-- A supervisor's decision on an appeal review: uphold (the decision stands, the case closes) or overturn
-- (its actions are reversed, then the case closes). Same checks as api.decide_case; whoever made the
-- appealed decision is excluded (four-eyes). The worker carries it out (job hint on guardian.decisions).
CREATE OR REPLACE FUNCTION api.decide_appeal(
  p_case_id uuid,
  p_command_id text,
  p_outcome text,
  p_reason text,
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
  IF p_outcome IS NULL OR p_outcome NOT IN ('uphold', 'overturn') THEN
    PERFORM private.fail('GWINV', 'outcome: must be uphold or overturn');
  END IF;
  IF p_expected_version IS NOT NULL AND p_expected_version < 1 THEN
    PERFORM private.fail('GWINV', 'expectedVersion: must be a positive version');
  END IF;
  payload := jsonb_build_object('outcome', p_outcome, 'reason', reason);
  c := private.lock_case(p_case_id);
  prior := private.prior_result(p_command_id, 'appeal_decide', c, actor, payload);
  IF prior IS NOT NULL THEN RETURN prior; END IF;

  BEGIN
    me := private.require_person();
    PERFORM private.check_reviewable(c, me.id, p_expected_version);
    IF c.review_kind IS DISTINCT FROM 'appeal' THEN
      PERFORM private.fail('GWINV', format('Case %s is not an appeal review.', c.id));
    END IF;
    waived := me.id = ANY (c.excluded_deciders);
    rec := jsonb_build_object('commandId', p_command_id, 'decision', p_outcome, 'reason', reason, 'policyIds', '[]'::jsonb,
                              'actor', me.id, 'level', c.level, 'reviewKind', 'appeal', 'at', private.now_text());
    UPDATE cases
       SET status = CASE WHEN p_outcome = 'overturn' THEN 'reversing' ELSE 'executing' END,
           version = version + 1, last_decision = rec, last_command_id = p_command_id,
           claimed_by = NULL, claim_until = NULL, updated_at = now()
     WHERE id = c.id
    RETURNING * INTO c;
    PERFORM private.append_audit(c.id, 'appeal.decided', me.id, p_tool,
      jsonb_build_object('commandId', p_command_id, 'decision', p_outcome, 'reason', reason, 'policyIds', '[]'::jsonb,
                         'level', rec->'level', 'reviewKind', 'appeal')
      || CASE WHEN waived THEN '{"fourEyesWaived": "standalone: one local person"}'::jsonb ELSE '{}'::jsonb END);
    PERFORM private.record_command(p_command_id, 'appeal_decide', c, me.id, p_tool, p_expected_version,
      payload || jsonb_build_object('context', jsonb_build_object('level', rec->'level', 'reviewKind', 'appeal', 'at', rec->'at')),
      'accepted');
    RETURN jsonb_build_object('outcome', 'accepted', 'duplicate', false, 'job', 'decisions', 'case', private.case_json(c));
  EXCEPTION WHEN SQLSTATE 'GWCON' OR SQLSTATE 'GWFRB' THEN
    GET STACKED DIAGNOSTICS sqlstate_ = RETURNED_SQLSTATE, message_ = MESSAGE_TEXT, detail_ = PG_EXCEPTION_DETAIL;
    RETURN private.reject(p_command_id, 'appeal_decide', c.id, actor, p_tool, p_expected_version, payload, sqlstate_, message_, detail_);
  END;
END $$;
COMMENT ON FUNCTION api.decide_appeal(uuid, text, text, text, int, text) IS
  'Decide an appeal review (uphold or overturn) as the logged-in supervisor or admin.';
GRANT EXECUTE ON FUNCTION api.decide_appeal(uuid, text, text, text, int, text) TO guardian_moderator;
