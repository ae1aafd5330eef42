-- The saved views of the queue the calling person may use (issue 14): the team's and their own, team first,
-- then by name. Nobody reads another person's own views: the person comes from the login.
CREATE OR REPLACE FUNCTION api.saved_views() RETURNS jsonb
  LANGUAGE plpgsql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  me moderators := private.require_person();
BEGIN
  RETURN coalesce((
    SELECT jsonb_agg(jsonb_build_object('id', v.id, 'scope', CASE WHEN v.owner_id IS NULL THEN 'team' ELSE 'own' END,
                                        'name', v.name, 'filters', v.filters, 'sort', v.sort,
                                        'createdBy', v.created_by, 'updatedAt', v.updated_at)
                     ORDER BY v.owner_id IS NOT NULL, lower(v.name))
    FROM saved_views v
    WHERE v.owner_id IS NULL OR v.owner_id = me.id), '[]'::jsonb);
END $$;
COMMENT ON FUNCTION api.saved_views() IS 'The team''s saved views of the queue and the logged-in person''s own.';
GRANT EXECUTE ON FUNCTION api.saved_views() TO guardian_moderator;
