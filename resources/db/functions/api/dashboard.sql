-- The supervisor dashboard's series over a window (24h: hourly buckets; 7d, 30d: daily; UTC), aggregated
-- here so the workstation reads a few hundred numbers, not the cases. Supervisors and admins only.
--
-- Definitions (README "Supervisor dashboard"):
-- * a review is the span from a case's `review.requested` audit event to its next decision, appeal
--   decision, new review or outcome event; the backlog at a bucket's end is the reviews open then, and the
--   SLA breaches those open longer than p_sla_minutes (urgent: a quarter of it, as worker.sync_review sets
--   sla_due_at). The history comes from the audit log because sla_due_at holds only the current due time.
-- * intake: cases created in the bucket, by violation_type ('pending' while not analysed yet).
-- * automatic: of those, settled by the agent alone (auto_resolved with no decision, or the agent's own
--   action); reviewed: sent to a person (review_kind set); the rest (analysing, failed) is 'other'.
-- * agreement: applied first-level human decisions (escalations not counted) equal to the AI's suggested
--   action, by the command's time; appeals: applied appeal decisions, overturned or not (metrics-repo.ts).
-- * per moderator: applied decide and appeal_decide commands in the window; the handling time runs from
--   the person's latest claim of the case (after the case's previous decision) to the decision; decisions
--   without such a claim count in throughput only.
CREATE OR REPLACE FUNCTION api.dashboard(p_window text DEFAULT '7d', p_sla_minutes int DEFAULT 60) RETURNS jsonb
  LANGUAGE plpgsql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
  -- Compiling the plan (JIT) costs seconds for a statement that runs in milliseconds on its indexes.
  SET jit = off
AS $$
DECLARE
  me moderators := private.require_person();
  step interval;
  n int;
  to_at timestamptz;
  from_at timestamptz;
  result jsonb;
BEGIN
  IF NOT private.has_role('supervisor') THEN
    PERFORM private.fail('GWFRB', 'The dashboard is for supervisors and admins.');
  END IF;
  IF p_window IS NULL OR p_window NOT IN ('24h', '7d', '30d') THEN
    PERFORM private.fail('GWINV', 'window: 24h, 7d or 30d', '{"field": "window"}');
  END IF;
  IF p_sla_minutes IS NULL OR p_sla_minutes < 1 OR p_sla_minutes > 10080 THEN
    PERFORM private.fail('GWINV', 'slaMinutes: 1 to 10080', '{"field": "slaMinutes"}');
  END IF;
  step := CASE p_window WHEN '24h' THEN interval '1 hour' ELSE interval '1 day' END;
  n := CASE p_window WHEN '24h' THEN 24 WHEN '7d' THEN 7 ELSE 30 END;
  -- Whole buckets in UTC; the last one is the current, partial one.
  to_at := date_trunc(CASE p_window WHEN '24h' THEN 'hour' ELSE 'day' END, now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + step;
  from_at := to_at - n * step;

  WITH buckets AS (
    SELECT i, from_at + i * step AS b_start, from_at + (i + 1) * step AS b_end,
           least(from_at + (i + 1) * step, now()) AS at
      FROM generate_series(0, n - 1) AS i),
  ends(t) AS (VALUES ('decision.made'), ('appeal.decided'), ('review.requested'), ('case.failed'),
                     ('case.auto_resolved'), ('case.actioned'), ('case.closed')),
  -- The reviews that may be open at some point of the window: begun in it, ended in it, or open now. Each
  -- is found by index (audit_created_idx, audit_case_idx, the queue index) and never joined back to the
  -- whole audit log: the start event's columns come along.
  starts AS MATERIALIZED (
    SELECT a.id, a.case_id, a.created_at FROM audit_events a WHERE a.type = 'review.requested' AND a.created_at >= from_at
    UNION
    SELECT s.id, s.case_id, s.created_at
      FROM audit_events e,
           LATERAL (SELECT x.id, x.case_id, x.created_at FROM audit_events x
                     WHERE x.case_id = e.case_id AND x.type = 'review.requested' AND x.id < e.id ORDER BY x.id DESC LIMIT 1) s
     WHERE e.type IN (SELECT t FROM ends) AND e.created_at >= from_at AND e.case_id IS NOT NULL
    UNION
    SELECT s.id, s.case_id, s.created_at
      FROM cases c,
           LATERAL (SELECT x.id, x.case_id, x.created_at FROM audit_events x
                     WHERE x.case_id = c.id AND x.type = 'review.requested' ORDER BY x.id DESC LIMIT 1) s
     WHERE c.status = 'awaiting_review'),
  spans AS MATERIALIZED (
    SELECT st.case_id, st.created_at AS start_at,
           (SELECT c.priority FROM cases c WHERE c.id = st.case_id) AS priority,
           (SELECT e.created_at FROM audit_events e
             WHERE e.case_id = st.case_id AND e.id > st.id AND e.type IN (SELECT t FROM ends)
             ORDER BY e.id LIMIT 1) AS end_at
      FROM starts st),
  backlog AS (
    SELECT b.i,
           count(sp.case_id)::int AS backlog,
           count(sp.case_id) FILTER (WHERE b.at > sp.start_at + make_interval(mins =>
             CASE WHEN sp.priority = 'urgent' THEN ceil(p_sla_minutes / 4.0)::int ELSE p_sla_minutes END))::int AS breached
      FROM buckets b
      LEFT JOIN spans sp ON sp.start_at <= b.at AND (sp.end_at IS NULL OR sp.end_at > b.at)
     GROUP BY b.i),
  created AS (
    SELECT floor(extract(epoch FROM c.created_at - from_at) / extract(epoch FROM step))::int AS i,
           coalesce(c.violation_type, 'pending') AS category,
           CASE WHEN (c.status = 'auto_resolved' AND c.last_decision IS NULL) OR c.last_decision->>'actor' = 'agent' THEN 'automatic'
                WHEN c.review_kind IS NOT NULL THEN 'reviewed'
                ELSE 'other' END AS outcome
      FROM cases c WHERE c.created_at >= from_at AND c.created_at < to_at),
  outcomes AS (
    SELECT i, count(*)::int AS intake,
           count(*) FILTER (WHERE outcome = 'automatic')::int AS automatic,
           count(*) FILTER (WHERE outcome = 'reviewed')::int AS reviewed,
           count(*) FILTER (WHERE outcome = 'other')::int AS other
      FROM created GROUP BY i),
  decisions AS (
    SELECT floor(extract(epoch FROM cm.created_at - from_at) / extract(epoch FROM step))::int AS i,
           count(*)::int AS decided,
           count(*) FILTER (WHERE cm.payload->>'decision' = sg.suggested)::int AS agreed
      FROM commands cm,
           -- the case by its key, one per decision (a hash join would read every case)
           LATERAL (SELECT c.analysis->>'suggestedAction' AS suggested FROM cases c WHERE c.id = cm.case_id) sg
     WHERE cm.type = 'decide' AND cm.status = 'applied' AND cm.created_at >= from_at AND cm.created_at < to_at
       AND cm.payload->'context'->>'reviewKind' = 'initial' AND cm.payload->>'decision' <> 'escalate'
       AND sg.suggested IS NOT NULL
     GROUP BY 1),
  appeals AS (
    SELECT floor(extract(epoch FROM cm.created_at - from_at) / extract(epoch FROM step))::int AS i,
           count(*)::int AS decided,
           count(*) FILTER (WHERE cm.payload->>'outcome' = 'overturn')::int AS overturned
      FROM commands cm
     WHERE cm.type = 'appeal_decide' AND cm.status = 'applied' AND cm.created_at >= from_at AND cm.created_at < to_at
     GROUP BY 1),
  handled AS (
    SELECT cm.actor,
           extract(epoch FROM cm.created_at - (
             SELECT max(cl.created_at) FROM commands cl
              WHERE cl.case_id = cm.case_id AND cl.type = 'claim' AND cl.status = 'applied' AND cl.actor = cm.actor
                AND cl.created_at <= cm.created_at
                AND cl.created_at > coalesce((SELECT max(p.created_at) FROM commands p
                                               WHERE p.case_id = cm.case_id AND p.type IN ('decide', 'appeal_decide')
                                                 AND p.status = 'applied' AND p.created_at < cm.created_at), '-infinity'))
           )::float8 AS seconds
      FROM commands cm
     WHERE cm.type IN ('decide', 'appeal_decide') AND cm.status = 'applied' AND cm.created_at >= from_at AND cm.created_at < to_at),
  people AS (
    SELECT h.actor, count(*)::int AS decisions, count(h.seconds)::int AS timed,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY h.seconds) AS median,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY h.seconds) AS p90
      FROM handled h GROUP BY h.actor),
  categories AS (
    SELECT category, count(*)::int AS count FROM created GROUP BY category)
  SELECT jsonb_build_object(
    'window', p_window,
    'bucket', CASE p_window WHEN '24h' THEN 'hour' ELSE 'day' END,
    'from', to_char(from_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
    'to', to_char(to_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
    'asOf', private.now_text(),
    'slaMinutes', p_sla_minutes,
    'buckets', (SELECT jsonb_agg(jsonb_build_object(
        'start', to_char(b.b_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
        'backlog', bl.backlog, 'slaBreached', bl.breached,
        'intake', coalesce(o.intake, 0), 'automatic', coalesce(o.automatic, 0), 'reviewed', coalesce(o.reviewed, 0),
        'other', coalesce(o.other, 0),
        'decided', coalesce(d.decided, 0), 'agreed', coalesce(d.agreed, 0),
        'agreement', CASE WHEN d.decided > 0 THEN d.agreed::float8 / d.decided END,
        'appealsDecided', coalesce(ap.decided, 0), 'overturned', coalesce(ap.overturned, 0),
        'overturnRate', CASE WHEN ap.decided > 0 THEN ap.overturned::float8 / ap.decided END) ORDER BY b.i)
      FROM buckets b JOIN backlog bl ON bl.i = b.i
      LEFT JOIN outcomes o ON o.i = b.i LEFT JOIN decisions d ON d.i = b.i LEFT JOIN appeals ap ON ap.i = b.i),
    'categories', coalesce((SELECT jsonb_agg(jsonb_build_object('category', category, 'count', count) ORDER BY count DESC, category)
                              FROM categories), '[]'::jsonb),
    'moderators', coalesce((SELECT jsonb_agg(jsonb_build_object(
        'actor', p.actor, 'displayName', coalesce(m.display_name, p.actor), 'decisions', p.decisions, 'timed', p.timed,
        'medianSeconds', p.median, 'p90Seconds', p.p90) ORDER BY p.decisions DESC, p.actor)
      FROM people p LEFT JOIN moderators m ON m.id = p.actor), '[]'::jsonb))
  INTO result;
  RETURN result;
END $$;
COMMENT ON FUNCTION api.dashboard(text, int) IS
  'The supervisor dashboard''s series over a window (24h, 7d, 30d): backlog and SLA breaches, intake by category, automatic vs reviewed, AI–human agreement, appeal overturns, per-moderator throughput and handling time.';
GRANT EXECUTE ON FUNCTION api.dashboard(text, int) TO guardian_supervisor;
