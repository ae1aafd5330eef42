-- An admin asks for dead letters to be replayed (issue 15): the worker publishes each stored body back to its
-- source (the ingest exchange with its routing key, or its work queue) with x-guardian-replays incremented
-- and a fresh attempt count, then marks it replayed. No desktop needs rights on guardian.dead for it. See
-- private.dead_letter_request for idempotency, what is skipped, the audit and refusals.
CREATE OR REPLACE FUNCTION api.dead_letter_replay(
  p_ids bigint[],
  p_command_id text,
  p_tool text DEFAULT 'api'
) RETURNS jsonb
  LANGUAGE sql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
  SELECT private.dead_letter_request('replay', p_ids, p_command_id, p_tool)
$$;
COMMENT ON FUNCTION api.dead_letter_replay(bigint[], text, text) IS 'Ask the worker to replay dead letters to their source, as an admin.';
GRANT EXECUTE ON FUNCTION api.dead_letter_replay(bigint[], text, text) TO guardian_moderator;
