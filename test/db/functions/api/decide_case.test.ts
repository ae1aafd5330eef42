/**
 * api.decide_case as real logins: a decision on a case awaiting review, checked for role (level 2 is for
 * supervisors), four-eyes, the claim and the version the person saw; the command is accepted with its
 * decision context and audited, and the worker carries it out (job hint `decisions`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  BLANK_BUT_NOT_SPACES,
  appealed,
  awaitingReview,
  caseRow,
  cmdId,
  createFixture,
  decide,
  escalated,
  expectDuplicateChangesNothing,
  expectOnlyRefusal,
  expectRaisedNothingChanged,
  expectWorkerCannotExecute,
  markApplied,
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

const decideCase = (who: Actor, caseId: string, commandId: string, args: Record<string, unknown> = {}) =>
  api(who, 'decide_case', { p_case_id: caseId, p_command_id: commandId, p_decision: 'remove', p_reason: 'harassment, clearly', ...args });

describe('api.decide_case', () => {
  it('accepts the decision of the login\'s person: the case executes, with the command and its audit event', async () => {
    const c = await awaitingReview(f);
    expect((await api(f.people.mod1, 'claim_case', { p_case_id: c.id, p_command_id: cmdId('claim') })).outcome).toBe('applied');
    const before = await caseRow(f, c.id);
    const id = cmdId('decide');
    const ch = await observe(f, () =>
      decideCase(f.people.mod1, c.id, id, {
        p_decision: 'remove_and_ban', p_reason: '  repeated threats  ', p_policy_ids: ['harassment', 'threats'], p_duration_hours: 48,
        p_expected_version: before.version, p_tool: 'ui',
      }),
    );
    expect(ch.error).toBeUndefined();
    expect(ch.result).toMatchObject({
      outcome: 'accepted', duplicate: false, job: 'decisions',
      case: { id: c.id, status: 'executing', version: before.version + 1, claimed_by: null, claim_active: false },
    });

    const after = await caseRow(f, c.id);
    const decision = {
      commandId: id, decision: 'remove_and_ban', reason: 'repeated threats', policyIds: ['harassment', 'threats'], durationHours: 48,
      actor: 'mod-1', level: 1, reviewKind: 'initial',
    };
    expect(after).toMatchObject({
      status: 'executing', version: before.version + 1, claimed_by: null, claim_until: null, last_command_id: id, excluded_deciders: [],
      last_decision: { ...decision, at: expect.any(String) },
    });
    const at = after.last_decision!.at as string;
    expect(ch.changedCases).toEqual([c.id]);
    expect(ch.commands).toHaveLength(1);
    expect(ch.commands[0]).toMatchObject({
      id, type: 'decide', case_id: c.id, actor: 'mod-1', tool: 'ui', expected_version: before.version, status: 'accepted',
      interrupt_id: before.interrupt_id, applied_at: null,
      payload: {
        decision: 'remove_and_ban', reason: 'repeated threats', policyIds: ['harassment', 'threats'], durationHours: 48,
        context: { level: 1, reviewKind: 'initial', at },
      },
    });
    expect(ch.audit).toHaveLength(1);
    expect(ch.audit[0]).toMatchObject({ stream: `case:${c.id}`, type: 'decision.made', actor: 'mod-1', db_login: f.people.mod1.login, tool: 'ui' });
    expect(ch.audit[0]!.payload).toEqual({
      commandId: id, decision: 'remove_and_ban', reason: 'repeated threats', policyIds: ['harassment', 'threats'], durationHours: 48,
      level: 1, reviewKind: 'initial',
    });
  });

  it('escalate excludes the escalating person from the level-2 review', async () => {
    const c = await awaitingReview(f);
    const id = cmdId('decide');
    const r = await decideCase(f.people.mod2, c.id, id, { p_decision: 'escalate', p_reason: 'needs a second look' });
    expect(r).toMatchObject({ outcome: 'accepted', case: { status: 'executing' } });
    expect(await caseRow(f, c.id)).toMatchObject({ excluded_deciders: ['mod-2'], last_decision: { decision: 'escalate', actor: 'mod-2' } });
  });

  it('is idempotent: the same command id returns the prior outcome (applied once the worker did it), recording nothing again', async () => {
    const c = await awaitingReview(f);
    const id = cmdId('decide');
    const args = { p_decision: 'warn', p_reason: 'first offence', p_policy_ids: ['civility'] };
    const first = await decideCase(f.people.mod1, c.id, id, args);
    expect(first.outcome).toBe('accepted');
    const again = await expectDuplicateChangesNothing(f, () => decideCase(f.people.mod1, c.id, id, args));
    expect(again).toEqual({ ...first, duplicate: true });
    // The worker carried it out: the same id now says applied, with no job to send.
    await markApplied(f, c.id, id);
    const later = await expectDuplicateChangesNothing(f, () => decideCase(f.people.mod1, c.id, id, args));
    expect(later).toMatchObject({ outcome: 'applied', duplicate: true, job: null, case: { status: 'actioned' } });
  });

  it('refuses a moderator an escalated (level-2) case, which a supervisor may decide', async () => {
    const c = await escalated(f, f.people.mod1);
    const id = cmdId('decide');
    await expectOnlyRefusal(f, () => decideCase(f.people.mod2, c.id, id), {
      commandId: id, type: 'decide', caseId: c.id, by: f.people.mod2, code: 'forbidden', message: /escalated \(level 2\) review: supervisors and admins only/,
    });
    const ok = await decideCase(f.people.sup1, c.id, cmdId('decide'));
    expect(ok).toMatchObject({ outcome: 'accepted', case: { status: 'executing', level: 2 } });
    expect((await caseRow(f, c.id)).last_decision).toMatchObject({ actor: 'sup-1', level: 2, reviewKind: 'escalation' });
  });

  it('four-eyes: whoever made the decision under review cannot decide its review', async () => {
    const c = await escalated(f, f.people.sup1);
    const id = cmdId('decide');
    await expectOnlyRefusal(f, () => decideCase(f.people.sup1, c.id, id), {
      commandId: id, type: 'decide', caseId: c.id, by: f.people.sup1, code: 'forbidden',
      message: /Four-eyes: sup-1 made the decision under review/,
    });
    // Another supervisor may decide it.
    expect((await decideCase(f.people.sup2, c.id, cmdId('decide'))).outcome).toBe('accepted');
  });

  it('refuses a case claimed by someone else (conflict, with who holds it)', async () => {
    const c = await awaitingReview(f);
    expect((await api(f.people.mod1, 'claim_case', { p_case_id: c.id, p_command_id: cmdId('claim') })).outcome).toBe('applied');
    const id = cmdId('decide');
    const err = await expectOnlyRefusal(f, () => decideCase(f.people.mod2, c.id, id), {
      commandId: id, type: 'decide', caseId: c.id, by: f.people.mod2, code: 'conflict', message: /is claimed by mod-1 until/,
    });
    expect(err.details).toMatchObject({ claimedBy: 'mod-1', claimUntil: expect.any(String) });
  });

  it('refuses a stale expected version (conflict, with the case\'s current state)', async () => {
    const c = await awaitingReview(f);
    const { version } = await caseRow(f, c.id);
    const id = cmdId('decide');
    const err = await expectOnlyRefusal(f, () => decideCase(f.people.mod1, c.id, id, { p_expected_version: version - 1 }), {
      commandId: id, type: 'decide', caseId: c.id, by: f.people.mod1, code: 'conflict', expectedVersion: version - 1,
      message: new RegExp(`changed since you saw it \\(you saw version ${version - 1}, it is now ${version}\\)`),
    });
    expect(err.details).toEqual({ caseId: c.id, status: 'awaiting_review', version, lastDecision: null });
  });

  it('refuses a case already decided (conflict, saying who decided it)', async () => {
    const c = await awaitingReview(f);
    await decide(f, f.people.mod1, c.id, 'remove');
    const decided = await caseRow(f, c.id);
    const id = cmdId('decide');
    const err = await expectOnlyRefusal(f, () => decideCase(f.people.mod2, c.id, id, { p_decision: 'approve' }), {
      commandId: id, type: 'decide', caseId: c.id, by: f.people.mod2, code: 'conflict', message: /is executing, not awaiting review\. It was decided by mod-1 \(remove\)/,
    });
    expect(err.details).toMatchObject({ caseId: c.id, status: 'executing', version: decided.version, lastDecision: { actor: 'mod-1', decision: 'remove' } });
  });

  it('refuses a login that is no person of the installation, recorded under that login', async () => {
    const c = await awaitingReview(f);
    const id = cmdId('decide');
    await expectOnlyRefusal(f, () => decideCase(f.stranger, c.id, id), {
      commandId: id, type: 'decide', caseId: c.id, by: f.stranger, code: 'forbidden', message: /is not an active person/,
    });
  });

  it('raises invalid_input (GWINV) for bad arguments, changing nothing', async () => {
    const c = await awaitingReview(f);
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ p_decision: 'ban' }, /decision: must be/],
      [{ p_decision: null }, /decision: must be/],
      [{ p_reason: '  ab  ' }, /reason: a reason of at least 3 characters/],
      [{ p_reason: null }, /reason/],
      [{ p_reason: 'x'.repeat(2001) }, /reason: at most 2000/],
      [{ p_decision: 'warn', p_duration_hours: 24 }, /durationHours only applies to remove_and_ban/],
      [{ p_decision: 'remove_and_ban', p_duration_hours: 0 }, /durationHours: must be 1 to 87600/],
      [{ p_decision: 'remove_and_ban', p_duration_hours: 87601 }, /durationHours/],
      [{ p_policy_ids: Array.from({ length: 21 }, (_, i) => `p${i}`) }, /policyIds/],
      [{ p_policy_ids: ['ok', ''] }, /policyIds/],
      [{ p_policy_ids: ['x'.repeat(65)] }, /policyIds/],
      [{ p_expected_version: 0 }, /expectedVersion: must be a positive version/],
      [{ p_command_id: 'tooshrt' }, /commandId/],
      [{ p_tool: 'web' }, /tool/],
      [{ p_case_id: null }, /caseId: required/],
    ];
    for (const [args, message] of bad) {
      const err = await expectRaisedNothingChanged(f, () => decideCase(f.people.mod1, c.id, cmdId('decide'), args), 'GWINV', JSON.stringify(args).slice(0, 80));
      expect(err.message).toMatch(message);
    }
  });

  it('raises invalid_input (GWINV) for escalating a level-2 case or deciding an appeal review, changing nothing', async () => {
    const l2 = await escalated(f, f.people.mod1);
    const e1 = await expectRaisedNothingChanged(f, () => decideCase(f.people.sup1, l2.id, cmdId('decide'), { p_decision: 'escalate' }), 'GWINV');
    expect(e1.message).toMatch(/cannot be escalated further/);
    const appeal = await appealed(f, f.people.mod1);
    const e2 = await expectRaisedNothingChanged(f, () => decideCase(f.people.sup1, appeal.id, cmdId('decide')), 'GWINV');
    expect(e2.message).toMatch(/is an appeal review: decide it with an outcome/);
  });

  it('raises invalid_input (GWINV) for a reason that is only whitespace (newlines, tabs), changing nothing', async () => {
    const c = await awaitingReview(f);
    for (const reason of BLANK_BUT_NOT_SPACES) {
      const err = await expectRaisedNothingChanged(f, () => decideCase(f.people.mod1, c.id, cmdId('decide'), { p_reason: reason }), 'GWINV', `p_reason ${JSON.stringify(reason)}`);
      expect(err.message).toMatch(/reason: a reason of at least 3 characters/);
    }
  });

  it('raises not_found (GWNFD) for an unknown case, changing nothing', async () => {
    await expectRaisedNothingChanged(f, () => decideCase(f.people.mod1, unknownCase(), cmdId('decide')), 'GWNFD');
  });

  it('raises a conflict (GWCON) for a command id reused with another decision, changing nothing', async () => {
    const c = await awaitingReview(f);
    const id = cmdId('decide');
    expect((await decideCase(f.people.mod1, c.id, id, { p_decision: 'warn' })).outcome).toBe('accepted');
    const err = await expectRaisedNothingChanged(f, () => decideCase(f.people.mod1, c.id, id, { p_decision: 'remove_and_ban' }), 'GWCON');
    expect(err.message).toMatch(/already used for a different command/);
  });

  it('the worker login cannot execute it (42501)', async () => {
    const c = await awaitingReview(f);
    await expectWorkerCannotExecute(f, 'api.decide_case(uuid, text, text, text, text[], int, int, text)', () =>
      decideCase(f.worker, c.id, cmdId('decide')) as Promise<ApiResult>,
    );
  });
});
