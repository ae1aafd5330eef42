-- Creates (p_template_id NULL) or changes a reason template (issue 14). Scope 'own': the caller's own, which
-- only they change; scope 'team': the team's, which only supervisors and admins create or change. Changing
-- another person's own template is refused for everyone (GWFRB), recorded and audited like every refusal.
-- Idempotent by command id. Audited as template.saved { commandId, templateId, scope, from, to } on the
-- global stream.
CREATE OR REPLACE FUNCTION api.save_reason_template(
  p_command_id text,
  p_scope text,
  p_title text,
  p_body text,
  p_category text DEFAULT NULL,
  p_template_id bigint DEFAULT NULL,
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
  before   reason_templates;
  after    reason_templates;
  result   jsonb;
  sqlstate_ text; message_ text; detail_ text;
BEGIN
  PERFORM private.check_command_fields(p_command_id, p_tool);
  IF p_scope IS NULL OR p_scope NOT IN ('own', 'team') THEN PERFORM private.fail('GWINV', 'scope: must be own or team'); END IF;
  IF p_title IS NULL OR length(btrim(p_title)) NOT BETWEEN 1 AND 80 THEN PERFORM private.fail('GWINV', 'title: 1 to 80 characters'); END IF;
  IF p_body IS NULL OR length(btrim(p_body)) NOT BETWEEN 1 AND 2000 THEN PERFORM private.fail('GWINV', 'body: 1 to 2000 characters'); END IF;
  IF p_category IS NOT NULL AND p_category NOT IN ('harassment', 'hate', 'violence', 'sexual', 'self_harm', 'spam', 'personal_data') THEN
    PERFORM private.fail('GWINV', 'category: a policy category or none');
  END IF;
  payload := jsonb_build_object('templateId', p_template_id, 'scope', p_scope, 'title', btrim(p_title), 'body', btrim(p_body), 'category', p_category);

  SELECT * INTO p FROM commands WHERE id = p_command_id;
  IF FOUND THEN
    IF p.type <> 'template' OR p.case_id IS NOT NULL OR p.actor <> actor OR p.payload <> payload THEN
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
      PERFORM private.fail('GWFRB', format('%s may not change the team''s reason templates (supervisors and admins do).', me.id));
    END IF;
    IF p_template_id IS NOT NULL THEN
      SELECT * INTO before FROM reason_templates WHERE id = p_template_id FOR UPDATE;
      IF NOT FOUND THEN PERFORM private.fail('GWFRB', format('There is no reason template %s.', p_template_id)); END IF;
      IF before.owner_id IS NOT NULL AND before.owner_id <> me.id THEN
        PERFORM private.fail('GWFRB', format('%s may change only their own reason templates, not %s''s.', me.id, before.owner_id));
      END IF;
      IF (before.owner_id IS NULL) <> (p_scope = 'team') THEN
        PERFORM private.fail('GWFRB', format('Reason template %s is a %s template.', p_template_id, CASE WHEN before.owner_id IS NULL THEN 'team' ELSE 'personal' END));
      END IF;
      IF before.owner_id IS NULL AND NOT private.has_role('supervisor') THEN
        PERFORM private.fail('GWFRB', format('%s may not change the team''s reason templates (supervisors and admins do).', me.id));
      END IF;
      UPDATE reason_templates SET title = btrim(p_title), body = btrim(p_body), category = p_category, updated_at = now()
      WHERE id = p_template_id RETURNING * INTO after;
    ELSE
      IF EXISTS (SELECT 1 FROM reason_templates WHERE coalesce(owner_id, '') = CASE WHEN p_scope = 'team' THEN '' ELSE me.id END
                 AND lower(title) = lower(btrim(p_title))) THEN
        PERFORM private.fail('GWCON', format('A %s template titled "%s" already exists.', p_scope, btrim(p_title)));
      END IF;
      INSERT INTO reason_templates (owner_id, title, body, category, created_by)
      VALUES (CASE WHEN p_scope = 'own' THEN me.id END, btrim(p_title), btrim(p_body), p_category, me.id)
      RETURNING * INTO after;
    END IF;
    result := jsonb_build_object('outcome', 'applied', 'duplicate', false, 'template', jsonb_build_object(
      'id', after.id, 'scope', p_scope, 'title', after.title, 'body', after.body, 'category', after.category,
      'createdBy', after.created_by, 'updatedAt', after.updated_at));
    INSERT INTO commands (id, type, case_id, actor, tool, payload, status, result, applied_at)
    VALUES (p_command_id, 'template', NULL, me.id, p_tool, payload, 'applied', result, now());
    PERFORM private.append_audit(NULL, 'template.saved', me.id, p_tool, jsonb_build_object('commandId', p_command_id,
      'templateId', after.id, 'scope', p_scope,
      'from', CASE WHEN before.id IS NULL THEN NULL ELSE jsonb_build_object('title', before.title, 'body', before.body, 'category', before.category) END,
      'to', jsonb_build_object('title', after.title, 'body', after.body, 'category', after.category)));
    RETURN result;
  EXCEPTION WHEN SQLSTATE 'GWCON' OR SQLSTATE 'GWFRB' THEN
    GET STACKED DIAGNOSTICS sqlstate_ = RETURNED_SQLSTATE, message_ = MESSAGE_TEXT, detail_ = PG_EXCEPTION_DETAIL;
    RETURN private.reject(p_command_id, 'template', NULL, actor, p_tool, NULL, payload, sqlstate_, message_, detail_);
  END;
END $$;
COMMENT ON FUNCTION api.save_reason_template(text, text, text, text, text, bigint, text) IS
  'Create or change a reason template: one''s own, or (supervisors, admins) the team''s. Audited.';
GRANT EXECUTE ON FUNCTION api.save_reason_template(text, text, text, text, text, bigint, text) TO guardian_moderator;
