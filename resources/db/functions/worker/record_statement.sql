-- The statement of reasons of a carried-out decision (EU DSA Art. 17, issue 15), recorded once by the worker
-- before the decision's first platform action; returns the stored statement (the first one recorded wins, so
-- a re-run after a crash sends what the first run stored). Only for a decision the database accepted (or the
-- agent's own automatic one) that restricts something, about that case's content and author, and saying
-- truthfully who decided: the agent's decision is `fully` automated, a person's `not_automated`.
CREATE OR REPLACE FUNCTION worker.record_statement(p_decision_id text, p_case_id uuid, p_body jsonb) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  c cases;
  decided text;
  stored jsonb;
BEGIN
  SELECT body INTO stored FROM statements WHERE decision_id = p_decision_id AND case_id = p_case_id;
  IF FOUND THEN RETURN stored; END IF;
  SELECT * INTO c FROM cases WHERE id = p_case_id;
  IF NOT FOUND THEN PERFORM private.fail('GWNFD', format('no case %s', p_case_id)); END IF;
  IF jsonb_typeof(p_body) <> 'object' OR p_body->>'id' IS DISTINCT FROM p_decision_id OR p_body->>'caseId' IS DISTINCT FROM p_case_id::text
     OR p_body->>'contentId' IS DISTINCT FROM c.content_id OR p_body->>'authorId' IS DISTINCT FROM c.author_id
     OR jsonb_typeof(p_body->'automatedDetection') <> 'boolean' OR jsonb_typeof(p_body->'text') <> 'string' THEN
    PERFORM private.fail('GWINV', format('statement %s does not describe case %s', p_decision_id, p_case_id));
  END IF;
  IF p_decision_id = 'auto:' || p_case_id THEN
    IF NOT (c.status = 'analyzing' OR c.last_decision->>'actor' = 'agent') THEN
      PERFORM private.fail('GWFRB', format('case %s has no automatic decision', p_case_id));
    END IF;
    -- The agent acts alone only with the low-risk actions (worker.record_action checks the same).
    decided := CASE WHEN p_body->>'decision' IN ('warn', 'remove') THEN p_body->>'decision' END;
    IF p_body->>'automatedDecision' IS DISTINCT FROM 'fully' THEN
      PERFORM private.fail('GWINV', 'the agent''s decision is fully automated');
    END IF;
  ELSE
    SELECT cm.payload->>'decision' INTO decided FROM commands cm
     WHERE cm.id = p_decision_id AND cm.case_id = p_case_id AND cm.type = 'decide' AND cm.status IN ('accepted', 'applied');
    IF NOT FOUND THEN PERFORM private.fail('GWFRB', format('no accepted decision %s on case %s', p_decision_id, p_case_id)); END IF;
    IF p_body->>'automatedDecision' IS DISTINCT FROM 'not_automated' THEN
      PERFORM private.fail('GWINV', 'a person''s decision is not automated');
    END IF;
  END IF;
  IF decided IS DISTINCT FROM p_body->>'decision' OR decided NOT IN ('warn', 'remove', 'remove_and_ban') THEN
    PERFORM private.fail('GWINV', format('decision %s is %s, the statement says %s', p_decision_id, coalesce(decided, 'none'), p_body->>'decision'));
  END IF;
  INSERT INTO statements (decision_id, case_id, decision, automated_decision, automated_detection, body)
  VALUES (p_decision_id, p_case_id, decided, p_body->>'automatedDecision' = 'fully', (p_body->>'automatedDetection')::boolean, p_body)
  ON CONFLICT (decision_id) DO NOTHING;
  SELECT body INTO stored FROM statements WHERE decision_id = p_decision_id;
  RETURN stored;
END $$;
COMMENT ON FUNCTION worker.record_statement(text, uuid, jsonb) IS 'Record the statement of reasons of a carried-out decision (once).';
GRANT EXECUTE ON FUNCTION worker.record_statement(text, uuid, jsonb) TO guardian_worker;
