-- The calling person's own wellbeing settings (issue 15): the categories shown blurred until revealed and
-- the break suggestion point (NULL: the installation's default). A person with no row gets the defaults.
-- There is no way to read another person's: the person comes from the login.
CREATE OR REPLACE FUNCTION api.my_wellbeing() RETURNS jsonb
  LANGUAGE plpgsql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  me moderators := private.require_person();
  w  wellbeing_settings;
BEGIN
  SELECT * INTO w FROM wellbeing_settings WHERE person_id = me.id;
  RETURN jsonb_build_object('personId', me.id, 'hiddenCategories', to_jsonb(coalesce(w.hidden_categories, '{}'::text[])),
                            'breakAfter', w.break_after, 'updatedAt', w.updated_at);
END $$;
COMMENT ON FUNCTION api.my_wellbeing() IS 'The logged-in person''s own wellbeing settings (blurred categories, break suggestion).';
GRANT EXECUTE ON FUNCTION api.my_wellbeing() TO guardian_moderator;
