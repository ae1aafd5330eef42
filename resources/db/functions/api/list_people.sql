-- The people an admin manages (the People screen): every person, enabled or not, with their login and
-- their last activity — their newest audit event as actor. Every command, refusal and people change writes
-- one with the person's id as actor, so it is the one place that sees all of it; audit_actor_idx
-- (actor, id) makes that one backward index probe per person, however long the log.
-- Admins only: the same rule as the people commands (a moderator's screen never asks for it). Persons can
-- read the moderators and audit tables they need for their own work; this is the admin's view of them.
CREATE OR REPLACE FUNCTION api.list_people() RETURNS jsonb
  LANGUAGE plpgsql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
  PERFORM private.require_person();
  IF NOT private.has_role('admin') THEN PERFORM private.fail('GWFRB', 'Listing people needs an admin.'); END IF;
  RETURN coalesce((
    SELECT jsonb_agg(jsonb_build_object(
             'id', m.id, 'displayName', m.display_name, 'role', m.role, 'login', m.login, 'active', m.active,
             'createdAt', to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
             'disabledAt', to_char(m.disabled_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
             'lastActivity', CASE WHEN last.id IS NULL THEN NULL ELSE jsonb_build_object(
                               'at', to_char(last.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                               'type', last.type, 'caseId', last.case_id) END)
           ORDER BY m.id)
      FROM moderators m
      LEFT JOIN LATERAL (SELECT e.id, e.created_at, e.type, e.case_id FROM audit_events e
                          WHERE e.actor = m.id ORDER BY e.id DESC LIMIT 1) last ON true), '[]'::jsonb);
END $$;
COMMENT ON FUNCTION api.list_people() IS
  'Every person (enabled or not) with login, role and last activity (newest audit event as actor), as an admin.';
GRANT EXECUTE ON FUNCTION api.list_people() TO guardian_moderator;
