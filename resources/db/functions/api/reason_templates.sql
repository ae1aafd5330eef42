-- The reason templates the calling person may use (issue 14): the team's and their own, team first, then by
-- title. Nobody reads another person's own templates: the person comes from the login.
CREATE OR REPLACE FUNCTION api.reason_templates() RETURNS jsonb
  LANGUAGE plpgsql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  me moderators := private.require_person();
BEGIN
  RETURN coalesce((
    SELECT jsonb_agg(jsonb_build_object('id', t.id, 'scope', CASE WHEN t.owner_id IS NULL THEN 'team' ELSE 'own' END,
                                        'title', t.title, 'body', t.body, 'category', t.category,
                                        'createdBy', t.created_by, 'updatedAt', t.updated_at)
                     ORDER BY t.owner_id IS NOT NULL, lower(t.title))
    FROM reason_templates t
    WHERE t.owner_id IS NULL OR t.owner_id = me.id), '[]'::jsonb);
END $$;
COMMENT ON FUNCTION api.reason_templates() IS 'The team''s reason templates and the logged-in person''s own.';
GRANT EXECUTE ON FUNCTION api.reason_templates() TO guardian_moderator;
