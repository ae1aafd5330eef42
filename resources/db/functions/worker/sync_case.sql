-- The read model follows the checkpoint (the graph's position is the truth, the row its projection). Each
-- update applies only when the row does not show this position yet, so a redelivery changes nothing and
-- records nothing twice. The accepted command whose run this was is marked applied.

-- The analysis columns from the checkpoint's analysis (NULL: never analysed, keep them).
CREATE OR REPLACE FUNCTION private.mark_applied(p_case_id uuid, p_command_id text) RETURNS void
  LANGUAGE sql
  SET search_path = pg_catalog, public, pg_temp
AS $$
  UPDATE commands SET status = 'applied', applied_at = now()
   WHERE id = p_command_id AND case_id = p_case_id AND status = 'accepted'
$$;

-- The thread paused for a human (an interrupt): the case awaits review at this level, with its SLA: a window
-- from its priority and (new) severity (private.sla_minutes: p_sla_minutes the base, p_sla_targets the
-- configured minutes per "urgent" and severity), due at millisecond precision (what the API shows, so the
-- queue's keyset cursor, which includes it, is exact).
CREATE OR REPLACE FUNCTION worker.sync_review(
  p_case_id uuid,
  p_interrupt_id text,
  p_level int,
  p_review_kind text,
  p_sla_minutes int,
  p_analysis jsonb DEFAULT NULL,
  p_command_id text DEFAULT NULL,
  p_sla_targets jsonb DEFAULT NULL
) RETURNS SETOF cases
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  r cases;
BEGIN
  IF p_sla_targets IS NOT NULL AND jsonb_typeof(p_sla_targets) <> 'object' THEN PERFORM private.fail('GWINV', 'slaTargets: an object of minutes'); END IF;
  IF p_level NOT IN (1, 2) THEN PERFORM private.fail('GWINV', 'level: 1 or 2'); END IF;
  IF p_review_kind NOT IN ('initial', 'escalation', 'rollback', 'appeal') THEN PERFORM private.fail('GWINV', 'reviewKind: unknown'); END IF;
  UPDATE cases x
     SET status = 'awaiting_review', interrupt_id = p_interrupt_id, level = p_level, review_kind = p_review_kind,
         version = x.version + 1, updated_at = now(), failure_reason = NULL,
         sla_due_at = date_trunc('milliseconds', now() + make_interval(mins => private.sla_minutes(p_sla_minutes, x.priority,
           CASE WHEN p_analysis IS NULL THEN x.severity ELSE p_analysis->>'severity' END, p_sla_targets))),
         analysis = coalesce(p_analysis, x.analysis),
         verdict = CASE WHEN p_analysis IS NULL THEN x.verdict ELSE p_analysis->>'verdict' END,
         severity = CASE WHEN p_analysis IS NULL THEN x.severity ELSE p_analysis->>'severity' END,
         violation_type = CASE WHEN p_analysis IS NULL THEN x.violation_type ELSE p_analysis->>'violationType' END
   WHERE x.id = p_case_id AND (x.status <> 'awaiting_review' OR x.interrupt_id IS DISTINCT FROM p_interrupt_id)
  RETURNING x.* INTO r;
  IF FOUND THEN
    PERFORM private.append_audit(p_case_id, 'review.requested', 'agent', 'agent',
      jsonb_build_object('level', p_level, 'reviewKind', p_review_kind));
  END IF;
  IF p_command_id IS NOT NULL THEN PERFORM private.mark_applied(p_case_id, p_command_id); END IF;
  IF r.id IS NOT NULL THEN RETURN NEXT r; END IF;
END $$;
COMMENT ON FUNCTION worker.sync_review(uuid, text, int, text, int, jsonb, text, jsonb) IS 'Project a thread paused for review onto its case.';
GRANT EXECUTE ON FUNCTION worker.sync_review(uuid, text, int, text, int, jsonb, text, jsonb) TO guardian_worker;

-- The thread finished: auto_resolved, actioned, closed or failed. The worker may record the agent's own
-- decision as the case's last decision, never a human one (those come only from the command functions).
CREATE OR REPLACE FUNCTION worker.sync_outcome(
  p_case_id uuid,
  p_status text,
  p_failure text DEFAULT NULL,
  p_decision jsonb DEFAULT NULL,
  p_analysis jsonb DEFAULT NULL,
  p_command_id text DEFAULT NULL
) RETURNS SETOF cases
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  r cases;
  -- The agent's own decision, never a ban (an AI never bans without a human, DESIGN §8).
  agent boolean := p_decision IS NOT NULL AND p_decision->>'actor' = 'agent'
                   AND coalesce(p_decision->>'decision', '') NOT LIKE '%ban%';
BEGIN
  IF p_status IS NULL OR p_status NOT IN ('auto_resolved', 'actioned', 'closed', 'failed') THEN
    PERFORM private.fail('GWINV', 'status: the outcome of a run is auto_resolved, actioned, closed or failed');
  END IF;
  UPDATE cases x
     SET status = p_status, interrupt_id = NULL, failure_reason = p_failure, version = x.version + 1, updated_at = now(),
         -- it never replaces a person's decision
         last_decision = CASE WHEN agent AND coalesce(x.last_decision->>'actor', 'agent') = 'agent' THEN p_decision
                              ELSE x.last_decision END, sla_due_at = NULL,
         analysis = coalesce(p_analysis, x.analysis),
         verdict = CASE WHEN p_analysis IS NULL THEN x.verdict ELSE p_analysis->>'verdict' END,
         severity = CASE WHEN p_analysis IS NULL THEN x.severity ELSE p_analysis->>'severity' END,
         violation_type = CASE WHEN p_analysis IS NULL THEN x.violation_type ELSE p_analysis->>'violationType' END
   WHERE x.id = p_case_id AND x.status <> p_status
  RETURNING x.* INTO r;
  IF FOUND THEN
    PERFORM private.append_audit(p_case_id, 'case.' || p_status, 'agent', 'agent',
      CASE WHEN p_failure IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('failure', p_failure) END
      -- the decision the database holds, not what the worker says was decided
      || CASE WHEN r.last_decision IS NULL THEN '{}'::jsonb
              ELSE jsonb_build_object('decision', r.last_decision->>'decision', 'decidedBy', r.last_decision->>'actor') END);
  END IF;
  IF p_command_id IS NOT NULL THEN PERFORM private.mark_applied(p_case_id, p_command_id); END IF;
  IF r.id IS NOT NULL THEN RETURN NEXT r; END IF;
END $$;
COMMENT ON FUNCTION worker.sync_outcome(uuid, text, text, jsonb, jsonb, text) IS 'Project a finished run onto its case.';
GRANT EXECUTE ON FUNCTION worker.sync_outcome(uuid, text, text, jsonb, jsonb, text) TO guardian_worker;

-- Retries ran out or the runner refused the case: an operator must look at it. A command id must be one of
-- this case's accepted commands (a job names it, and a job is only a hint).
CREATE OR REPLACE FUNCTION worker.fail_case(p_case_id uuid, p_reason text, p_command_id text DEFAULT NULL) RETURNS SETOF cases
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  r cases;
BEGIN
  IF p_command_id IS NOT NULL THEN
    UPDATE commands SET status = 'failed', result = jsonb_build_object('error', left(p_reason, 2000))
     WHERE id = p_command_id AND case_id = p_case_id AND status = 'accepted';
    IF NOT FOUND THEN RETURN; END IF;
  END IF;
  UPDATE cases x SET status = 'failed', failure_reason = left(p_reason, 2000), version = x.version + 1, updated_at = now()
   WHERE x.id = p_case_id
  RETURNING x.* INTO r;
  IF FOUND THEN
    PERFORM private.append_audit(p_case_id, 'case.failed', 'agent', 'worker', jsonb_build_object('reason', left(p_reason, 2000)));
    RETURN NEXT r;
  END IF;
END $$;
COMMENT ON FUNCTION worker.fail_case(uuid, text, text) IS 'Mark a case failed for an operator (and its accepted command, if named).';
GRANT EXECUTE ON FUNCTION worker.fail_case(uuid, text, text) TO guardian_worker;

-- DESIGN §3: a level-1 review past its SLA (database time) goes to the supervisors.
CREATE OR REPLACE FUNCTION worker.escalate_breaches(p_sla_minutes int) RETURNS SETOF cases
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  r cases;
BEGIN
  FOR r IN
    UPDATE cases x SET level = 2, version = x.version + 1, updated_at = now(), claimed_by = NULL, claim_until = NULL,
                       sla_due_at = date_trunc('milliseconds', now() + make_interval(mins => p_sla_minutes))
     WHERE x.status = 'awaiting_review' AND x.level = 1 AND x.sla_due_at < now()
    RETURNING x.*
  LOOP
    PERFORM private.append_audit(r.id, 'sla.breached', 'agent', 'worker', jsonb_build_object('level', 2, 'reviewKind', r.review_kind));
    RETURN NEXT r;
  END LOOP;
END $$;
COMMENT ON FUNCTION worker.escalate_breaches(int) IS 'Raise level-1 reviews past their SLA to level 2.';
GRANT EXECUTE ON FUNCTION worker.escalate_breaches(int) TO guardian_worker;
