-- An analysis job for a case: counts the attempt when the case is still being analysed and returns the row.
-- A case in any other state is returned unchanged: the job was only a hint. Unknown case: no row.
CREATE OR REPLACE FUNCTION worker.begin_analysis(p_case_id uuid) RETURNS SETOF cases
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
  RETURN QUERY UPDATE cases x SET analysis_attempts = x.analysis_attempts + 1
                WHERE x.id = p_case_id AND x.status = 'analyzing' RETURNING x.*;
  IF NOT FOUND THEN
    RETURN QUERY SELECT * FROM cases x WHERE x.id = p_case_id;
  END IF;
END $$;
COMMENT ON FUNCTION worker.begin_analysis(uuid) IS 'Count an analysis attempt of a case still being analysed; return the case.';
GRANT EXECUTE ON FUNCTION worker.begin_analysis(uuid) TO guardian_worker;
