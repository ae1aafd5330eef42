-- content.submitted again for a contentId whose case exists, with another text: an edited post. Returns
-- { outcome, case }:
--   unchanged             the same text (a redelivery or a duplicate): nothing recorded
--   stale                 a message older (submittedAt) than the one the case's text came from: nothing recorded
--   other_author          the contentId is another author's: nothing recorded (the caller dead-letters it)
--   edited                the case was not decided yet: the new text replaces the old and the case is analysed
--                         again from the start (status analyzing, attempts counted afresh; the worker's runner
--                         restarts the thread with the new text)
--   edited_after_decision a person or the agent had decided it: the new text replaces the old, the decision
--                         stands and the case says the text changed after it (edited_after_decision_at)
-- Each edit is one content.edited event (actor: the platform) with the text it replaced.
CREATE OR REPLACE FUNCTION worker.edit_content(
  p_content_id text,
  p_author_id text,
  p_text text,
  p_submitted_at timestamptz
) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  v_id uuid;
  c cases;
  before cases;
  decided boolean;
BEGIN
  IF p_text IS NULL OR length(p_text) = 0 THEN PERFORM private.fail('GWINV', 'text: required'); END IF;
  IF p_submitted_at IS NULL THEN PERFORM private.fail('GWINV', 'submittedAt: required'); END IF;
  SELECT x.id INTO v_id FROM cases x WHERE x.content_id = p_content_id;
  IF NOT FOUND THEN PERFORM private.fail('GWNFD', format('No case for content %s.', p_content_id)); END IF;
  -- The worker's runner holds this lock (a session lock, src/core/agent/case-lock.ts) while it advances the
  -- case: an edit waits for a run in flight instead of landing in its middle (the run would then project the
  -- old text's analysis over the edit). Taken before the row lock, as the runner does.
  PERFORM pg_advisory_xact_lock(hashtext('case:' || v_id::text));
  SELECT * INTO before FROM cases x WHERE x.id = v_id FOR UPDATE;
  IF before.text = p_text THEN
    RETURN jsonb_build_object('outcome', 'unchanged', 'case', private.case_json(before));
  END IF;
  IF before.author_id IS DISTINCT FROM p_author_id THEN
    RETURN jsonb_build_object('outcome', 'other_author', 'case', private.case_json(before));
  END IF;
  IF p_submitted_at < coalesce(before.text_submitted_at, before.submitted_at) THEN
    RETURN jsonb_build_object('outcome', 'stale', 'case', private.case_json(before));
  END IF;
  decided := before.last_decision IS NOT NULL OR before.status IN ('executing', 'actioned', 'reversing', 'closed');
  UPDATE cases x
     SET text = p_text, text_submitted_at = p_submitted_at, text_edits = x.text_edits + 1, text_edited_at = now(),
         version = x.version + 1, updated_at = now(),
         edited_after_decision_at = CASE WHEN decided THEN now() ELSE x.edited_after_decision_at END,
         -- not decided yet: analysed again, from the start, like new content
         status = CASE WHEN decided THEN x.status ELSE 'analyzing' END,
         interrupt_id = CASE WHEN decided THEN x.interrupt_id END,
         analysis_attempts = CASE WHEN decided THEN x.analysis_attempts ELSE 0 END,
         failure_reason = CASE WHEN decided THEN x.failure_reason END,
         sla_due_at = CASE WHEN decided THEN x.sla_due_at END
   WHERE x.id = v_id
  RETURNING * INTO c;
  PERFORM private.append_audit(c.id, 'content.edited', 'platform', 'ingest',
    jsonb_build_object('contentId', c.content_id, 'edit', c.text_edits, 'submittedAt', p_submitted_at,
                       'previousText', before.text, 'chars', length(p_text), 'previousStatus', before.status,
                       'afterDecision', decided, 'reanalysis', NOT decided)
    || CASE WHEN before.last_decision IS NULL THEN '{}'::jsonb
            ELSE jsonb_build_object('decision', before.last_decision->>'decision', 'decidedBy', before.last_decision->>'actor',
                                    'decidedAt', before.last_decision->>'at') END);
  RETURN jsonb_build_object('outcome', CASE WHEN decided THEN 'edited_after_decision' ELSE 'edited' END, 'case', private.case_json(c));
END $$;
COMMENT ON FUNCTION worker.edit_content(text, text, text, timestamptz) IS
  'Record an edited post (content.submitted with another text for a known contentId); re-analyse it unless decided.';
GRANT EXECUTE ON FUNCTION worker.edit_content(text, text, text, timestamptz) TO guardian_worker;
