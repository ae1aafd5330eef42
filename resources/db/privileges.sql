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
GRANT USAGE ON SCHEMA api TO guardian_moderator, guardian_role_manager;
GRANT CREATE ON SCHEMA api, private TO guardian_role_manager;
GRANT USAGE ON SCHEMA worker TO guardian_worker;

-- Functions execute only where a file grants it (PostgreSQL grants EXECUTE to PUBLIC by default).
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA private, api, worker FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE guardian_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE guardian_role_manager REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

-- Tables: start from nothing, then grant.
REVOKE ALL ON TABLE moderators, cases, commands, actions, audit_events, audit_heads, platform_sim_actions,
                    guardian_migrations, checkpoints, checkpoint_blobs, checkpoint_writes, checkpoint_migrations,
                    private.installation, private.applied_functions
  FROM PUBLIC, guardian_moderator, guardian_supervisor, guardian_admin, guardian_worker, guardian_role_manager;

GRANT SELECT ON TABLE moderators, cases, commands, actions, audit_events, audit_heads, guardian_migrations
  TO guardian_moderator;

GRANT SELECT ON TABLE cases, commands, actions, guardian_migrations, checkpoint_migrations TO guardian_worker;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE checkpoints, checkpoint_blobs, checkpoint_writes TO guardian_worker;
-- The built-in simulator is "the platform" of standalone mode, demos and tests.
GRANT SELECT, INSERT ON TABLE platform_sim_actions TO guardian_worker;

-- The role manager keeps the people table beside the logins it creates.
GRANT SELECT, INSERT, UPDATE ON TABLE moderators TO guardian_role_manager;
