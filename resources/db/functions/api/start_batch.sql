-- A supervisor starts a batch (issue 14, bulk actions): a decision over many cases ('decide') or the undo
-- of one of their batches ('undo'). Records the batch and its audit event; the cases then go one by one
-- through api.decide_case / api.rollback_case with the command id 'bulk:<batch id>:<case id>', which only
-- this batch's supervisor may use (private.check_batch_command). A moderator is refused (GWFRB) here and
-- at every case. Returns the batch; the same id again returns it unchanged (idempotent retry).
CREATE OR REPLACE FUNCTION api.start_batch(
  p_batch_id text,
  p_kind text,
  p_case_count int,
  p_reason text,
  p_decision text DEFAULT NULL,
  p_undoes text DEFAULT NULL,
  p_tool text DEFAULT 'api'
) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  me     moderators := private.require_person();
  reason text := private.check_reason(p_reason);
  b      batches;
  target batches;
BEGIN
  PERFORM private.check_command_fields('batch:' || coalesce(p_batch_id, ''), p_tool);
  IF NOT private.has_role('supervisor') THEN
    PERFORM private.fail('GWFRB', 'Bulk actions need a supervisor or an admin.');
  END IF;
  IF p_batch_id IS NULL OR p_batch_id !~ '^[A-Za-z0-9_-]{8,40}$' THEN
    PERFORM private.fail('GWINV', 'batchId: 8 to 40 letters, digits, - or _');
  END IF;
  IF p_kind IS NULL OR p_kind NOT IN ('decide', 'undo') THEN
    PERFORM private.fail('GWINV', 'kind: must be decide or undo');
  END IF;
  IF p_case_count IS NULL OR p_case_count NOT BETWEEN 1 AND 1000 THEN
    PERFORM private.fail('GWINV', 'caseCount: 1 to 1000 cases');
  END IF;
  IF p_kind = 'decide' AND (p_decision IS NULL OR p_decision NOT IN ('approve', 'warn', 'remove')) THEN
    PERFORM private.fail('GWINV', 'decision: a batch may approve, warn or remove');
  END IF;
  IF p_kind = 'undo' THEN
    SELECT * INTO target FROM batches WHERE id = p_undoes;
    IF target.id IS NULL OR target.kind <> 'decide' THEN
      PERFORM private.fail('GWINV', 'undoes: no such decision batch');
    END IF;
  END IF;
  SELECT * INTO b FROM batches WHERE id = p_batch_id;
  IF b.id IS NOT NULL THEN
    IF b.created_by <> me.id THEN
      PERFORM private.fail('GWCON', format('Batch %s belongs to %s.', b.id, b.created_by));
    END IF;
    RETURN jsonb_build_object('batchId', b.id, 'duplicate', true);
  END IF;
  INSERT INTO batches (id, kind, decision, reason, undoes, case_count, created_by)
  VALUES (p_batch_id, p_kind, CASE WHEN p_kind = 'decide' THEN p_decision END, reason,
          CASE WHEN p_kind = 'undo' THEN p_undoes END, p_case_count, me.id)
  RETURNING * INTO b;
  PERFORM private.append_audit(NULL, 'batch.started', me.id, p_tool,
    jsonb_strip_nulls(jsonb_build_object('batchId', b.id, 'kind', b.kind, 'decision', b.decision, 'reason', b.reason,
                                         'undoes', b.undoes, 'caseCount', b.case_count)));
  RETURN jsonb_build_object('batchId', b.id, 'duplicate', false);
END $$;
COMMENT ON FUNCTION api.start_batch(text, text, int, text, text, text, text) IS
  'Start a bulk decision over many cases, or the undo of one, as the logged-in supervisor or admin.';
GRANT EXECUTE ON FUNCTION api.start_batch(text, text, int, text, text, text, text) TO guardian_moderator;
