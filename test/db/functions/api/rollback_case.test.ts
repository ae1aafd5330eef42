/**
 * api.rollback_case as real logins: a supervisor's rollback of an actioned case. Its actions are reversed by
 * the worker (job hint `rollbacks`) and the case goes to a level-2 review that whoever made the rolled-back
 * decision may not take (four-eyes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  actioned,
  api,
  BLANK_BUT_NOT_SPACES,
  awaitingReview,
  caseRow,
  cmdId,
  createFixture,
  expectDuplicateChangesNothing,
  expectOnlyRefusal,
  expectRaisedNothingChanged,
  expectWorkerCannotExecute,
  observe,
  rolledBack,
  unknownCase,
  type Actor,
  type ApiResult,
  type Fixture,
} from './support.js';

let f: Fixture;
beforeAll(async () => {
  f = await createFixture();
});
afterAll(async () => {
  await f?.drop();
});

const rollback = (who: Actor, caseId: string, commandId: string, args: Record<string, unknown> = {}) =>
  api(who, 'rollback_case', { p_case_id: caseId, p_command_id: commandId, p_reason: 'the removal was a mistake', ...args });

describe('api.rollback_case', () => {
  it('accepts a supervisor\'s rollback: reversing at level 2, the decider excluded, with the command and its audit event', async () => {
    const c = await actioned(f, f.people.mod1);
    const before = await caseRow(f, c.id);
    const id = cmdId('rollback');
    const ch = await observe(f, () => rollback(f.people.sup1, c.id, id, { p_expected_version: before.version, p_tool: 'cli', p_reason: '  context was missed ' }));
    expect(ch.error).toBeUndefined();
    expect(ch.result).toMatchObject({
      outcome: 'accepted', duplicate: false, job: 'rollbacks',
      case: { id: c.id, status: 'reversing', level: 2, version: before.version + 1 },
    });
    expect(await caseRow(f, c.id)).toMatchObject({
      status: 'reversing', level: 2, version: before.version + 1, last_command_id: id, excluded_deciders: ['mod-1'],
      last_decision: before.last_decision, // the rolled-back decision stays on record until the review decides
    });
    expect(ch.changedCases).toEqual([c.id]);
    expect(ch.commands).toHaveLength(1);
    expect(ch.commands[0]).toMatchObject({
      id, type: 'rollback', case_id: c.id, actor: 'sup-1', tool: 'cli', expected_version: before.version, status: 'accepted',
      payload: { reason: 'context was missed' }, applied_at: null,
    });
    expect(ch.audit).toHaveLength(1);
    expect(ch.audit[0]).toMatchObject({
      stream: `case:${c.id}`, type: 'rollback.requested', actor: 'sup-1', db_login: f.people.sup1.login, tool: 'cli',
      payload: { commandId: id, reason: 'context was missed', rolledBack: before.last_decision },
    });
  });

  it('four-eyes: once reversed, whoever made the rolled-back decision cannot decide (or claim) the level-2 review', async () => {
    const c = await rolledBack(f, f.people.sup2, f.people.admin);
    expect(await caseRow(f, c.id)).toMatchObject({ status: 'awaiting_review', level: 2, review_kind: 'rollback', excluded_deciders: ['sup-2'] });
    const id = cmdId('decide');
    await expectOnlyRefusal(f, () => api(f.people.sup2, 'decide_case', { p_case_id: c.id, p_command_id: id, p_decision: 'remove', p_reason: 'I stand by it' }), {
      commandId: id, type: 'decide', caseId: c.id, by: f.people.sup2, code: 'forbidden', message: /Four-eyes: sup-2/,
    });
    const claimId = cmdId('claim');
    await expectOnlyRefusal(f, () => api(f.people.sup2, 'claim_case', { p_case_id: c.id, p_command_id: claimId }), {
      commandId: claimId, type: 'claim', caseId: c.id, by: f.people.sup2, code: 'forbidden', message: /Four-eyes: sup-2/,
    });
    const ok = await api(f.people.sup1, 'decide_case', { p_case_id: c.id, p_command_id: cmdId('decide'), p_decision: 'approve', p_reason: 'fine after all' });
    expect(ok.outcome).toBe('accepted');
  });

  it('is idempotent: the same command id returns the prior outcome and records nothing again', async () => {
    const c = await actioned(f, f.people.mod1);
    const id = cmdId('rollback');
    const first = await rollback(f.people.sup1, c.id, id);
    expect(first.outcome).toBe('accepted');
    const again = await expectDuplicateChangesNothing(f, () => rollback(f.people.sup1, c.id, id));
    expect(again).toEqual({ ...first, duplicate: true });
  });

  it('refuses a moderator (forbidden), recording only the refusal', async () => {
    const c = await actioned(f, f.people.mod1);
    const id = cmdId('rollback');
    await expectOnlyRefusal(f, () => rollback(f.people.mod2, c.id, id), {
      commandId: id, type: 'rollback', caseId: c.id, by: f.people.mod2, code: 'forbidden', message: /Rollback needs a supervisor or an admin/,
    });
  });

  it('refuses a case that is not actioned (conflict, with the case\'s state)', async () => {
    const c = await awaitingReview(f);
    const { version } = await caseRow(f, c.id);
    const id = cmdId('rollback');
    const err = await expectOnlyRefusal(f, () => rollback(f.people.sup1, c.id, id), {
      commandId: id, type: 'rollback', caseId: c.id, by: f.people.sup1, code: 'conflict', message: /is awaiting_review: only an actioned case can be rolled back/,
    });
    expect(err.details).toEqual({ caseId: c.id, status: 'awaiting_review', version, lastDecision: null });
  });

  it('refuses a stale expected version (conflict, with the case\'s current state)', async () => {
    const c = await actioned(f, f.people.mod1);
    const now = await caseRow(f, c.id);
    const id = cmdId('rollback');
    const err = await expectOnlyRefusal(f, () => rollback(f.people.sup1, c.id, id, { p_expected_version: now.version - 1 }), {
      commandId: id, type: 'rollback', caseId: c.id, by: f.people.sup1, code: 'conflict', expectedVersion: now.version - 1,
      message: new RegExp(`changed since you saw it \\(version ${now.version - 1} → ${now.version}\\)\\. It was decided by mod-1 \\(remove\\)`),
    });
    expect(err.details).toEqual({ caseId: c.id, status: 'actioned', version: now.version, lastDecision: now.last_decision });
  });

  it('refuses a login that is no person of the installation, recorded under that login', async () => {
    const c = await actioned(f, f.people.mod1);
    const id = cmdId('rollback');
    await expectOnlyRefusal(f, () => rollback(f.stranger, c.id, id), {
      commandId: id, type: 'rollback', caseId: c.id, by: f.stranger, code: 'forbidden', message: /is not an active person/,
    });
  });

  it('raises invalid_input (GWINV) for bad arguments, changing nothing', async () => {
    const c = await actioned(f, f.people.mod1);
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ p_reason: 'no' }, /reason: a reason of at least 3 characters/],
      [{ p_reason: 'y'.repeat(2001) }, /reason: at most 2000/],
      [{ p_expected_version: 0 }, /expectedVersion: must be a positive version/],
      [{ p_expected_version: -3 }, /expectedVersion/],
      [{ p_command_id: 'abc' }, /commandId/],
      [{ p_tool: 'ingest' }, /tool/],
      [{ p_case_id: null }, /caseId: required/],
    ];
    for (const [args, message] of bad) {
      const err = await expectRaisedNothingChanged(f, () => rollback(f.people.sup1, c.id, cmdId('rollback'), args), 'GWINV', JSON.stringify(args).slice(0, 80));
      expect(err.message).toMatch(message);
    }
  });

  it('raises invalid_input (GWINV) for a reason that is only whitespace (newlines, tabs), changing nothing', async () => {
    const c = await actioned(f, f.people.mod1);
    for (const reason of BLANK_BUT_NOT_SPACES) {
      const err = await expectRaisedNothingChanged(f, () => rollback(f.people.sup1, c.id, cmdId('rollback'), { p_reason: reason }), 'GWINV', `p_reason ${JSON.stringify(reason)}`);
      expect(err.message).toMatch(/reason: a reason of at least 3 characters/);
    }
  });

  it('raises not_found (GWNFD) for an unknown case, changing nothing', async () => {
    await expectRaisedNothingChanged(f, () => rollback(f.people.sup1, unknownCase(), cmdId('rollback')), 'GWNFD');
  });

  it('the worker login cannot execute it (42501)', async () => {
    const c = await actioned(f, f.people.mod1);
    await expectWorkerCannotExecute(f, 'api.rollback_case(uuid, text, text, int, text)', () =>
      rollback(f.worker, c.id, cmdId('rollback')) as Promise<ApiResult>,
    );
  });
});
