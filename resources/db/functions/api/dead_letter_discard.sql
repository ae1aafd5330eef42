-- An admin discards dead letters (issue 15): they leave the pending list at once (kept as 'discarded' with
-- who and when). See private.dead_letter_request for idempotency, what is skipped, the audit and refusals.
CREATE OR REPLACE FUNCTION api.dead_letter_discard(
  p_ids bigint[],
  p_command_id text,
  p_tool text DEFAULT 'api'
) RETURNS jsonb
  LANGUAGE sql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
  SELECT private.dead_letter_request('discard', p_ids, p_command_id, p_tool)
$$;
COMMENT ON FUNCTION api.dead_letter_discard(bigint[], text, text) IS 'Discard dead letters, as an admin.';
GRANT EXECUTE ON FUNCTION api.dead_letter_discard(bigint[], text, text) TO guardian_moderator;
