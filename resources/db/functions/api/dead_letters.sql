-- The dead letters, for admins (issue 15): persons hold no privilege on the table, and these refuse anyone
-- but an admin (GWFRB). p_state: 'pending' (the default), 'replayed', 'discarded' or NULL for all; newest
-- first, at most p_limit (1 to 1000). Each row with the first 512 bytes of its body (base64).
CREATE OR REPLACE FUNCTION api.dead_letters(p_state text DEFAULT 'pending', p_limit int DEFAULT 200) RETURNS jsonb
  LANGUAGE plpgsql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
  PERFORM private.require_person();
  IF NOT private.has_role('admin') THEN PERFORM private.fail('GWFRB', 'Dead letters are for admins.'); END IF;
  IF p_state IS NOT NULL AND p_state NOT IN ('pending', 'replayed', 'discarded') THEN
    PERFORM private.fail('GWINV', 'state: must be pending, replayed or discarded');
  END IF;
  IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 1000 THEN PERFORM private.fail('GWINV', 'limit: must be 1 to 1000'); END IF;
  RETURN coalesce((SELECT jsonb_agg(private.dead_letter_json(d, false) ORDER BY d.id DESC)
                     FROM (SELECT * FROM dead_letters WHERE p_state IS NULL OR state = p_state ORDER BY id DESC LIMIT p_limit) d), '[]');
END $$;
COMMENT ON FUNCTION api.dead_letters(text, int) IS 'The dead letters (newest first), for admins.';
GRANT EXECUTE ON FUNCTION api.dead_letters(text, int) TO guardian_moderator;

-- One dead letter with its whole stored body (base64) and headers, for admins; GWNFD when there is none.
CREATE OR REPLACE FUNCTION api.dead_letter(p_id bigint) RETURNS jsonb
  LANGUAGE plpgsql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  d dead_letters;
BEGIN
  PERFORM private.require_person();
  IF NOT private.has_role('admin') THEN PERFORM private.fail('GWFRB', 'Dead letters are for admins.'); END IF;
  SELECT * INTO d FROM dead_letters WHERE id = p_id;
  IF NOT FOUND THEN PERFORM private.fail('GWNFD', format('No dead letter %s.', p_id)); END IF;
  RETURN private.dead_letter_json(d, true);
END $$;
COMMENT ON FUNCTION api.dead_letter(bigint) IS 'One dead letter with its body and headers, for admins.';
GRANT EXECUTE ON FUNCTION api.dead_letter(bigint) TO guardian_moderator;
