-- Raises one of the registered errors (src/core/store/db-errors.ts is the one table of them):
--   GWINV invalid input · GWNFD not found · GWCON conflict · GWFRB forbidden
-- details (jsonb) travel in the error's DETAIL field as JSON text.
CREATE OR REPLACE FUNCTION private.fail(p_code text, p_message text, p_details jsonb DEFAULT NULL) RETURNS void
  LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = p_code, MESSAGE = p_message, DETAIL = coalesce(p_details::text, '');
END $$;
COMMENT ON FUNCTION private.fail(text, text, jsonb) IS 'Raises a registered Guardian error (GWINV, GWNFD, GWCON, GWFRB) with JSON details.';
GRANT EXECUTE ON FUNCTION private.fail(text, text, jsonb) TO guardian_role_manager;
