/**
 * api.request_escalation as real logins: any person asks a supervisor to look at a case again (the request
 * is kept on the case row; the case's state and version stay as they are). A closed case is a conflict.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  actioned,
  api,
  BLANK_BUT_NOT_SPACES,
  awaitingReview,
  caseRow,
  closed,
  cmdId,
  commandRow,
  createFixture,
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

const requestEscalation = (who: Actor, caseId: string, commandId: string, args: Record<string, unknown> = {}) =>
  api(who, 'request_escalation', { p_case_id: caseId, p_command_id: commandId, p_reason: 'my offline decision lost a conflict', ...args });

describe('api.request_escalation', () => {
  it('records the request on the case as the login\'s person, with the command and its audit event', async () => {
    const c = await actioned(f, f.people.mod2);
    const before = await caseRow(f, c.id);
    const id = cmdId('escalation');
    const ch = await observe(f, () => requestEscalation(f.people.mod1, c.id, id, { p_reason: '  I disagree with the removal ', p_tool: 'cli' }));
    expect(ch.error).toBeUndefined();
    expect(ch.result).toMatchObject({
      outcome: 'applied', duplicate: false,
      case: { id: c.id, escalation_requested_by: 'mod-1', escalation_reason: 'I disagree with the removal', status: 'actioned', version: before.version },
    });
    const after = await caseRow(f, c.id);
    const cmd = await commandRow(f, id);
    expect(after).toMatchObject({
      escalation_requested_by: 'mod-1', escalation_reason: 'I disagree with the removal',
      status: before.status, level: before.level, version: before.version, last_decision: before.last_decision,
    });
    expect(after.escalation_requested_at!.getTime()).toBe(cmd.created_at.getTime()); // the command's transaction time
    expect(ch.changedCases).toEqual([c.id]);
    expect(cmd).toMatchObject({ type: 'request_escalation', case_id: c.id, actor: 'mod-1', tool: 'cli', status: 'applied', payload: { reason: 'I disagree with the removal' } });
    expect(ch.commands.map((x) => x.id)).toEqual([id]);
    expect(ch.audit).toHaveLength(1);
    expect(ch.audit[0]).toMatchObject({
      stream: `case:${c.id}`, type: 'escalation.requested', actor: 'mod-1', db_login: f.people.mod1.login, tool: 'cli',
      payload: { commandId: id, reason: 'I disagree with the removal', status: 'actioned', level: 1 },
    });
  });

  it('is idempotent: the same command id returns the prior outcome and records nothing again', async () => {
    const c = await awaitingReview(f);
    const id = cmdId('escalation');
    expect((await requestEscalation(f.people.mod2, c.id, id)).outcome).toBe('applied');
    const again = await expectDuplicateChangesNothing(f, () => requestEscalation(f.people.mod2, c.id, id));
    expect(again).toMatchObject({ outcome: 'applied', duplicate: true, case: { escalation_requested_by: 'mod-2' } });
  });

  it('refuses a closed case (conflict, with the case\'s state), recording only the refusal', async () => {
    const c = await closed(f, f.people.mod1);
    const now = await caseRow(f, c.id);
    const id = cmdId('escalation');
    const err = await expectOnlyRefusal(f, () => requestEscalation(f.people.mod2, c.id, id), {
      commandId: id, type: 'request_escalation', caseId: c.id, by: f.people.mod2, code: 'conflict', message: new RegExp(`Case ${c.id} is closed`),
    });
    expect(err.details).toEqual({ caseId: c.id, status: 'closed', version: now.version, lastDecision: now.last_decision });
    expect(now.escalation_requested_by).toBeNull();
  });

  it('refuses a login that is no person of the installation, recorded under that login', async () => {
    const c = await awaitingReview(f);
    const id = cmdId('escalation');
    await expectOnlyRefusal(f, () => requestEscalation(f.stranger, c.id, id), {
      commandId: id, type: 'request_escalation', caseId: c.id, by: f.stranger, code: 'forbidden', message: /is not an active person/,
    });
  });

  it('raises invalid_input (GWINV) for bad arguments, changing nothing', async () => {
    const c = await awaitingReview(f);
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ p_reason: '  ' }, /reason: a reason of at least 3 characters/],
      [{ p_reason: null }, /reason/],
      [{ p_reason: 'r'.repeat(2001) }, /reason: at most 2000/],
      [{ p_command_id: 'x' }, /commandId/],
      [{ p_tool: 'mail' }, /tool/],
      [{ p_case_id: null }, /caseId: required/],
    ];
    for (const [args, message] of bad) {
      const err = await expectRaisedNothingChanged(f, () => requestEscalation(f.people.mod1, c.id, cmdId('escalation'), args), 'GWINV', JSON.stringify(args).slice(0, 80));
      expect(err.message).toMatch(message);
    }
  });

  it('raises invalid_input (GWINV) for a reason that is only whitespace (newlines, tabs), changing nothing', async () => {
    const c = await awaitingReview(f);
    for (const reason of BLANK_BUT_NOT_SPACES) {
      const err = await expectRaisedNothingChanged(f, () => requestEscalation(f.people.mod1, c.id, cmdId('escalation'), { p_reason: reason }), 'GWINV', `p_reason ${JSON.stringify(reason)}`);
      expect(err.message).toMatch(/reason: a reason of at least 3 characters/);
    }
  });

  it('raises not_found (GWNFD) for an unknown case, changing nothing', async () => {
    await expectRaisedNothingChanged(f, () => requestEscalation(f.people.mod1, unknownCase(), cmdId('escalation')), 'GWNFD');
  });

  it('raises a conflict (GWCON) for a command id reused with another reason, changing nothing', async () => {
    const c = await awaitingReview(f);
    const id = cmdId('escalation');
    expect((await requestEscalation(f.people.mod1, c.id, id)).outcome).toBe('applied');
    await expectRaisedNothingChanged(f, () => requestEscalation(f.people.mod1, c.id, id, { p_reason: 'another reason' }), 'GWCON');
  });

  it('the worker login cannot execute it (42501)', async () => {
    const c = await awaitingReview(f);
    await expectWorkerCannotExecute(f, 'api.request_escalation(uuid, text, text, text)', () =>
      requestEscalation(f.worker, c.id, cmdId('escalation')) as Promise<ApiResult>,
    );
  });
});
