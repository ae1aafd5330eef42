-- Bulk actions (issue 14): a command id 'bulk:<batch id>:…' is a case of a batch. Only a supervisor who
-- started that batch (api.start_batch) may send one; anyone else is refused (GWFRB) before the command runs.
CREATE OR REPLACE FUNCTION private.check_batch_command(p_command_id text) RETURNS void
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  batch_id text;
  owner_   text;
BEGIN
  IF p_command_id IS NULL OR p_command_id !~* '^\s*bulk:' THEN RETURN; END IF;
  batch_id := split_part(btrim(p_command_id), ':', 2);
  IF NOT private.has_role('supervisor') THEN
    PERFORM private.fail('GWFRB', 'Bulk actions need a supervisor or an admin.');
  END IF;
  SELECT b.created_by INTO owner_ FROM batches b WHERE b.id = batch_id;
  IF owner_ IS NULL OR owner_ IS DISTINCT FROM private.current_person_id() THEN
    PERFORM private.fail('GWFRB', format('commandId: %s is not a batch you started.', batch_id));
  END IF;
END $$;
COMMENT ON FUNCTION private.check_batch_command(text) IS
  'Refuses a bulk: command id unless the session''s person is a supervisor who started that batch.';
