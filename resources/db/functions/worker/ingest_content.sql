-- content.submitted (the platform's, relayed by the worker): one case per contentId, with its audit event.
-- Returns { created: true, case } for a new case; for a known contentId, worker.edit_content's answer
-- { created: false, outcome, case } (unchanged | stale | other_author | edited | edited_after_decision).
CREATE OR REPLACE FUNCTION worker.ingest_content(
  p_case_id uuid,
  p_content_id text,
  p_author_id text,
  p_text text,
  p_url text,
  p_reported_by text,
  p_report_reason text,
  p_priority text,
  p_submitted_at timestamptz
) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  c cases;
BEGIN
  IF p_priority IS NULL OR p_priority NOT IN ('normal', 'urgent') THEN PERFORM private.fail('GWINV', 'priority: must be normal or urgent'); END IF;
  INSERT INTO cases (id, content_id, author_id, text, url, reported_by, report_reason, priority, submitted_at, status)
  VALUES (p_case_id, p_content_id, p_author_id, p_text, p_url, p_reported_by, p_report_reason, p_priority, p_submitted_at, 'analyzing')
  ON CONFLICT (content_id) DO NOTHING
  RETURNING * INTO c;
  IF FOUND THEN
    PERFORM private.append_audit(c.id, 'case.created', 'platform', 'ingest',
      jsonb_build_object('contentId', p_content_id, 'authorId', p_author_id, 'priority', p_priority, 'reportedBy', p_reported_by));
    RETURN jsonb_build_object('created', true, 'case', private.case_json(c));
  END IF;
  -- The contentId has a case: a redelivery, a duplicate or an edited post. Decided here, in the same call
  -- (issue 16: one round trip per message instead of two), by worker.edit_content.
  RETURN worker.edit_content(p_content_id, p_author_id, p_text, p_submitted_at) || jsonb_build_object('created', false);
END $$;
COMMENT ON FUNCTION worker.ingest_content(uuid, text, text, text, text, text, text, text, timestamptz) IS
  'Create the case for a content.submitted message (once per contentId); a known contentId is handed to worker.edit_content.';
GRANT EXECUTE ON FUNCTION worker.ingest_content(uuid, text, text, text, text, text, text, text, timestamptz) TO guardian_worker;
