/**
 * Bulk actions (issue 14) as real logins: api.start_batch and the 'bulk:<batch>:…' command ids, and the core's
 * bulk job (src/core/services/bulk.ts) over a supervisor's own connection. Every case goes through the normal
 * command path (api.decide_case / api.rollback_case with its own command id and expected version); a
 * moderator's login is refused by the database up front (api.start_batch) and per case (a bulk: id), and one
 * supervisor cannot send commands under another's batch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../src/core/log.js';
import { createBulk } from '../../../../src/core/services/bulk.js';
import { createCommandClient } from '../../../../src/core/services/commands.js';
import { GuardianError } from '../../../../src/core/errors.js';
import type { BulkJob } from '../../../../src/shared/bulk.js';
import type { CommandRequest } from '../../../../src/shared/commands.js';
import { waitFor } from '../../../support/isolation.js';
import { api, awaitingReview, caseRow, carryOutRemove, cmdId, createFixture, decide, errorOf, rolledBack, type Actor, type Fixture } from './support.js';

let f: Fixture;
beforeAll(async () => {
  f = await createFixture();
});
afterAll(async () => {
  await f?.drop();
});

const batchId = () => `b${cmdId('').replace(/-/g, '').slice(0, 20)}`;
const start = (who: Actor, id: string, args: Record<string, unknown> = {}) =>
  api<{ batchId: string; duplicate: boolean }>(who, 'start_batch', { p_batch_id: id, p_kind: 'decide', p_case_count: 2, p_reason: 'spam wave', p_decision: 'remove', ...args });

/** The core's bulk job on `who`'s own connection; `before` runs before each command is sent (to race it). */
function bulkFor(who: Actor, before?: (cmd: CommandRequest) => Promise<void>) {
  const commands = createCommandClient({ db: who.pool, logger: silentLogger, claimMinutes: 15, publishJob: async () => {} });
  const progress: BulkJob[] = [];
  const execute = async (c: CommandRequest) => {
    await before?.(c);
    return commands.execute(c);
  };
  const bulk = createBulk({ db: who.pool, logger: silentLogger, tool: 'ui', personId: who.id, execute, onProgress: (j) => progress.push(j), settleMs: 5_000 });
  return { bulk, progress };
}

describe('api.start_batch and bulk: command ids', () => {
  it('records a supervisor\'s batch with its audit event; the same id again is a duplicate', async () => {
    const id = batchId();
    expect(await start(f.people.sup1, id)).toEqual({ batchId: id, duplicate: false });
    expect(await start(f.people.sup1, id)).toEqual({ batchId: id, duplicate: true });
    const { rows } = await f.inst.dba(`SELECT kind, decision, created_by, case_count FROM batches WHERE id = $1`, [id]);
    expect(rows).toEqual([{ kind: 'decide', decision: 'remove', created_by: 'sup-1', case_count: 2 }]);
    const audit = await f.inst.dba(`SELECT actor, payload FROM audit_events WHERE type = 'batch.started' AND payload->>'batchId' = $1`, [id]);
    expect(audit.rows).toEqual([{ actor: 'sup-1', payload: { batchId: id, kind: 'decide', decision: 'remove', reason: 'spam wave', caseCount: 2 } }]);
  });

  it('refuses a moderator\'s login up front (GWFRB), recording nothing', async () => {
    const id = batchId();
    expect((await errorOf(start(f.people.mod1, id))).code).toBe('GWFRB');
    expect((await f.inst.dba(`SELECT 1 FROM batches WHERE id = $1`, [id])).rows).toEqual([]);
  });

  it('refuses a bulk: command id per case to a moderator, and to a supervisor who did not start the batch', async () => {
    const id = batchId();
    await start(f.people.sup1, id);
    const c = await awaitingReview(f);
    const before = await caseRow(f, c.id);
    for (const who of [f.people.mod1, f.people.sup2]) {
      const e = await errorOf(api(who, 'decide_case', { p_case_id: c.id, p_command_id: `bulk:${id}:${c.id}`, p_decision: 'remove', p_reason: 'riding along' }));
      expect(e.code).toBe('GWFRB');
    }
    // A batch that does not exist is no way around it either.
    const e = await errorOf(api(f.people.sup1, 'decide_case', { p_case_id: c.id, p_command_id: `bulk:nosuchbatch1:${c.id}`, p_decision: 'remove', p_reason: 'x-x-x' }));
    expect(e.code).toBe('GWFRB');
    expect(await caseRow(f, c.id)).toMatchObject({ status: before.status, version: before.version });
  });
});

describe('the core bulk job', () => {
  it('previews, runs each case through api.decide_case (claimed and decided ones skipped with why), then undoes by rollbacks', async () => {
    const [a, b, claimed, decided] = [await awaitingReview(f), await awaitingReview(f), await awaitingReview(f), await awaitingReview(f)];
    expect((await api(f.people.mod2, 'claim_case', { p_case_id: claimed.id, p_command_id: cmdId('claim'), p_minutes: 15 })).outcome).toBe('applied');
    await decide(f, f.people.mod1, decided.id, 'approve');
    const { bulk, progress } = bulkFor(f.people.sup1);
    const sel = { caseIds: [a.id, b.id, claimed.id, decided.id], decision: 'remove' as const };

    const p = await bulk.preview(sel);
    expect([p.eligible, p.skipped]).toEqual([2, 2]);
    expect(p.items.map((i) => i.skip)).toEqual([null, null, 'claimed', 'not_awaiting']);
    expect(p.items[2]!.message).toMatch(/claimed by someone else \(mod-2\)/);

    const id = batchId();
    await bulk.run({ ...sel, batchId: id, reason: 'spam wave' });
    await waitFor(() => bulk.get(id).state === 'finished', { timeoutMs: 20_000 });
    const job = bulk.get(id);
    expect(job.items.map((i) => i.outcome)).toEqual(['done', 'done', 'skipped', 'skipped']);
    expect(job.items[2]!.message).toMatch(/claimed/);
    expect(progress.length).toBeGreaterThanOrEqual(4);
    expect(progress.at(-1)).toMatchObject({ state: 'finished', done: 2, skipped: 2, failed: 0, processed: 4 });
    // The normal command path: a decide command per case, by sup-1, with the version the preview saw.
    const cmds = await f.inst.dba(`SELECT id, case_id::text, actor, type, expected_version FROM commands WHERE id LIKE $1 ORDER BY id`, [`bulk:${id}:%`]);
    expect(cmds.rows).toHaveLength(2);
    for (const r of cmds.rows) {
      expect(r).toMatchObject({ id: `bulk:${id}:${r.case_id}`, actor: 'sup-1', type: 'decide' });
      expect(r.expected_version).toBe(p.items.find((i) => i.caseId === r.case_id)!.version);
    }
    expect(await caseRow(f, claimed.id)).toMatchObject({ status: 'awaiting_review', claimed_by: 'mod-2' });

    // The worker carries the removals out; then the batch is undone through api.rollback_case.
    for (const c of [a, b]) await carryOutRemove(f, c.id, `bulk:${id}:${c.id}`);
    const undoId = batchId();
    await bulk.undo({ batchId: undoId, undoes: id, reason: 'wrong wave' });
    await waitFor(() => bulk.get(undoId).state === 'finished', { timeoutMs: 20_000 });
    expect(bulk.get(undoId)).toMatchObject({ kind: 'undo', done: 2, skipped: 0, failed: 0, total: 2 });
    for (const c of [a, b]) expect(await caseRow(f, c.id)).toMatchObject({ status: 'reversing', level: 2, last_command_id: `bulk:${undoId}:${c.id}` });
  });

  it('previews four-eyes and level-2 skips; a case changed after the preview is the database\'s conflict, reported per case', async () => {
    const mine = await rolledBack(f, f.people.sup1, f.people.sup2); // sup-1 decided it: four-eyes for sup-1
    const other = await rolledBack(f, f.people.mod1, f.people.sup2); // level 2: not for a moderator
    const moved = await awaitingReview(f);
    expect((await bulkFor(f.people.sup1).bulk.preview({ caseIds: [mine.id, other.id], decision: 'approve' })).items.map((i) => i.skip)).toEqual(['four_eyes', null]);
    expect((await bulkFor(f.people.mod2).bulk.preview({ caseIds: [other.id], decision: 'approve' })).items.map((i) => i.skip)).toEqual(['level2']);

    // The job decides with the version its own preview read; mod-2 decides one case meanwhile (between the
    // preview and that case's command), so that case's answer is the database's refusal, not a silent skip.
    const { bulk } = bulkFor(f.people.sup1, async (cmd) => {
      if (cmd.caseId === moved.id) await decide(f, f.people.mod2, moved.id, 'warn');
    });
    const id = batchId();
    await bulk.run({ caseIds: [other.id, moved.id], decision: 'approve', batchId: id, reason: 'second look' });
    await waitFor(() => bulk.get(id).state === 'finished', { timeoutMs: 20_000 });
    const job = bulk.get(id);
    expect(job.items.map((i) => i.outcome)).toEqual(['done', 'skipped']);
    expect(job.items[1]!.message).toMatch(/^conflict: .*(changed since you saw it|not awaiting review)/);
    // The refusal is recorded as the database records any refused command (rejected, with its batch id).
    const { rows } = await f.inst.dba(`SELECT status, actor FROM commands WHERE id = $1`, [`bulk:${id}:${moved.id}`]);
    expect(rows).toEqual([{ status: 'rejected', actor: 'sup-1' }]);
  });

  it('a moderator\'s session cannot run a batch: the database refuses it before any case', async () => {
    const c = await awaitingReview(f);
    const { bulk } = bulkFor(f.people.mod1);
    const err = await bulk.run({ caseIds: [c.id], decision: 'remove', batchId: batchId(), reason: 'I am no supervisor' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GuardianError);
    expect((err as GuardianError).code).toBe('forbidden');
    expect(await caseRow(f, c.id)).toMatchObject({ status: 'awaiting_review' });
  });
});
