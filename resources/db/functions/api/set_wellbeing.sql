-- A person sets their OWN wellbeing settings (issue 15): which sensitive categories are shown blurred until
-- revealed (violence, self_harm, sexual, hate) and after how many sensitive cases a session suggests a
-- break (NULL: the installation's default; 0: never). The person is the login's: p_person_id, when given,
-- must name that person — anyone else's is refused (GWFRB), recorded and audited like every refusal.
-- Idempotent by command id (the same id again returns the stored outcome, marked duplicate). Audited as
-- wellbeing.settings { commandId, from, to } on the global stream. Not gated by the minimum client
-- version: protecting oneself must not wait for an update.
CREATE OR REPLACE FUNCTION api.set_wellbeing(
  p_command_id text,
  p_hidden_categories text[],
  p_break_after int DEFAULT NULL,
  p_person_id text DEFAULT NULL,
  p_tool text DEFAULT 'api'
) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  me       moderators := private.person();
  actor    text := coalesce(me.id, session_user::text);
  hidden   text[];
  payload  jsonb;
  p        commands;
  before   wellbeing_settings;
  result   jsonb;
  sqlstate_ text; message_ text; detail_ text;
BEGIN
  PERFORM private.check_command_fields(p_command_id, p_tool);
  IF p_hidden_categories IS NULL THEN PERFORM private.fail('GWINV', 'hiddenCategories: required (an empty list shows everything)'); END IF;
  IF EXISTS (SELECT 1 FROM unnest(p_hidden_categories) x WHERE x IS NULL OR x NOT IN ('violence', 'self_harm', 'sexual', 'hate')) THEN
    PERFORM private.fail('GWINV', 'hiddenCategories: each must be violence, self_harm, sexual or hate');
  END IF;
  IF p_break_after IS NOT NULL AND p_break_after NOT BETWEEN 0 AND 1000 THEN
    PERFORM private.fail('GWINV', 'breakAfter: 0 to 1000 cases (0: never suggest a break)');
  END IF;
  SELECT array_agg(DISTINCT x ORDER BY x) INTO hidden FROM unnest(p_hidden_categories) x;
  hidden := coalesce(hidden, '{}');
  payload := jsonb_build_object('personId', coalesce(p_person_id, me.id), 'hiddenCategories', to_jsonb(hidden), 'breakAfter', p_break_after);

  SELECT * INTO p FROM commands WHERE id = p_command_id;
  IF FOUND THEN
    IF p.type <> 'wellbeing' OR p.case_id IS NOT NULL OR p.actor <> actor OR p.payload <> payload THEN
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
    IF p_person_id IS NOT NULL AND p_person_id <> me.id THEN
      PERFORM private.fail('GWFRB', format('%s may change only their own wellbeing settings, not %s''s.', me.id, p_person_id));
    END IF;
    SELECT * INTO before FROM wellbeing_settings WHERE person_id = me.id FOR UPDATE;
    INSERT INTO wellbeing_settings AS w (person_id, hidden_categories, break_after, updated_at)
    VALUES (me.id, hidden, p_break_after, now())
    ON CONFLICT (person_id) DO UPDATE SET hidden_categories = EXCLUDED.hidden_categories, break_after = EXCLUDED.break_after, updated_at = now();
    result := jsonb_build_object('outcome', 'applied', 'duplicate', false, 'personId', me.id,
                                 'hiddenCategories', to_jsonb(hidden), 'breakAfter', p_break_after, 'updatedAt', now());
    INSERT INTO commands (id, type, case_id, actor, tool, payload, status, result, applied_at)
    VALUES (p_command_id, 'wellbeing', NULL, me.id, p_tool, payload, 'applied', result, now());
    PERFORM private.append_audit(NULL, 'wellbeing.settings', me.id, p_tool, jsonb_build_object('commandId', p_command_id,
      'from', jsonb_build_object('hiddenCategories', to_jsonb(coalesce(before.hidden_categories, '{}'::text[])), 'breakAfter', before.break_after),
      'to', jsonb_build_object('hiddenCategories', to_jsonb(hidden), 'breakAfter', p_break_after)));
    RETURN result;
  EXCEPTION WHEN SQLSTATE 'GWCON' OR SQLSTATE 'GWFRB' THEN
    GET STACKED DIAGNOSTICS sqlstate_ = RETURNED_SQLSTATE, message_ = MESSAGE_TEXT, detail_ = PG_EXCEPTION_DETAIL;
    RETURN private.reject(p_command_id, 'wellbeing', NULL, actor, p_tool, NULL, payload, sqlstate_, message_, detail_);
  END;
END $$;
COMMENT ON FUNCTION api.set_wellbeing(text, text[], int, text, text) IS
  'Set the logged-in person''s own wellbeing settings (blurred categories, break suggestion point).';
GRANT EXECUTE ON FUNCTION api.set_wellbeing(text, text[], int, text, text) TO guardian_moderator;
