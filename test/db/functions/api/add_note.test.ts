/**
 * api.add_note as real logins: a note on a case's timeline. It changes no case row: the note is the
 * `case.note` audit event (with its text) and the applied `note` command.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  actioned,
  api,
  awaitingReview,
  BLANK_BUT_NOT_SPACES,
  cmdId,
  createFixture,
  escalated,
  expectDuplicateChangesNothing,
  expectOnlyRefusal,
  expectRaisedNothingChanged,
  expectWorkerCannotExecute,
  ingest,
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

const addNote = (who: Actor, caseId: string, commandId: string, args: Record<string, unknown> = {}) =>
  api(who, 'add_note', { p_case_id: caseId, p_command_id: commandId, p_text: 'checked the author\'s history', ...args });

describe('api.add_note', () => {
  it('adds the note as the login\'s person: the audit event carries the text, the case row is untouched', async () => {
    const c = await awaitingReview(f);
    const id = cmdId('note');
    const ch = await observe(f, () => addNote(f.people.mod1, c.id, id, { p_text: '  second report from this reporter ✓ ', p_tool: 'ui' }));
    expect(ch.error).toBeUndefined();
    expect(ch.result).toMatchObject({ outcome: 'applied', duplicate: false, case: { id: c.id, status: 'awaiting_review' } });
    expect(ch.changedCases).toEqual([]);
    expect(ch.commands).toHaveLength(1);
    expect(ch.commands[0]).toMatchObject({
      id, type: 'note', case_id: c.id, actor: 'mod-1', tool: 'ui', status: 'applied', payload: { text: 'second report from this reporter ✓' },
    });
    expect(ch.commands[0]!.applied_at).not.toBeNull();
    expect(ch.audit).toHaveLength(1);
    expect(ch.audit[0]).toMatchObject({
      stream: `case:${c.id}`, type: 'case.note', actor: 'mod-1', db_login: f.people.mod1.login, tool: 'ui',
      payload: { commandId: id, text: 'second report from this reporter ✓' },
    });
  });

  it('every person may note any case, whatever its state or level', async () => {
    const cases = [await ingest(f), await escalated(f, f.people.mod1), await actioned(f, f.people.mod2)];
    for (const c of cases) {
      for (const who of [f.people.mod2, f.people.sup1, f.people.admin]) {
        const id = cmdId('note');
        const ch = await observe(f, () => addNote(who, c.id, id));
        expect(ch.result?.outcome).toBe('applied');
        expect(ch.audit).toEqual([expect.objectContaining({ type: 'case.note', actor: who.id, db_login: who.login })]);
      }
    }
  });

  it('is idempotent: the same command id returns the prior outcome and records nothing again', async () => {
    const c = await awaitingReview(f);
    const id = cmdId('note');
    const first = await addNote(f.people.mod1, c.id, id);
    expect(first.outcome).toBe('applied');
    const again = await expectDuplicateChangesNothing(f, () => addNote(f.people.mod1, c.id, id));
    expect(again).toMatchObject({ outcome: 'applied', duplicate: true, case: { id: c.id } });
  });

  it('refuses a login that is no person of the installation, recorded under that login', async () => {
    const c = await awaitingReview(f);
    const id = cmdId('note');
    await expectOnlyRefusal(f, () => addNote(f.stranger, c.id, id), {
      commandId: id, type: 'note', caseId: c.id, by: f.stranger, code: 'forbidden', message: /is not an active person of this installation/,
    });
  });

  it('raises invalid_input (GWINV) for bad arguments, changing nothing', async () => {
    const c = await awaitingReview(f);
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ p_text: '' }, /text: a note cannot be empty/],
      [{ p_text: '     ' }, /text: a note cannot be empty/],
      [{ p_text: null }, /text: a note cannot be empty/],
      [{ p_text: 'n'.repeat(5001) }, /text: at most 5000/],
      [{ p_command_id: 'short' }, /commandId/],
      [{ p_tool: 'sms' }, /tool/],
      [{ p_case_id: null }, /caseId: required/],
    ];
    for (const [args, message] of bad) {
      const err = await expectRaisedNothingChanged(f, () => addNote(f.people.mod1, c.id, cmdId('note'), args), 'GWINV', JSON.stringify(args).slice(0, 80));
      expect(err.message).toMatch(message);
    }
  });

  it('raises invalid_input (GWINV) for a note that is only whitespace (newlines, tabs), changing nothing', async () => {
    const c = await awaitingReview(f);
    for (const text of BLANK_BUT_NOT_SPACES) {
      const err = await expectRaisedNothingChanged(f, () => addNote(f.people.mod1, c.id, cmdId('note'), { p_text: text }), 'GWINV', `p_text ${JSON.stringify(text)}`);
      expect(err.message).toMatch(/text: a note cannot be empty/);
    }
  });

  it('raises not_found (GWNFD) for an unknown case, changing nothing', async () => {
    await expectRaisedNothingChanged(f, () => addNote(f.people.mod1, unknownCase(), cmdId('note')), 'GWNFD');
  });

  it('raises a conflict (GWCON) for a command id reused with another text, changing nothing', async () => {
    const c = await awaitingReview(f);
    const id = cmdId('note');
    expect((await addNote(f.people.mod1, c.id, id, { p_text: 'first' })).outcome).toBe('applied');
    const err = await expectRaisedNothingChanged(f, () => addNote(f.people.mod1, c.id, id, { p_text: 'something else' }), 'GWCON');
    expect(err.message).toMatch(/already used for a different command/);
  });

  it('the worker login cannot execute it (42501)', async () => {
    const c = await awaitingReview(f);
    await expectWorkerCannotExecute(f, 'api.add_note(uuid, text, text, text)', () => addNote(f.worker, c.id, cmdId('note')) as Promise<ApiResult>);
  });
});
