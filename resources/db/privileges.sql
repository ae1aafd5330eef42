-- Who may touch what (DESIGN §10), re-applied by every `guardian setup` after the migrations and before
-- the functions (whose files grant EXECUTE each); policies.sql follows the functions. Role names are written guardian_*; setup maps them to the installation's prefix.
-- test/db/privileges.test.ts asserts the resulting matrix as data.
--
-- Persons read what the UI needs and change nothing directly: every change is a command function
-- (schema api, SECURITY DEFINER, owned by guardian_owner). The worker reads what the agent needs, writes
-- only LangGraph's checkpoint tables and the simulator's table, and records everything else through the
-- worker functions. Nobody but the owner may TRUNCATE, ALTER, DISABLE TRIGGER or GRANT.

-- The database: connect as a member of a group, nothing for PUBLIC (no temporary tables either).
DO $$
BEGIN
  EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO guardian_moderator, guardian_worker', current_database());
END $$;

REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON SCHEMA private, api, worker FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO guardian_moderator, guardian_worker, guardian_role_manager;
GRANT USAGE ON SCHEMA private TO guardian_moderator, guardian_worker, guardian_role_manager;
-- The worker may call the one api function granted to it (change_watermark: an app provisioned as a worker lists cases).
GRANT USAGE ON SCHEMA api TO guardian_moderator, guardian_worker, guardian_role_manager;
GRANT CREATE ON SCHEMA api, private TO guardian_role_manager;
GRANT USAGE ON SCHEMA worker TO guardian_worker;

-- Functions execute only where a file grants it (PostgreSQL grants EXECUTE to PUBLIC by default).
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA private, api, worker FROM PUBLIC;
-- and the migrations' trigger functions in public (only the owner's: other functions there are not ours).
DO $$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace AND p.proowner = 'guardian_owner'::regrole
  LOOP
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
  END LOOP;
END $$;
ALTER DEFAULT PRIVILEGES FOR ROLE guardian_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE guardian_role_manager REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

-- Tables: start from nothing, then grant.
REVOKE ALL ON TABLE moderators, cases, commands, actions, statements, audit_events, audit_heads, platform_sim_actions,
                    guardian_migrations, checkpoints, checkpoint_blobs, checkpoint_writes, checkpoint_migrations,
                    wellbeing_settings, private.installation, private.applied_functions, dead_letters, case_presence, batches, reason_templates, saved_views
  FROM PUBLIC, guardian_moderator, guardian_supervisor, guardian_admin, guardian_worker, guardian_role_manager;

GRANT SELECT ON TABLE moderators, cases, commands, actions, statements, audit_events, audit_heads, guardian_migrations, batches
  TO guardian_moderator;

GRANT SELECT ON TABLE cases, commands, actions, statements, guardian_migrations, checkpoint_migrations TO guardian_worker;
-- Dead letters (issue 15): the worker reads the replays to carry out; it writes only through worker.* functions.
-- Persons hold nothing on the table: admins read it through api.dead_letters / api.dead_letter.
GRANT SELECT ON TABLE dead_letters TO guardian_worker;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE checkpoints, checkpoint_blobs, checkpoint_writes TO guardian_worker;
-- The built-in simulator is "the platform" of standalone mode, demos and tests.
GRANT SELECT, INSERT ON TABLE platform_sim_actions TO guardian_worker;

-- wellbeing_settings (issue 15): nobody's login reads or writes it; a person reads and sets only their own
-- through api.my_wellbeing / api.set_wellbeing.
-- case_presence (issue 14): likewise nobody's; a person touches only their own presence through
-- api.touch_presence and reads everyone's unexpired presence through api.presence.
-- reason_templates (issue 14): likewise; read through api.reason_templates (team + own), written through
-- api.save_reason_template / api.delete_reason_template.
-- saved_views (issue 14): likewise; read through api.saved_views (team + own), written through
-- api.save_view / api.delete_view.

-- The role manager keeps the people table beside the logins it creates.
GRANT SELECT, INSERT, UPDATE ON TABLE moderators TO guardian_role_manager;

-- Advisory locks need no privilege by default, so any login could take the lock the worker serialises a
-- case's work with (or the event relay's leader lock) and keep it: the worker would wait for ever. In this
-- database only the worker (and the owner's functions) may take them. Changing a pg_catalog function's
-- privileges needs a superuser; a DBA who is not one gets a warning (see README, trust model).
DO $$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
            WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.proname ~ '^pg_(try_)?advisory_'
  LOOP
    EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO guardian_worker, guardian_owner', f);
  END LOOP;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE WARNING 'advisory locks stay open to every login (needs a superuser): a person could hold back the worker';
END $$;
