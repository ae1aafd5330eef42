-- A review's SLA window in minutes, from the case's priority and severity. p_targets (the worker's
-- GUARDIAN_SLA_TARGETS, src/core/config.ts) may name minutes for "urgent" and for each severity; what it
-- does not name follows p_base (GUARDIAN_SLA_MINUTES): urgent a quarter of it, critical a half (rounded
-- up), every other severity (or none yet) the whole of it.
CREATE OR REPLACE FUNCTION private.sla_minutes(p_base int, p_priority text, p_severity text, p_targets jsonb DEFAULT NULL)
  RETURNS int
  LANGUAGE sql IMMUTABLE
  SET search_path = pg_catalog, pg_temp
AS $$
  SELECT greatest(1, coalesce(
    (p_targets ->> CASE WHEN p_priority = 'urgent' THEN 'urgent' ELSE coalesce(p_severity, 'none') END)::int,
    CASE WHEN p_priority = 'urgent' THEN ceil(p_base / 4.0)::int
         WHEN p_severity = 'critical' THEN ceil(p_base / 2.0)::int
         ELSE p_base END))
$$;
COMMENT ON FUNCTION private.sla_minutes(int, text, text, jsonb) IS 'A review''s SLA window in minutes from priority, severity and the configured targets.';
