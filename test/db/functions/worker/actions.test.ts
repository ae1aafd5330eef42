/**
 * resources/db/functions/worker/actions.sql: platform actions — worker.record_action, worker.note_action_error,
 * worker.finish_action, worker.record_not_reversible, and private.action_actor (covered through them). An
 * action belongs to a command the database accepted (or to the agent's own low-risk automatic decision,
 * `auto:<case>`); its audit events carry that command's actor, read by the database, not given by the worker.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  actioned, actionRows, agentDecision, audit, commandId, commandRow, decide, expectPeopleRefused, expectWorkerFunction, ingest,
  refusal, toReview, types, type WorkerWorld, workerWorld,
} from './support.js';

let w: WorkerWorld;
beforeAll(async () => {
  w = await workerWorld();
});
afterAll(() => w?.inst.drop());

const RECORD = `SELECT worker.record_action(p_action_id => $1, p_case_id => $2, p_command_id => $3, p_seq => $4, p_kind => $5,
  p_reason => $6, p_duration_hours => $7, p_reverses => $8) AS status`;
const NOTE = 'SELECT worker.note_action_error($1, $2)';
const FINISH = 'SELECT worker.finish_action($1, $2, $3, $4)';
const NOT_REVERSIBLE = 'SELECT worker.record_not_reversible($1, $2, $3, $4, $5, $6, $7) AS recorded';

const record = (caseId: string, cmd: string, kind: string, o: { id?: string; seq?: number; hours?: number; reverses?: string } = {}) =>
  w.worker.query(RECORD, [o.id ?? `${cmd}:${o.seq ?? 1}:${kind}`, caseId, cmd, o.seq ?? 1, kind, 'the reason', o.hours ?? null, o.reverses ?? null])
    .then((r) => r.rows[0].status as string | null);
const finish = (id: string, ok: boolean, error: string | null = null, details: object = { platform: 'sim' }) =>
  w.worker.query(FINISH, [id, ok, error, JSON.stringify(details)]);
const action = async (id: string) => (await w.inst.dba('SELECT * FROM actions WHERE id = $1', [id])).rows[0];

/** A case awaiting review that alice decided: its decide command is accepted. */
async function decided(decision: string, o: { durationHours?: number } = {}) {
  const c = await ingest(w);
  await toReview(w, c.caseId);
  const { commandId: cmd } = await decide(w.mod, c.caseId, decision, o);
  return { ...c, cmd };
}

describe('worker.record_action, note_action_error, finish_action', () => {
  it('records an accepted decision\'s actions as pending, for the command\'s actor, then audits their execution with that actor', async () => {
    const { caseId, cmd } = await decided('remove_and_ban', { durationHours: 24 });
    const events = (await audit(w, caseId)).length;
    expect(await record(caseId, cmd, 'remove_content', { seq: 1 })).toBe('pending');
    expect(await record(caseId, cmd, 'ban_user', { seq: 2, hours: 24 })).toBe('pending');
    const [remove, ban] = await actionRows(w, caseId);
    expect(remove).toMatchObject({
      id: `${cmd}:1:remove_content`, case_id: caseId, command_id: cmd, seq: 1, kind: 'remove_content', reason: 'the reason',
      duration_hours: null, reversible: true, reverses: null, status: 'pending', attempts: 1, last_error: null, executed_at: null, actor: 'alice',
    });
    expect(ban).toMatchObject({ kind: 'ban_user', duration_hours: 24, reversible: true, status: 'pending', actor: 'alice' });
    expect(await audit(w, caseId)).toHaveLength(events); // recorded before it is sent: nothing happened yet

    // A retry counts another attempt; a transient error is noted (at most 1000 characters), still pending.
    expect(await record(caseId, cmd, 'remove_content', { seq: 1 })).toBe('pending');
    await w.worker.query(NOTE, [remove.id, 'E'.repeat(1500)]);
    expect(await action(remove.id)).toMatchObject({ status: 'pending', attempts: 2 });
    expect((await action(remove.id)).last_error).toHaveLength(1000);

    await finish(remove.id, true, null, { platform: 'sim', alreadyDone: false, attempts: 2 });
    const done = await action(remove.id);
    expect(done).toMatchObject({ status: 'done', last_error: null, attempts: 2 });
    expect(done.executed_at).toBeInstanceOf(Date);
    expect((await audit(w, caseId)).slice(events)).toEqual([{
      seq: events + 1, type: 'action.executed', actor: 'alice', tool: 'agent', db_login: w.inst.workerLogin,
      payload: { actionId: remove.id, kind: 'remove_content', platform: 'sim', alreadyDone: false, attempts: 2 },
    }]);
  });

  it('an action carried out is not sent again, finished again, nor given an error', async () => {
    const { caseId, cmd } = await decided('remove');
    await record(caseId, cmd, 'remove_content');
    const id = `${cmd}:1:remove_content`;
    await finish(id, true);
    const done = await action(id);
    const events = (await audit(w, caseId)).length;
    expect(await record(caseId, cmd, 'remove_content')).toBeNull();
    await finish(id, false, 'late failure');
    await w.worker.query(NOTE, [id, 'late error']);
    expect(await action(id)).toEqual(done);
    expect(await audit(w, caseId)).toHaveLength(events);
  });

  it('a permanent failure is recorded and audited as action.failed with the error, and the action is not sent again', async () => {
    const { caseId, cmd } = await decided('warn');
    expect(await record(caseId, cmd, 'warn_user')).toBe('pending');
    const id = `${cmd}:1:warn_user`;
    expect(await action(id)).toMatchObject({ reversible: false });
    await finish(id, false, 'HTTP 403 forbidden');
    expect(await action(id)).toMatchObject({ status: 'failed', last_error: 'HTTP 403 forbidden', executed_at: null });
    expect((await audit(w, caseId)).at(-1)).toMatchObject({
      type: 'action.failed', actor: 'alice', tool: 'agent', payload: { actionId: id, kind: 'warn_user', error: 'HTTP 403 forbidden', platform: 'sim' },
    });
    expect(await record(caseId, cmd, 'warn_user')).toBeNull();
    expect(await action(id)).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('the platform\'s details do not override what the database knows about the action (its id and kind)', async () => {
    const { caseId, cmd } = await decided('warn');
    await record(caseId, cmd, 'warn_user');
    const id = `${cmd}:1:warn_user`;
    await finish(id, true, null, { platform: 'sim', kind: 'ban_user', actionId: 'forged-id' });
    const ev = (await audit(w, caseId)).at(-1)!;
    expect(ev.type).toBe('action.executed');
    expect(ev.payload).toMatchObject({ platform: 'sim' });
    expect({ actionId: ev.payload.actionId, kind: ev.payload.kind }, 'the audit must name the action that was carried out').toEqual({ actionId: id, kind: 'warn_user' });
  });
});

describe('refusals: only what the database accepted is carried out (GWFRB, nothing written)', () => {
  async function expectRefusedAction(caseId: string, cmd: string, kind: string, message: RegExp) {
    const events = (await audit(w, caseId)).length;
    const actions = (await actionRows(w, caseId)).length;
    const e = await refusal(record(caseId, cmd, kind, { id: `refused-${randomUUID()}` }), `record_action(${kind}) for command ${cmd}`);
    expect({ cmd, kind, code: e.code }).toEqual({ cmd, kind, code: 'GWFRB' });
    expect(e.message).toMatch(message);
    expect(await actionRows(w, caseId)).toHaveLength(actions);
    expect(await audit(w, caseId)).toHaveLength(events);
  }

  it('a command that was never accepted: unknown, rejected, failed, or not a decision (a claim)', async () => {
    const { caseId } = await ingest(w);
    // Refused: the case is still being analysed, so alice's decision is recorded as rejected.
    const { commandId: rejected } = await decide(w.mod, caseId, 'remove_and_ban', { expect: 'rejected' });
    expect(await commandRow(w, rejected)).toMatchObject({ status: 'rejected', case_id: caseId });
    await toReview(w, caseId);
    const claim = commandId('claim');
    expect((await w.mod.query(`SELECT api.claim_case($1, $2, 15, 'cli') AS r`, [caseId, claim])).rows[0].r.outcome).toBe('applied');
    const { commandId: failed } = await decide(w.mod, caseId, 'remove');
    await w.worker.query('SELECT * FROM worker.fail_case($1, $2, $3)', [caseId, 'gave up', failed]);
    expect(await commandRow(w, failed)).toMatchObject({ status: 'failed' });

    for (const cmd of ['never-accepted-123', rejected, failed, claim]) {
      await expectRefusedAction(caseId, cmd, 'ban_user', /^no accepted command .* on case /);
    }
    const e = await refusal(w.worker.query(NOT_REVERSIBLE, ['nr-1', caseId, 'never-accepted-123', 1001, 'warn_user', 'r', null]));
    expect(e.code).toBe('GWFRB');
  });

  it('another case\'s accepted command', async () => {
    const mine = await decided('remove');
    const theirs = await decided('remove_and_ban');
    await expectRefusedAction(mine.caseId, theirs.cmd, 'ban_user', /^no accepted command /);
    await expectRefusedAction(mine.caseId, `auto:${theirs.caseId}`, 'remove_content', /^no accepted command /);
  });

  it('an agent ban, or any agent action on a case a person is deciding', async () => {
    const analysing = await ingest(w);
    for (const kind of ['ban_user', 'unban_user', 'restore_content']) {
      await expectRefusedAction(analysing.caseId, `auto:${analysing.caseId}`, kind, new RegExp(`^the agent may not ${kind} without a human$`));
    }
    const reviewing = await ingest(w);
    await toReview(w, reviewing.caseId);
    await expectRefusedAction(reviewing.caseId, `auto:${reviewing.caseId}`, 'remove_content', /has no automatic decision$/);
    const humanDecided = await decided('warn');
    await expectRefusedAction(humanDecided.caseId, `auto:${humanDecided.caseId}`, 'warn_user', /has no automatic decision$/);
  });

  it('an action the accepted decision does not call for (a ban under a warn, a removal under an approve)', async () => {
    const warned = await decided('warn');
    await expectRefusedAction(warned.caseId, warned.cmd, 'ban_user', /./);
    const approved = await decided('approve');
    await expectRefusedAction(approved.caseId, approved.cmd, 'remove_content', /./);
  });
});

describe('the agent\'s own automatic decision (auto:<case>)', () => {
  it('warns or removes while analysing and after its decision, audited with the agent as actor', async () => {
    const { caseId } = await ingest(w);
    const auto = `auto:${caseId}`;
    expect(await record(caseId, auto, 'remove_content')).toBe('pending');
    expect(await action(`${auto}:1:remove_content`)).toMatchObject({ actor: 'agent', command_id: auto });
    // The run finished with the agent's decision: a re-run after a crash still finds its actions.
    await w.worker.query('SELECT * FROM worker.sync_outcome($1, $2, NULL, $3)', [caseId, 'actioned', JSON.stringify(agentDecision(caseId, 'remove'))]);
    expect(await record(caseId, auto, 'remove_content')).toBe('pending');
    expect(await action(`${auto}:1:remove_content`)).toMatchObject({ attempts: 2 });
    await finish(`${auto}:1:remove_content`, true);
    expect((await audit(w, caseId)).at(-1)).toMatchObject({
      type: 'action.executed', actor: 'agent', tool: 'agent', db_login: w.inst.workerLogin, payload: { kind: 'remove_content' },
    });
  });
});

describe('reversals (rollback)', () => {
  it('a reversal under a supervisor\'s rollback is recorded and audited as action.reversed by that supervisor, once per action', async () => {
    const c = await actioned(w, w.mod, 'remove');
    expect(await record(c.caseId, c.commandId, 'remove_content')).toBe('pending');
    const original = `${c.commandId}:1:remove_content`;
    await finish(original, true);
    const rollback = commandId('rollback');
    const r = await w.sup.query(`SELECT api.rollback_case($1, $2, 'wrong call', NULL, 'cli') AS r`, [c.caseId, rollback]);
    expect(r.rows[0].r.outcome).toBe('accepted');

    expect(await record(c.caseId, rollback, 'restore_content', { id: `${original}:rev`, seq: 1001, reverses: original })).toBe('pending');
    expect(await action(`${original}:rev`)).toMatchObject({ kind: 'restore_content', reverses: original, reversible: false, actor: 'sam', command_id: rollback });
    await finish(`${original}:rev`, true);
    expect((await audit(w, c.caseId)).at(-1)).toMatchObject({
      type: 'action.reversed', actor: 'sam', tool: 'agent', db_login: w.inst.workerLogin,
      payload: { actionId: `${original}:rev`, kind: 'restore_content', reverses: original },
    });
    // One reversal per action (actions_one_reversal_idx).
    const e = await refusal(record(c.caseId, rollback, 'restore_content', { id: `${original}:rev2`, seq: 1002, reverses: original }));
    expect(e.code).toBe('23505');
  });

  it('a reversal names an action of its own case', async () => {
    const other = await actioned(w, w.mod, 'remove');
    await record(other.caseId, other.commandId, 'remove_content');
    const foreign = `${other.commandId}:1:remove_content`;
    await finish(foreign, true);
    const c = await actioned(w, w.mod, 'remove');
    const rollback = commandId('rollback');
    expect((await w.sup.query(`SELECT api.rollback_case($1, $2, 'wrong call', NULL, 'cli') AS r`, [c.caseId, rollback])).rows[0].r.outcome).toBe('accepted');
    await refusal(record(c.caseId, rollback, 'restore_content', { id: `${foreign}:rev-from-elsewhere`, seq: 1001, reverses: foreign }),
      'a reversal on this case of another case\'s action');
    expect(await actionRows(w, c.caseId)).toEqual([]);
  });

  it('a rollback calls only for reversals of what was carried out, each by its own kind', async () => {
    const c = await actioned(w, w.mod, 'remove');
    await record(c.caseId, c.commandId, 'remove_content');
    const original = `${c.commandId}:1:remove_content`;
    const rollback = commandId('rollback');
    expect((await w.sup.query(`SELECT api.rollback_case($1, $2, 'wrong call', NULL, 'cli') AS r`, [c.caseId, rollback])).rows[0].r.outcome).toBe('accepted');
    // Not carried out yet (still pending): nothing to reverse.
    expect((await refusal(record(c.caseId, rollback, 'restore_content', { id: `${original}:rev`, seq: 1001, reverses: original }))).code).toBe('GWFRB');
    await finish(original, true);
    for (const [kind, reverses] of [['ban_user', undefined], ['unban_user', original], ['restore_content', 'no-such-action']] as const) {
      const e = await refusal(record(c.caseId, rollback, kind, { id: `refused-${randomUUID()}`, seq: 1001, reverses }), `${kind} reversing ${reverses}`);
      expect({ kind, code: e.code }).toEqual({ kind, code: 'GWFRB' });
    }
    // A decision reverses nothing; a not-reversible record must name a kind that has no reversal.
    expect((await refusal(record(c.caseId, c.commandId, 'restore_content', { id: `refused-${randomUUID()}`, seq: 1001, reverses: original }))).code).toBe('GWFRB');
    expect((await refusal(w.worker.query(NOT_REVERSIBLE, [`${original}:nr`, c.caseId, rollback, 1001, 'remove_content', 'r', original]))).code).toBe('GWFRB');
    expect(await actionRows(w, c.caseId)).toHaveLength(1);
  });

  it('a warning cannot be reversed: recorded once as not_reversible and audited with the rollback\'s actor', async () => {
    const c = await actioned(w, w.mod, 'warn');
    await record(c.caseId, c.commandId, 'warn_user');
    const warn = `${c.commandId}:1:warn_user`;
    await finish(warn, true);
    const rollback = commandId('rollback');
    expect((await w.sup.query(`SELECT api.rollback_case($1, $2, 'wrong call', NULL, 'cli') AS r`, [c.caseId, rollback])).rows[0].r.outcome).toBe('accepted');
    const args = [`${warn}:rev`, c.caseId, rollback, 1001, 'warn_user', 'wrong call', warn];
    expect((await w.worker.query(NOT_REVERSIBLE, args)).rows[0].recorded).toBe(true);
    expect(await action(`${warn}:rev`)).toMatchObject({
      status: 'not_reversible', reversible: false, reverses: warn, last_error: 'warn_user cannot be reversed', actor: 'sam', command_id: rollback,
    });
    expect((await audit(w, c.caseId)).at(-1)).toMatchObject({
      type: 'action.not_reversible', actor: 'sam', tool: 'agent', db_login: w.inst.workerLogin, payload: { actionId: warn, kind: 'warn_user' },
    });
    const events = (await audit(w, c.caseId)).length;
    expect((await w.worker.query(NOT_REVERSIBLE, args)).rows[0].recorded).toBe(false);
    expect(await audit(w, c.caseId)).toHaveLength(events);
    expect(types(await audit(w, c.caseId)).filter((t) => t === 'action.not_reversible')).toHaveLength(1);
  });
});

describe('who may call them', () => {
  it('only the worker: moderator, supervisor and admin logins get 42501 and record nothing', async () => {
    const { caseId, cmd } = await decided('remove');
    await expectPeopleRefused(w, RECORD, [`${cmd}:1:remove_content`, caseId, cmd, 1, 'remove_content', 'r', null, null]);
    await expectPeopleRefused(w, NOT_REVERSIBLE, [`${cmd}:x`, caseId, cmd, 1, 'warn_user', 'r', null]);
    expect(await actionRows(w, caseId)).toEqual([]);
    await record(caseId, cmd, 'remove_content');
    await expectPeopleRefused(w, NOTE, [`${cmd}:1:remove_content`, 'e']);
    await expectPeopleRefused(w, FINISH, [`${cmd}:1:remove_content`, true, null, '{}']);
    expect(await action(`${cmd}:1:remove_content`)).toMatchObject({ status: 'pending', last_error: null });
    for (const f of [
      'worker.record_action(text, uuid, text, int, text, text, int, text)', 'worker.note_action_error(text, text)',
      'worker.finish_action(text, boolean, text, jsonb)', 'worker.record_not_reversible(text, uuid, text, int, text, text, text)',
    ]) await expectWorkerFunction(w, f);
  });

  it('private.action_actor is not callable directly, not even by the worker', async () => {
    for (const pool of [w.worker, w.admin]) {
      expect((await refusal(pool.query('SELECT private.action_actor($1, $2, $3, NULL, false)', [randomUUID(), 'x', 'warn_user']))).code).toBe('42501');
    }
  });
});
