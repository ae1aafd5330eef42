/**
 * Wellbeing (issue 15) as real logins: api.set_wellbeing / api.my_wellbeing keep a person's OWN opt-outs
 * (nobody sets or reads another's, not even an admin, and no login touches the table directly), and
 * api.record_reveal audits each reveal of blurred content once per command id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  awaitingReview,
  cmdId,
  createFixture,
  errorOf,
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

type Wellbeing = { personId: string; hiddenCategories: string[]; breakAfter: number | null };
const setWellbeing = (who: Actor, commandId: string, args: Record<string, unknown> = {}) =>
  api(who, 'set_wellbeing', { p_command_id: commandId, p_hidden_categories: ['violence'], ...args });
const mine = (who: Actor) => api<Wellbeing>(who, 'my_wellbeing');
const reveal = (who: Actor, caseId: string, commandId: string, category = 'violence') =>
  api(who, 'record_reveal', { p_case_id: caseId, p_command_id: commandId, p_category: category, p_tool: 'ui' });

describe('api.set_wellbeing / api.my_wellbeing', () => {
  it('a person with no settings sees everything; setting them stores them for that person only, audited', async () => {
    expect(await mine(f.people.mod1)).toMatchObject({ personId: 'mod-1', hiddenCategories: [], breakAfter: null });
    const id = cmdId('wb');
    const ch = await observe(f, () => setWellbeing(f.people.mod1, id, { p_hidden_categories: ['violence', 'hate', 'violence'], p_break_after: 3, p_tool: 'ui' }));
    expect(ch.error).toBeUndefined();
    expect(ch.result).toMatchObject({ outcome: 'applied', duplicate: false, personId: 'mod-1', hiddenCategories: ['hate', 'violence'], breakAfter: 3 });
    expect(ch.changedCases).toEqual([]);
    expect(ch.commands).toHaveLength(1);
    expect(ch.commands[0]).toMatchObject({ id, type: 'wellbeing', case_id: null, actor: 'mod-1', tool: 'ui', status: 'applied' });
    expect(ch.audit).toHaveLength(1);
    expect(ch.audit[0]).toMatchObject({
      stream: 'global', type: 'wellbeing.settings', actor: 'mod-1', db_login: f.people.mod1.login,
      payload: { commandId: id, from: { hiddenCategories: [], breakAfter: null }, to: { hiddenCategories: ['hate', 'violence'], breakAfter: 3 } },
    });
    expect(await mine(f.people.mod1)).toMatchObject({ hiddenCategories: ['hate', 'violence'], breakAfter: 3 });
    // Another person's settings are untouched by it.
    expect(await mine(f.people.mod2)).toMatchObject({ personId: 'mod-2', hiddenCategories: [], breakAfter: null });
    // The same id again is the stored outcome, nothing new.
    await expectDuplicateChangesNothing(f, () => setWellbeing(f.people.mod1, id, { p_hidden_categories: ['violence', 'hate', 'violence'], p_break_after: 3, p_tool: 'ui' }));
  });

  it("one person cannot set another's settings: the attacker's own login is refused, recorded and audited", async () => {
    const before = await mine(f.people.mod2);
    for (const attacker of [f.people.mod1, f.people.admin]) {
      const id = cmdId('wb-other');
      const ch = await observe(f, () => setWellbeing(attacker, id, { p_person_id: 'mod-2', p_hidden_categories: ['sexual'] }));
      expect(ch.error).toBeUndefined();
      expect((ch.result as ApiResult)).toMatchObject({ outcome: 'rejected', error: { code: 'forbidden' } });
      expect(ch.commands).toEqual([expect.objectContaining({ id, type: 'wellbeing', actor: attacker.id, status: 'rejected' })]);
      expect(ch.audit).toEqual([expect.objectContaining({ type: 'command.rejected', actor: attacker.id, db_login: attacker.login })]);
    }
    expect(await mine(f.people.mod2)).toEqual(before);
    // Naming oneself is fine.
    expect(await setWellbeing(f.people.mod2, cmdId('wb-self'), { p_person_id: 'mod-2', p_hidden_categories: [] })).toMatchObject({ outcome: 'applied' });
  });

  it('no login reads or writes the table directly, not even a supervisor or the worker', async () => {
    for (const who of [f.people.mod1, f.people.sup1, f.people.admin, f.worker]) {
      for (const sql of [
        'SELECT * FROM wellbeing_settings',
        "INSERT INTO wellbeing_settings (person_id, hidden_categories) VALUES ('mod-2', '{hate}')",
        "UPDATE wellbeing_settings SET hidden_categories = '{}' WHERE person_id = 'mod-1'",
        'DELETE FROM wellbeing_settings',
      ]) {
        expect((await errorOf(who.pool.query(sql))).code, `${who.id}: ${sql}`).toBe('42501');
      }
    }
    expect(await mine(f.people.mod1)).toMatchObject({ hiddenCategories: ['hate', 'violence'] });
  });

  it('refuses unknown categories and out-of-range break points before recording anything', async () => {
    await expectRaisedNothingChanged(f, () => setWellbeing(f.people.mod1, cmdId('wb'), { p_hidden_categories: ['spam'] }), 'GWINV');
    await expectRaisedNothingChanged(f, () => setWellbeing(f.people.mod1, cmdId('wb'), { p_hidden_categories: null }), 'GWINV');
    await expectRaisedNothingChanged(f, () => setWellbeing(f.people.mod1, cmdId('wb'), { p_break_after: 1001 }), 'GWINV');
    await expectRaisedNothingChanged(f, () => setWellbeing(f.people.mod1, 'short'), 'GWINV');
  });

  it('a login that is no person is refused (and may not read settings); the worker cannot execute either', async () => {
    const id = cmdId('wb-stranger');
    const r = await setWellbeing(f.stranger, id);
    expect(r).toMatchObject({ outcome: 'rejected', error: { code: 'forbidden' } });
    expect((await errorOf(mine(f.stranger))).code).toBe('GWFRB');
    await expectWorkerCannotExecute(f, 'api.set_wellbeing(text, text[], integer, text, text)', () => setWellbeing(f.worker, cmdId('wb')));
    await expectWorkerCannotExecute(f, 'api.my_wellbeing()', () => mine(f.worker));
  });
});

describe('api.record_reveal', () => {
  it('records each reveal as content.revealed on the case chain, once per command id, changing no case', async () => {
    const c = await awaitingReview(f);
    const id = cmdId('reveal');
    const ch = await observe(f, () => reveal(f.people.mod1, c.id, id));
    expect(ch.error).toBeUndefined();
    expect(ch.result).toMatchObject({ outcome: 'applied', duplicate: false, case: { id: c.id } });
    expect(ch.changedCases).toEqual([]);
    expect(ch.commands).toEqual([expect.objectContaining({ id, type: 'reveal', case_id: c.id, actor: 'mod-1', tool: 'ui', status: 'applied', payload: { category: 'violence' } })]);
    expect(ch.audit).toHaveLength(1);
    expect(ch.audit[0]).toMatchObject({
      stream: `case:${c.id}`, case_id: c.id, type: 'content.revealed', actor: 'mod-1', db_login: f.people.mod1.login, tool: 'ui',
      payload: { commandId: id, category: 'violence' },
    });
    await expectDuplicateChangesNothing(f, () => reveal(f.people.mod1, c.id, id));
    // The same id for another category (or by another person) is a conflict, recorded as nothing new.
    const other = await reveal(f.people.mod1, c.id, id, 'hate').catch((e: { code: string }) => e);
    expect(other).toMatchObject({ code: 'GWCON' });
    // A second reveal (a new command id) is a second event.
    const again = await observe(f, () => reveal(f.people.mod1, c.id, cmdId('reveal')));
    expect(again.audit.map((a) => a.type)).toEqual(['content.revealed']);
  });

  it("a reveal of masked personal data (issue 14) is the same audited event, category 'personal_data'", async () => {
    const c = await awaitingReview(f);
    const id = cmdId('reveal-pii');
    const ch = await observe(f, () => reveal(f.people.mod2, c.id, id, 'personal_data'));
    expect(ch.result).toMatchObject({ outcome: 'applied', duplicate: false });
    expect(ch.changedCases).toEqual([]);
    expect(ch.commands).toEqual([expect.objectContaining({ id, type: 'reveal', actor: 'mod-2', status: 'applied', payload: { category: 'personal_data' } })]);
    expect(ch.audit).toEqual([expect.objectContaining({ type: 'content.revealed', actor: 'mod-2', db_login: f.people.mod2.login, payload: { commandId: id, category: 'personal_data' } })]);
  });

  it('a login that is no person is refused and audited; bad input and unknown cases raise and record nothing', async () => {
    const c = await awaitingReview(f);
    const id = cmdId('reveal-stranger');
    await expectOnlyRefusal(f, () => reveal(f.stranger, c.id, id), { commandId: id, type: 'reveal', caseId: c.id, by: f.stranger, code: 'forbidden', tool: 'ui' });
    await expectRaisedNothingChanged(f, () => reveal(f.people.mod1, c.id, cmdId('reveal'), 'spam'), 'GWINV');
    await expectRaisedNothingChanged(f, () => reveal(f.people.mod1, unknownCase(), cmdId('reveal')), 'GWNFD');
    await expectWorkerCannotExecute(f, 'api.record_reveal(uuid, text, text, text)', () => reveal(f.worker, c.id, cmdId('reveal')));
  });
});
