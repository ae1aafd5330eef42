-- appeal.submitted (the platform's): opens a level-2 appeal review of the case's carried-out decision;
-- whoever made it is excluded (four-eyes). The platform is the actor. Returns { outcome: opened |
-- duplicate | redelivered, caseId, case }; a redelivered appeal whose job may be lost is published again.
CREATE OR REPLACE FUNCTION worker.open_appeal(
  p_command_id text,
  p_content_id text,
  p_author_id text,
  p_reason text,
  p_submitted_at timestamptz
) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  c cases;
  prior commands;
BEGIN
  SELECT * INTO c FROM cases WHERE content_id = p_content_id FOR UPDATE;
  IF NOT FOUND THEN PERFORM private.fail('GWNFD', format('appeal for unknown contentId "%s"', p_content_id)); END IF;
  IF c.author_id <> p_author_id THEN
    PERFORM private.fail('GWINV', format('appeal authorId "%s" is not the author of content "%s"', p_author_id, p_content_id));
  END IF;
  SELECT * INTO prior FROM commands WHERE id = p_command_id;
  IF FOUND AND (prior.type <> 'appeal_open' OR prior.case_id IS DISTINCT FROM c.id) THEN
    -- Not this appeal seen before: acknowledging it as a duplicate would drop the appeal without a trace.
    PERFORM private.fail('GWCON', format('Command id %s was already used for a different command.', p_command_id));
  END IF;
  IF FOUND THEN
    RETURN jsonb_build_object('outcome', CASE WHEN prior.status = 'accepted' THEN 'redelivered' ELSE 'duplicate' END,
                              'caseId', c.id, 'case', private.case_json(c));
  END IF;
  IF c.status <> 'actioned' OR c.last_decision IS NULL OR c.last_decision->>'decision' = 'approve' THEN
    PERFORM private.fail('GWCON', format('Case %s is %s%s: there is no carried-out decision to appeal.', c.id, c.status,
      CASE WHEN c.last_decision IS NULL THEN '' ELSE format(' (last decision %s)', c.last_decision->>'decision') END));
  END IF;
  UPDATE cases
     SET status = 'executing', level = 2, review_kind = 'appeal', version = version + 1, last_command_id = p_command_id,
         updated_at = now(), excluded_deciders = array_append(excluded_deciders, c.last_decision->>'actor')
   WHERE id = c.id
  RETURNING * INTO c;
  INSERT INTO commands (id, type, case_id, actor, tool, payload, status)
  VALUES (p_command_id, 'appeal_open', c.id, 'platform', 'ingest',
          jsonb_build_object('reason', p_reason, 'submittedAt', p_submitted_at, 'authorId', p_author_id, 'appealed', c.last_decision),
          'accepted');
  PERFORM private.append_audit(c.id, 'appeal.opened', 'platform', 'ingest',
    jsonb_build_object('reason', p_reason, 'authorId', p_author_id, 'appealed', c.last_decision));
  RETURN jsonb_build_object('outcome', 'opened', 'caseId', c.id, 'case', private.case_json(c));
END $$;
COMMENT ON FUNCTION worker.open_appeal(text, text, text, text, timestamptz) IS 'Open the appeal review an appeal.submitted message asks for.';
GRANT EXECUTE ON FUNCTION worker.open_appeal(text, text, text, text, timestamptz) TO guardian_worker;
