-- The shared steps of api.dead_letter_replay and api.dead_letter_discard (issue 15). An admin's request on a
-- set of dead letters, idempotent by command id like the other command functions (the same id again returns
-- the stored outcome, marked duplicate, with the command's current status). Dead letters that are no longer
-- pending (already replayed or discarded), already asked to be replayed, or (replay only) whose body was cut
-- are skipped and named in the answer; an unknown id is refused whole (GWNFD, nothing recorded). A replay is
-- 'accepted' (the worker carries it out and the command becomes 'applied'); a discard is 'applied' at once.
-- Audited as dead_letter.replay_requested / dead_letter.discarded with what each dead letter was. A refusal
-- (not an admin) is recorded and audited (command.rejected) and returned as a value.
CREATE OR REPLACE FUNCTION private.dead_letter_request(p_action text, p_ids bigint[], p_command_id text, p_tool text)
  RETURNS jsonb
  LANGUAGE plpgsql
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  me       moderators := private.person();
  actor    text := coalesce(me.id, session_user::text);
  ctype    text := 'dead_letter_' || p_action;
  ids      bigint[];
  missing  bigint[];
  payload  jsonb;
  p        commands;
  d        dead_letters;
  acted    jsonb := '[]';
  acted_ids bigint[] := '{}';
  skipped  jsonb := '[]';
  status_  text;
  result   jsonb;
  sqlstate_ text; message_ text; detail_ text;
BEGIN
  PERFORM private.check_envelope(p_command_id, p_tool);
  IF p_action NOT IN ('replay', 'discard') THEN PERFORM private.fail('GWINV', 'action: must be replay or discard'); END IF;
  IF p_ids IS NULL OR cardinality(p_ids) = 0 THEN PERFORM private.fail('GWINV', 'ids: at least one dead letter id is required'); END IF;
  IF cardinality(p_ids) > 1000 THEN PERFORM private.fail('GWINV', 'ids: at most 1000 dead letters at once'); END IF;
  IF array_position(p_ids, NULL) IS NOT NULL THEN PERFORM private.fail('GWINV', 'ids: must not contain null'); END IF;
  ids := ARRAY(SELECT DISTINCT x FROM unnest(p_ids) x ORDER BY x);
  payload := jsonb_build_object('ids', to_jsonb(ids));
  -- Locked first (in id order, so two requests never deadlock): concurrent duplicates see each other's result.
  PERFORM 1 FROM dead_letters WHERE id = ANY (ids) ORDER BY id FOR UPDATE;

  SELECT * INTO p FROM commands WHERE id = p_command_id;
  IF FOUND THEN
    IF p.type <> ctype OR p.case_id IS NOT NULL OR p.actor <> actor OR p.payload <> payload THEN
      PERFORM private.fail('GWCON', format('Command id %s was already used for a different command.', p_command_id));
    END IF;
    IF p.status = 'rejected' THEN
      RETURN jsonb_build_object('outcome', 'rejected', 'duplicate', true,
        'error', (p.result->'error') || jsonb_build_object('details', coalesce(p.result->'error'->'details', '{}') || '{"duplicate": true}'));
    END IF;
    RETURN p.result || jsonb_build_object('duplicate', true, 'outcome', CASE WHEN p.status = 'applied' THEN 'applied' ELSE 'accepted' END);
  END IF;

  BEGIN
    me := private.require_person();
    IF NOT private.has_role('admin') THEN
      PERFORM private.fail('GWFRB', 'Dead letters are for admins: replaying or discarding one needs an admin.');
    END IF;
    missing := ARRAY(SELECT x FROM unnest(ids) x WHERE NOT EXISTS (SELECT 1 FROM dead_letters l WHERE l.id = x));
    IF cardinality(missing) > 0 THEN
      PERFORM private.fail('GWNFD', format('No dead letter %s.', array_to_string(missing, ', ')));
    END IF;
    FOR d IN SELECT * FROM dead_letters WHERE id = ANY (ids) ORDER BY id LOOP
      IF d.state <> 'pending' THEN
        skipped := skipped || jsonb_build_object('id', d.id, 'why', 'already ' || d.state);
      ELSIF d.replay_requested_at IS NOT NULL THEN
        skipped := skipped || jsonb_build_object('id', d.id, 'why', 'a replay is already on its way');
      ELSIF p_action = 'replay' AND d.body_truncated THEN
        skipped := skipped || jsonb_build_object('id', d.id, 'why', 'only an excerpt of its body was kept: it cannot be replayed');
      ELSE
        IF p_action = 'replay' THEN
          UPDATE dead_letters SET replay_requested_by = me.id, replay_requested_at = now(), replay_command_id = p_command_id WHERE id = d.id;
        ELSE
          UPDATE dead_letters SET state = 'discarded', done_by = me.id, done_at = now() WHERE id = d.id;
        END IF;
        acted_ids := acted_ids || d.id;
        acted := acted || jsonb_build_object('id', d.id, 'reason', d.reason, 'sourceQueue', d.source_queue, 'routingKey', d.routing_key,
                                             'messageId', d.message_id, 'bodyBytes', d.body_bytes);
      END IF;
    END LOOP;
    status_ := CASE WHEN p_action = 'replay' AND cardinality(acted_ids) > 0 THEN 'accepted' ELSE 'applied' END;
    result := jsonb_build_object('outcome', status_, 'duplicate', false, 'action', p_action, 'ids', to_jsonb(acted_ids), 'skipped', skipped);
    INSERT INTO commands (id, type, case_id, actor, tool, payload, status, result, applied_at)
    VALUES (p_command_id, ctype, NULL, me.id, p_tool, payload, status_, result, CASE WHEN status_ = 'applied' THEN now() END);
    PERFORM private.append_audit(NULL, CASE p_action WHEN 'replay' THEN 'dead_letter.replay_requested' ELSE 'dead_letter.discarded' END,
      me.id, p_tool, jsonb_build_object('commandId', p_command_id, 'deadLetters', acted, 'skipped', skipped));
    RETURN result;
  EXCEPTION WHEN SQLSTATE 'GWCON' OR SQLSTATE 'GWFRB' THEN
    GET STACKED DIAGNOSTICS sqlstate_ = RETURNED_SQLSTATE, message_ = MESSAGE_TEXT, detail_ = PG_EXCEPTION_DETAIL;
    RETURN private.reject(p_command_id, ctype, NULL, actor, p_tool, NULL, payload, sqlstate_, message_, detail_);
  END;
END $$;
COMMENT ON FUNCTION private.dead_letter_request(text, bigint[], text, text) IS
  'An admin''s replay or discard request on dead letters (the shared body of api.dead_letter_replay/discard).';

-- What a dead letter is, as the console and `guardian dead` show it. The list carries the first 512 bytes of
-- the body (the excerpt); one dead letter (p_whole) the whole stored body. Bodies travel as base64: a dead
-- letter's body need not be UTF-8.
CREATE OR REPLACE FUNCTION private.dead_letter_json(d public.dead_letters, p_whole boolean) RETURNS jsonb
  LANGUAGE sql STABLE
  SET search_path = pg_catalog, public, pg_temp
AS $$
  SELECT jsonb_build_object(
    'id', d.id, 'reason', d.reason, 'sourceQueue', d.source_queue, 'routingKey', d.routing_key,
    'messageId', d.message_id, 'contentType', d.content_type, 'bodyBytes', d.body_bytes, 'bodyTruncated', d.body_truncated,
    'bodySha256', d.body_sha256, 'attempts', d.attempts, 'replays', d.replays,
    'firstSeen', to_char(d.first_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'lastSeen', to_char(d.last_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'timesSeen', d.times_seen, 'state', d.state,
    'replayRequestedBy', d.replay_requested_by,
    'replayRequestedAt', to_char(d.replay_requested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'doneBy', d.done_by, 'doneAt', to_char(d.done_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
  || CASE WHEN p_whole THEN jsonb_build_object('body', encode(d.body, 'base64'), 'headers', d.headers, 'replayCommandId', d.replay_command_id)
          ELSE jsonb_build_object('excerpt', encode(substring(d.body FROM 1 FOR 512), 'base64')) END
$$;
