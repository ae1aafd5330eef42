-- Row-level security (DESIGN §10: where a role may see only part of a table), re-applied by every
-- `guardian setup` after the functions it calls. The owner (and so every command function) bypasses it.

-- A moderator sees their own commands (the outbox checks where they stand); supervisors, admins and the
-- worker see all of them. The role part is decided when the query is planned (TO …), so the worker and
-- supervisors pay no function call per query; (SELECT …) makes the moderator's check an init plan.
ALTER TABLE commands ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS commands_read ON commands;
DROP POLICY IF EXISTS commands_read_all ON commands;
DROP POLICY IF EXISTS commands_read_own ON commands;
CREATE POLICY commands_read_all ON commands FOR SELECT TO guardian_supervisor, guardian_worker USING (true);
CREATE POLICY commands_read_own ON commands FOR SELECT TO guardian_moderator
  USING (actor = (SELECT private.current_person_id()));
