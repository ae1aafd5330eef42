/**
 * api.decide_appeal as real logins: a supervisor upholds (executing, then closed) or overturns (reversing)
 * an appeal review the platform opened. The same checks as api.decide_case; whoever made the appealed
 * decision is excluded (four-eyes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  BLANK_BUT_NOT_SPACES,
  appealed,
  caseRow,
  cmdId,
  createFixture,
  escalated,
  expectDuplicateChangesNothing,
  expectOnlyRefusal,
  expectRaisedNothingChanged,
  expectWorkerCannotExecute,
  observe,
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

const decideAppeal = (who: Actor, caseId: string, commandId: string, args: Record<string, unknown> = {}) =>
  api(who, 'decide_appeal', { p_case_id: caseId, p_command_id: commandId, p_outcome: 'overturn', p_reason: 'the post was satire', ...args });

describe('api.decide_appeal', () => {
  it('accepts an overturn by a supervisor: reversing, with the command and its audit event', async () => {
    const c = await appealed(f, f.people.mod1);
    const before = await caseRow(f, c.id);
    expect(before).toMatchObject({ status: 'awaiting_review', level: 2, review_kind: 'appeal', excluded_deciders: ['mod-1'] });
    const id = cmdId('appeal-decide');
    const ch = await observe(f, () => decideAppeal(f.people.sup1, c.id, id, { p_expected_version: before.version, p_tool: 'ui', p_reason: ' satire, not abuse ' }));
    expect(ch.error).toBeUndefined();
    expect(ch.result).toMatchObject({
      outcome: 'accepted', duplicate: false, job: 'decisions',
      case: { id: c.id, status: 'reversing', version: before.version + 1, claimed_by: null },
    });
    const after = await caseRow(f, c.id);
    expect(after).toMatchObject({
      status: 'reversing', version: before.version + 1, last_command_id: id, claimed_by: null,
      last_decision: {
        commandId: id, decision: 'overturn', reason: 'satire, not abuse', policyIds: [], actor: 'sup-1', level: 2, reviewKind: 'appeal',
        at: expect.any(String),
      },
    });
    expect(ch.changedCases).toEqual([c.id]);
    expect(ch.commands).toHaveLength(1);
    expect(ch.commands[0]).toMatchObject({
      id, type: 'appeal_decide', case_id: c.id, actor: 'sup-1', tool: 'ui', expected_version: before.version, status: 'accepted',
      interrupt_id: before.interrupt_id,
      payload: { outcome: 'overturn', reason: 'satire, not abuse', context: { level: 2, reviewKind: 'appeal', at: after.last_decision!.at } },
    });
    expect(ch.audit).toHaveLength(1);
    expect(ch.audit[0]).toMatchObject({ stream: `case:${c.id}`, type: 'appeal.decided', actor: 'sup-1', db_login: f.people.sup1.login, tool: 'ui' });
    expect(ch.audit[0]!.payload).toEqual({
      commandId: id, decision: 'overturn', reason: 'satire, not abuse', policyIds: [], level: 2, reviewKind: 'appeal',
    });
  });

  it('accepts an uphold by an admin: the decision stands and the case executes to its close', async () => {
    const c = await appealed(f, f.people.mod2);
    const r = await decideAppeal(f.people.admin, c.id, cmdId('appeal-decide'), { p_outcome: 'uphold' });
    expect(r).toMatchObject({ outcome: 'accepted', job: 'decisions', case: { status: 'executing' } });
    expect((await caseRow(f, c.id)).last_decision).toMatchObject({ decision: 'uphold', actor: 'admin-1' });
  });

  it('is idempotent: the same command id returns the prior outcome and records nothing again', async () => {
    const c = await appealed(f, f.people.mod1);
    const id = cmdId('appeal-decide');
    const first = await decideAppeal(f.people.sup2, c.id, id, { p_outcome: 'uphold' });
    expect(first.outcome).toBe('accepted');
    const again = await expectDuplicateChangesNothing(f, () => decideAppeal(f.people.sup2, c.id, id, { p_outcome: 'uphold' }));
    expect(again).toEqual({ ...first, duplicate: true });
  });

  it('refuses a moderator (an appeal is a level-2 review), recording only the refusal', async () => {
    const c = await appealed(f, f.people.sup1);
    const id = cmdId('appeal-decide');
    await expectOnlyRefusal(f, () => decideAppeal(f.people.mod2, c.id, id), {
      commandId: id, type: 'appeal_decide', caseId: c.id, by: f.people.mod2, code: 'forbidden', message: /supervisors and admins only/,
    });
  });

  it('four-eyes: whoever made the appealed decision cannot decide the appeal', async () => {
    const c = await appealed(f, f.people.sup1);
    expect((await caseRow(f, c.id)).excluded_deciders).toEqual(['sup-1']);
    const id = cmdId('appeal-decide');
    await expectOnlyRefusal(f, () => decideAppeal(f.people.sup1, c.id, id, { p_outcome: 'uphold' }), {
      commandId: id, type: 'appeal_decide', caseId: c.id, by: f.people.sup1, code: 'forbidden', message: /Four-eyes: sup-1 made the decision under review/,
    });
  });

  it('refuses an appeal claimed by someone else (conflict, with who holds it)', async () => {
    const c = await appealed(f, f.people.mod1);
    expect((await api(f.people.sup2, 'claim_case', { p_case_id: c.id, p_command_id: cmdId('claim') })).outcome).toBe('applied');
    const id = cmdId('appeal-decide');
    const err = await expectOnlyRefusal(f, () => decideAppeal(f.people.sup1, c.id, id), {
      commandId: id, type: 'appeal_decide', caseId: c.id, by: f.people.sup1, code: 'conflict', message: /is claimed by sup-2 until/,
    });
    expect(err.details).toMatchObject({ claimedBy: 'sup-2' });
    // The holder decides it.
    expect((await decideAppeal(f.people.sup2, c.id, cmdId('appeal-decide'))).outcome).toBe('accepted');
  });

  it('refuses a stale expected version (conflict, with the case\'s current state)', async () => {
    const c = await appealed(f, f.people.mod1);
    const now = await caseRow(f, c.id);
    const id = cmdId('appeal-decide');
    const err = await expectOnlyRefusal(f, () => decideAppeal(f.people.sup1, c.id, id, { p_expected_version: now.version - 1 }), {
      commandId: id, type: 'appeal_decide', caseId: c.id, by: f.people.sup1, code: 'conflict', expectedVersion: now.version - 1,
      message: /changed since you saw it/,
    });
    expect(err.details).toEqual({ caseId: c.id, status: 'awaiting_review', version: now.version, lastDecision: now.last_decision });
  });

  it('refuses an appeal already decided (conflict)', async () => {
    const c = await appealed(f, f.people.mod1);
    expect((await decideAppeal(f.people.sup1, c.id, cmdId('appeal-decide'))).outcome).toBe('accepted');
    const id = cmdId('appeal-decide');
    const err = await expectOnlyRefusal(f, () => decideAppeal(f.people.sup2, c.id, id, { p_outcome: 'uphold' }), {
      commandId: id, type: 'appeal_decide', caseId: c.id, by: f.people.sup2, code: 'conflict', message: /is reversing, not awaiting review\. It was decided by sup-1 \(overturn\)/,
    });
    expect(err.details).toMatchObject({ status: 'reversing' });
  });

  it('refuses a login that is no person of the installation, recorded under that login', async () => {
    const c = await appealed(f, f.people.mod1);
    const id = cmdId('appeal-decide');
    await expectOnlyRefusal(f, () => decideAppeal(f.stranger, c.id, id), {
      commandId: id, type: 'appeal_decide', caseId: c.id, by: f.stranger, code: 'forbidden', message: /is not an active person/,
    });
  });

  it('raises invalid_input (GWINV) for bad arguments, changing nothing', async () => {
    const c = await appealed(f, f.people.mod1);
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ p_outcome: 'reverse' }, /outcome: must be uphold or overturn/],
      [{ p_outcome: null }, /outcome/],
      [{ p_reason: 'ok' }, /reason: a reason of at least 3 characters/],
      [{ p_reason: 'z'.repeat(2001) }, /reason: at most 2000/],
      [{ p_expected_version: 0 }, /expectedVersion: must be a positive version/],
      [{ p_command_id: '1234567' }, /commandId/],
      [{ p_tool: 'CLI' }, /tool/],
      [{ p_case_id: null }, /caseId: required/],
    ];
    for (const [args, message] of bad) {
      const err = await expectRaisedNothingChanged(f, () => decideAppeal(f.people.sup1, c.id, cmdId('appeal-decide'), args), 'GWINV', JSON.stringify(args).slice(0, 80));
      expect(err.message).toMatch(message);
    }
  });

  it('raises invalid_input (GWINV) for a review that is not an appeal, changing nothing', async () => {
    const c = await escalated(f, f.people.mod1);
    const err = await expectRaisedNothingChanged(f, () => decideAppeal(f.people.sup1, c.id, cmdId('appeal-decide')), 'GWINV');
    expect(err.message).toMatch(/is not an appeal review/);
  });

  it('raises invalid_input (GWINV) for a reason that is only whitespace (newlines, tabs), changing nothing', async () => {
    const c = await appealed(f, f.people.mod1);
    for (const reason of BLANK_BUT_NOT_SPACES) {
      const err = await expectRaisedNothingChanged(f, () => decideAppeal(f.people.sup1, c.id, cmdId('appeal-decide'), { p_reason: reason }), 'GWINV', `p_reason ${JSON.stringify(reason)}`);
      expect(err.message).toMatch(/reason: a reason of at least 3 characters/);
    }
  });

  it('raises not_found (GWNFD) for an unknown case, changing nothing', async () => {
    await expectRaisedNothingChanged(f, () => decideAppeal(f.people.sup1, unknownCase(), cmdId('appeal-decide')), 'GWNFD');
  });

  it('the worker login cannot execute it (42501)', async () => {
    const c = await appealed(f, f.people.mod1);
    await expectWorkerCannotExecute(f, 'api.decide_appeal(uuid, text, text, text, int, text)', () =>
      decideAppeal(f.worker, c.id, cmdId('appeal-decide')) as Promise<ApiResult>,
    );
  });
});
