-- Row-level security (DESIGN §10: where a role may see only part of a table), re-applied by every
-- `guardian setup` after the functions it calls. The owner (and so every command function) bypasses it.

-- A moderator sees their own commands (the outbox checks where they stand); supervisors, admins and the
-- worker see all of them. (SELECT …) makes each check an init plan, evaluated once per query.
ALTER TABLE commands ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS commands_read ON commands;
CREATE POLICY commands_read ON commands FOR SELECT
  USING (actor = (SELECT private.current_person_id())
         OR (SELECT private.has_role('supervisor'))
         OR (SELECT private.has_role('worker')));
