-- The worker takes each message from guardian.dead into dead_letters (issue 15) and acks it only after this
-- commits. The same delivery again (a crash between the commit and the ack redelivers it) matches its pending
-- row by fingerprint and only counts as seen again. Returns { id, new }.
CREATE OR REPLACE FUNCTION worker.record_dead_letter(
  p_fingerprint text,
  p_reason text,
  p_source_queue text,
  p_routing_key text,
  p_message_id text,
  p_content_type text,
  p_body bytea,
  p_body_bytes bigint,
  p_body_truncated boolean,
  p_body_sha256 text,
  p_headers jsonb,
  p_attempts int,
  p_replays int
) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  r record;
BEGIN
  INSERT INTO dead_letters AS x (fingerprint, reason, source_queue, routing_key, message_id, content_type, body, body_bytes,
                                 body_truncated, body_sha256, headers, attempts, replays)
  VALUES (p_fingerprint, left(coalesce(p_reason, 'unknown'), 2000), left(p_source_queue, 255), left(p_routing_key, 255),
          left(p_message_id, 255), left(p_content_type, 255), p_body, p_body_bytes, coalesce(p_body_truncated, false), p_body_sha256,
          coalesce(p_headers, '{}'), coalesce(p_attempts, 0), coalesce(p_replays, 0))
  ON CONFLICT (fingerprint) WHERE state = 'pending'
  DO UPDATE SET times_seen = x.times_seen + 1, last_seen = now()
  RETURNING x.id, (xmax = 0) AS inserted INTO r;
  RETURN jsonb_build_object('id', r.id, 'new', r.inserted);
END $$;
COMMENT ON FUNCTION worker.record_dead_letter(text, text, text, text, text, text, bytea, bigint, boolean, text, jsonb, int, int) IS
  'Record a message taken from guardian.dead (idempotent per delivery).';
GRANT EXECUTE ON FUNCTION worker.record_dead_letter(text, text, text, text, text, text, bytea, bigint, boolean, text, jsonb, int, int) TO guardian_worker;

-- After the worker published a requested replay (confirmed by the broker): the dead letter is replayed, the
-- replay is audited (dead_letter.replayed, by the worker, naming who asked), and the admin's command is
-- applied once none of its dead letters is left to replay. A second call changes nothing (returns false).
CREATE OR REPLACE FUNCTION worker.dead_letter_replayed(p_id bigint) RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  d dead_letters;
BEGIN
  UPDATE dead_letters SET state = 'replayed', done_by = replay_requested_by, done_at = now()
   WHERE id = p_id AND state = 'pending' AND replay_requested_at IS NOT NULL
  RETURNING * INTO d;
  IF NOT FOUND THEN RETURN false; END IF;
  PERFORM private.append_audit(NULL, 'dead_letter.replayed', 'worker', 'agent',
    jsonb_build_object('commandId', d.replay_command_id, 'deadLetterId', d.id, 'requestedBy', d.replay_requested_by,
                       'sourceQueue', d.source_queue, 'routingKey', d.routing_key, 'replay', d.replays + 1));
  UPDATE commands SET status = 'applied', applied_at = now()
   WHERE id = d.replay_command_id AND status = 'accepted'
     AND NOT EXISTS (SELECT 1 FROM dead_letters l WHERE l.replay_command_id = d.replay_command_id AND l.state = 'pending');
  RETURN true;
END $$;
COMMENT ON FUNCTION worker.dead_letter_replayed(bigint) IS 'Mark a requested replay as carried out (after the broker confirmed it).';
GRANT EXECUTE ON FUNCTION worker.dead_letter_replayed(bigint) TO guardian_worker;
