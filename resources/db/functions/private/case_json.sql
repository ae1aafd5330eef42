-- A case as a command function returns it: every column but the analysis, the text cut to a preview,
-- and whether the claim is active (database time, so every workstation agrees on lease expiry).
CREATE OR REPLACE FUNCTION private.case_json(c public.cases) RETURNS jsonb
  LANGUAGE sql STABLE
  SET search_path = pg_catalog, pg_temp
AS $$
  SELECT (to_jsonb(c) - 'analysis' - 'text')
         || jsonb_build_object('text', left(c.text, 200),
                               'claim_active', (c.claim_until IS NOT NULL AND c.claim_until > now()))
$$;
COMMENT ON FUNCTION private.case_json(public.cases) IS 'A case summary as the command functions return it.';

-- " It was decided by X (d) at T." for conflict messages, or ''.
CREATE OR REPLACE FUNCTION private.describe_last(c public.cases) RETURNS text
  LANGUAGE sql STABLE
  SET search_path = pg_catalog, pg_temp
AS $$
  SELECT CASE WHEN c.last_decision IS NULL THEN ''
              ELSE format(' It was decided by %s (%s) at %s.', c.last_decision->>'actor', c.last_decision->>'decision',
                          c.last_decision->>'at') END
$$;

CREATE OR REPLACE FUNCTION private.conflict_details(c public.cases) RETURNS jsonb
  LANGUAGE sql STABLE
  SET search_path = pg_catalog, pg_temp
AS $$
  SELECT jsonb_build_object('caseId', c.id, 'status', c.status, 'version', c.version, 'lastDecision', c.last_decision)
$$;
