-- Creates (p_view_id NULL) or changes a saved view of the queue (issue 14): filters and sort under a name.
-- Scope 'own': the caller's own, which only they change; scope 'team': the team's, which only supervisors
-- and admins create or change. Changing another person's own view is refused for everyone (GWFRB), recorded
-- and audited like every refusal. Idempotent by command id. Audited as view.saved
-- { commandId, viewId, scope, from, to } on the global stream.
CREATE OR REPLACE FUNCTION api.save_view(
  p_command_id text,
  p_scope text,
  p_name text,
  p_filters jsonb,
  p_sort text,
  p_view_id bigint DEFAULT NULL,
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
  after    saved_views;
  result   jsonb;
  sqlstate_ text; message_ text; detail_ text;
BEGIN
  PERFORM private.check_command_fields(p_command_id, p_tool);
  IF p_scope IS NULL OR p_scope NOT IN ('own', 'team') THEN PERFORM private.fail('GWINV', 'scope: must be own or team'); END IF;
  IF p_name IS NULL OR length(btrim(p_name)) NOT BETWEEN 1 AND 80 THEN PERFORM private.fail('GWINV', 'name: 1 to 80 characters'); END IF;
  IF p_filters IS NULL OR jsonb_typeof(p_filters) <> 'object' OR length(p_filters::text) > 4000 THEN
    PERFORM private.fail('GWINV', 'filters: an object of at most 4000 characters');
  END IF;
  IF p_sort IS NULL OR p_sort NOT IN ('priority', 'waiting', 'severity') THEN PERFORM private.fail('GWINV', 'sort: priority, waiting or severity'); END IF;
  payload := jsonb_build_object('viewId', p_view_id, 'scope', p_scope, 'name', btrim(p_name), 'filters', p_filters, 'sort', p_sort);

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
    IF p_scope = 'team' AND NOT private.has_role('supervisor') THEN
      PERFORM private.fail('GWFRB', format('%s may not change the team''s saved views (supervisors and admins do).', me.id));
    END IF;
    IF p_view_id IS NOT NULL THEN
      SELECT * INTO before FROM saved_views WHERE id = p_view_id FOR UPDATE;
      IF NOT FOUND THEN PERFORM private.fail('GWFRB', format('There is no saved view %s.', p_view_id)); END IF;
      IF before.owner_id IS NOT NULL AND before.owner_id <> me.id THEN
        PERFORM private.fail('GWFRB', format('%s may change only their own saved views, not %s''s.', me.id, before.owner_id));
      END IF;
      IF (before.owner_id IS NULL) <> (p_scope = 'team') THEN
        PERFORM private.fail('GWFRB', format('Saved view %s is a %s view.', p_view_id, CASE WHEN before.owner_id IS NULL THEN 'team' ELSE 'personal' END));
      END IF;
      IF before.owner_id IS NULL AND NOT private.has_role('supervisor') THEN
        PERFORM private.fail('GWFRB', format('%s may not change the team''s saved views (supervisors and admins do).', me.id));
      END IF;
      UPDATE saved_views SET name = btrim(p_name), filters = p_filters, sort = p_sort, updated_at = now()
      WHERE id = p_view_id RETURNING * INTO after;
    ELSE
      IF EXISTS (SELECT 1 FROM saved_views WHERE coalesce(owner_id, '') = CASE WHEN p_scope = 'team' THEN '' ELSE me.id END
                 AND lower(name) = lower(btrim(p_name))) THEN
        PERFORM private.fail('GWCON', format('A %s view named "%s" already exists.', p_scope, btrim(p_name)));
      END IF;
      INSERT INTO saved_views (owner_id, name, filters, sort, created_by)
      VALUES (CASE WHEN p_scope = 'own' THEN me.id END, btrim(p_name), p_filters, p_sort, me.id)
      RETURNING * INTO after;
    END IF;
    result := jsonb_build_object('outcome', 'applied', 'duplicate', false, 'view', jsonb_build_object(
      'id', after.id, 'scope', p_scope, 'name', after.name, 'filters', after.filters, 'sort', after.sort,
      'createdBy', after.created_by, 'updatedAt', after.updated_at));
    INSERT INTO commands (id, type, case_id, actor, tool, payload, status, result, applied_at)
    VALUES (p_command_id, 'view', NULL, me.id, p_tool, payload, 'applied', result, now());
    PERFORM private.append_audit(NULL, 'view.saved', me.id, p_tool, jsonb_build_object('commandId', p_command_id,
      'viewId', after.id, 'scope', p_scope,
      'from', CASE WHEN before.id IS NULL THEN NULL ELSE jsonb_build_object('name', before.name, 'filters', before.filters, 'sort', before.sort) END,
      'to', jsonb_build_object('name', after.name, 'filters', after.filters, 'sort', after.sort)));
    RETURN result;
  EXCEPTION WHEN SQLSTATE 'GWCON' OR SQLSTATE 'GWFRB' THEN
    GET STACKED DIAGNOSTICS sqlstate_ = RETURNED_SQLSTATE, message_ = MESSAGE_TEXT, detail_ = PG_EXCEPTION_DETAIL;
    RETURN private.reject(p_command_id, 'view', NULL, actor, p_tool, NULL, payload, sqlstate_, message_, detail_);
  END;
END $$;
COMMENT ON FUNCTION api.save_view(text, text, text, jsonb, text, bigint, text) IS
  'Create or change a saved view of the queue: one''s own, or (supervisors, admins) the team''s. Audited.';
GRANT EXECUTE ON FUNCTION api.save_view(text, text, text, jsonb, text, bigint, text) TO guardian_moderator;
