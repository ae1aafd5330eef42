-- Deletes a saved view of the queue (issue 14): one's own, or (supervisors, admins) the team's; anyone else's is
-- refused (GWFRB), recorded and audited. Idempotent by command id. Audited as view.deleted
-- { commandId, viewId, scope, from } on the global stream.
CREATE OR REPLACE FUNCTION api.delete_view(
  p_command_id text,
  p_view_id bigint,
  p_tool text DEFAULT 'api'
) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  me       moderators := private.person();
  actor    text := coalesce(me.id, session_user::text);
  payload  jsonb;
  p        commands;
  before   saved_views;
  result   jsonb;
  sqlstate_ text; message_ text; detail_ text;
BEGIN
  PERFORM private.check_command_fields(p_command_id, p_tool);
  IF p_view_id IS NULL THEN PERFORM private.fail('GWINV', 'viewId: required'); END IF;
  payload := jsonb_build_object('viewId', p_view_id, 'delete', true);

  SELECT * INTO p FROM commands WHERE id = p_command_id;
  IF FOUND THEN
    IF p.type <> 'view' OR p.case_id IS NOT NULL OR p.actor <> actor OR p.payload <> payload THEN
      PERFORM private.fail('GWCON', format('Command id %s was already used for a different command.', p_command_id));
    END IF;
    IF p.status = 'rejected' THEN
      RETURN jsonb_build_object('outcome', 'rejected', 'duplicate', true,
        'error', (p.result->'error') || jsonb_build_object('details', coalesce(p.result->'error'->'details', '{}') || '{"duplicate": true}'));
    END IF;
    RETURN p.result || '{"duplicate": true}';
  END IF;

  BEGIN
    me := private.require_person();
    SELECT * INTO before FROM saved_views WHERE id = p_view_id FOR UPDATE;
    IF NOT FOUND THEN PERFORM private.fail('GWFRB', format('There is no saved view %s.', p_view_id)); END IF;
    IF before.owner_id IS NOT NULL AND before.owner_id <> me.id THEN
      PERFORM private.fail('GWFRB', format('%s may delete only their own saved views, not %s''s.', me.id, before.owner_id));
    END IF;
    IF before.owner_id IS NULL AND NOT private.has_role('supervisor') THEN
      PERFORM private.fail('GWFRB', format('%s may not change the team''s saved views (supervisors and admins do).', me.id));
    END IF;
    DELETE FROM saved_views WHERE id = p_view_id;
    result := jsonb_build_object('outcome', 'applied', 'duplicate', false, 'viewId', p_view_id);
    INSERT INTO commands (id, type, case_id, actor, tool, payload, status, result, applied_at)
    VALUES (p_command_id, 'view', NULL, me.id, p_tool, payload, 'applied', result, now());
    PERFORM private.append_audit(NULL, 'view.deleted', me.id, p_tool, jsonb_build_object('commandId', p_command_id,
      'viewId', p_view_id, 'scope', CASE WHEN before.owner_id IS NULL THEN 'team' ELSE 'own' END,
      'from', jsonb_build_object('name', before.name, 'filters', before.filters, 'sort', before.sort)));
    RETURN result;
  EXCEPTION WHEN SQLSTATE 'GWCON' OR SQLSTATE 'GWFRB' THEN
    GET STACKED DIAGNOSTICS sqlstate_ = RETURNED_SQLSTATE, message_ = MESSAGE_TEXT, detail_ = PG_EXCEPTION_DETAIL;
    RETURN private.reject(p_command_id, 'view', NULL, actor, p_tool, NULL, payload, sqlstate_, message_, detail_);
  END;
END $$;
COMMENT ON FUNCTION api.delete_view(text, bigint, text) IS
  'Delete a saved view of the queue: one''s own, or (supervisors, admins) the team''s. Audited.';
GRANT EXECUTE ON FUNCTION api.delete_view(text, bigint, text) TO guardian_moderator;
