/**
 * api.set_minimum_version and api.minimum_version as real logins (issue 13): an admin sets the team's minimum
 * client version (audited release.minimum_version { from, to }, idempotent by command id); a moderator, a
 * supervisor, a login that is no person and the worker cannot; every person and the worker can read it. Also
 * the semver precedence the gate compares with (private.semver_cmp).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { api, awaitingReview, cmdId, createFixture, errorOf, expectDuplicateChangesNothing, expectRaisedNothingChanged, observe, type Actor, type Fixture } from './support.js';

let f: Fixture;
beforeAll(async () => {
  f = await createFixture();
});
afterAll(async () => {
  await f?.drop();
});

interface SetResult {
  outcome: 'applied' | 'rejected';
  duplicate: boolean;
  minimumVersion?: string | null;
  previous?: string | null;
  error?: { code: string; message: string };
}

const setMinimum = (who: Actor, version: string | null, commandId = cmdId('minver'), tool = 'cli') =>
  api<SetResult>(who, 'set_minimum_version', { p_version: version, p_command_id: commandId, p_tool: tool });
const stored = async () => (await f.inst.dba('SELECT minimum_client_version AS v, minimum_version_set_by AS by FROM private.installation')).rows[0];

// Every test starts from no minimum (as the DBA: arranging, not the product path), so that the fixture's
// pools, which report no version, are never refused by a minimum an earlier test left behind.
beforeEach(async () => {
  await f.inst.dba('UPDATE private.installation SET minimum_client_version = NULL, minimum_version_set_by = NULL, minimum_version_set_at = NULL');
});

describe('private.semver_cmp: semver 2.0.0 precedence', () => {
  const cases: Array<[string, string, number | null]> = [
    ['0.1.0', '0.2.0', -1],
    ['0.2.0', '0.2.0', 0],
    ['0.10.0', '0.9.0', 1], // numbers, not text
    ['1.0.0', '0.99.99', 1],
    ['0.2.1', '0.2.0', 1],
    ['0.2.0-beta.1', '0.2.0', -1], // a pre-release is older than its release
    ['0.2.0-beta.1', '0.1.9', 1],
    ['1.0.0-alpha', '1.0.0-alpha.1', -1], // a shorter list that matches is older
    ['1.0.0-alpha.1', '1.0.0-alpha.beta', -1], // numeric identifiers below alphanumeric ones
    ['1.0.0-beta.2', '1.0.0-beta.11', -1], // numeric identifiers as numbers
    ['1.0.0-rc.1', '1.0.0-beta.11', 1],
    ['1.0.0-Beta', '1.0.0-beta', -1], // ASCII order
    ['1.0.0+build.5', '1.0.0', 0], // build metadata ignored
    ['99999999999999999999.0.0', '1.0.0', 1], // no integer overflow
    ['banana', '1.0.0', null],
    ['1.0', '1.0.0', null],
    ['01.0.0', '1.0.0', null], // no leading zeros
    ['v1.0.0', '1.0.0', null],
    ['', '1.0.0', null],
  ];
  it.for(cases)('%s vs %s → %s', async ([a, b, want]) => {
    const { rows } = await f.inst.dba('SELECT private.semver_cmp($1, $2) AS c', [a, b]);
    expect(rows[0].c).toBe(want);
    if (want !== null) expect((await f.inst.dba('SELECT private.semver_cmp($1, $2) AS c', [b, a])).rows[0].c).toBe(want === 0 ? 0 : -want);
  });
});

describe('api.set_minimum_version', () => {
  it('an admin sets it: stored, recorded as an applied command and audited with the old and new value', async () => {
    const id = cmdId('minver');
    const ch = await observe(f, () => setMinimum(f.people.admin, '0.2.0', id));
    expect(ch.error).toBeUndefined();
    expect(ch.result).toEqual({ outcome: 'applied', duplicate: false, minimumVersion: '0.2.0', previous: null });
    expect(await stored()).toEqual({ v: '0.2.0', by: 'admin-1' });
    expect(ch.changedCases).toEqual([]);
    expect(ch.commands).toHaveLength(1);
    expect(ch.commands[0]).toMatchObject({
      id, type: 'minimum_version', case_id: null, actor: 'admin-1', tool: 'cli', status: 'applied', payload: { minimumVersion: '0.2.0' },
    });
    expect(ch.audit).toEqual([
      expect.objectContaining({
        stream: 'global', case_id: null, type: 'release.minimum_version', actor: 'admin-1', tool: 'cli', db_login: f.people.admin.login,
        payload: { commandId: id, from: null, to: '0.2.0' },
      }),
    ]);

    // Raised again: the audit says from what.
    const raised = await observe(f, () => setMinimum(f.people.admin, '0.3.0-rc.1'));
    expect(raised.result).toMatchObject({ outcome: 'applied', minimumVersion: '0.3.0-rc.1', previous: '0.2.0' });
    expect(raised.audit[0]?.payload).toMatchObject({ from: '0.2.0', to: '0.3.0-rc.1' });

    // NULL removes it.
    expect(await setMinimum(f.people.admin, null)).toMatchObject({ outcome: 'applied', minimumVersion: null, previous: '0.3.0-rc.1' });
    expect((await stored())!.v).toBeNull();
  });

  it('the same command id again returns the first outcome and changes nothing; for another version it is a conflict', async () => {
    // A note on a case first (the fixture's pools report no version: once a minimum is set they are refused).
    const c = await awaitingReview(f);
    const noteId = cmdId('note');
    expect((await api(f.people.admin, 'add_note', { p_case_id: c.id, p_command_id: noteId, p_text: 'hello' })).outcome).toBe('applied');
    const id = cmdId('minver');
    expect(await setMinimum(f.people.admin, '0.4.0', id)).toMatchObject({ outcome: 'applied', previous: null });
    const again = await expectDuplicateChangesNothing(f, () => setMinimum(f.people.admin, '0.4.0', id) as never);
    expect(again).toEqual({ outcome: 'applied', duplicate: true, minimumVersion: '0.4.0', previous: null });
    const err = await expectRaisedNothingChanged(f, () => setMinimum(f.people.admin, '0.5.0', id), 'GWCON');
    expect(err.message).toMatch(/already used for a different command/);
    // An id another command (the note) used is a conflict too.
    expect((await expectRaisedNothingChanged(f, () => setMinimum(f.people.admin, '0.4.0', noteId), 'GWCON')).message).toMatch(/already used/);
    expect((await stored())!.v).toBe('0.4.0');
  });

  it.for(['', '  ', 'banana', '1.0', '1.0.0.0', 'v1.0.0', '01.2.3', '1.2.3-', `1.2.3-${'a'.repeat(70)}`])(
    'refuses the version %j as invalid input naming the field, changing nothing',
    async (bad) => {
      const err = await expectRaisedNothingChanged(f, () => setMinimum(f.people.admin, bad), 'GWINV');
      expect(err.message).toMatch(/^version: /);
    },
  );

  it('refuses a bad envelope (command id, tool) like every command function', async () => {
    expect((await expectRaisedNothingChanged(f, () => setMinimum(f.people.admin, '0.2.0', 'short'), 'GWINV')).message).toMatch(/^commandId: /);
    expect((await expectRaisedNothingChanged(f, () => setMinimum(f.people.admin, '0.2.0', cmdId(), 'psql'), 'GWINV')).message).toMatch(/^tool: /);
  });

  it.for(['mod1', 'sup1'] as const)('%s (their own login) is refused forbidden: recorded and audited, the minimum unchanged', async (key) => {
    await setMinimum(f.people.admin, '0.2.0');
    const who = f.people[key];
    const id = cmdId('minver');
    const ch = await observe(f, () => setMinimum(who, '0.0.1', id));
    expect(ch.error).toBeUndefined();
    expect(ch.result).toEqual({
      outcome: 'rejected', duplicate: false, error: { code: 'forbidden', message: 'Setting the minimum client version needs an admin.' },
    });
    expect(await stored()).toEqual({ v: '0.2.0', by: 'admin-1' });
    expect(ch.commands).toEqual([expect.objectContaining({ id, type: 'minimum_version', case_id: null, actor: who.id, status: 'rejected' })]);
    expect(ch.audit).toEqual([
      expect.objectContaining({ stream: 'global', type: 'command.rejected', actor: who.id, db_login: who.login, payload: expect.objectContaining({ commandId: id, code: 'forbidden' }) }),
    ]);
    // And they cannot write the table behind it either.
    expect((await errorOf(who.pool.query(`UPDATE private.installation SET minimum_client_version = '0.0.1'`))).code).toBe('42501');
  });

  it('a login that is no person of the installation is refused forbidden', async () => {
    const r = await setMinimum(f.stranger, '0.0.1');
    expect(r).toMatchObject({ outcome: 'rejected', error: { code: 'forbidden' } });
    expect((await stored())!.v).toBeNull();
  });

  it('the worker login may not call it at all', async () => {
    const err = await expectRaisedNothingChanged(f, () => setMinimum(f.worker, '0.0.1'), '42501');
    expect(err.message).toMatch(/permission denied/);
  });
});

describe('api.minimum_version', () => {
  it('every person and the worker read it; NULL when none is set', async () => {
    for (const who of [f.people.mod1, f.people.sup1, f.people.admin, f.worker])
      expect(await api(who, 'minimum_version')).toEqual({ minimumVersion: null, setAt: null, clientVersion: null, current: true });
    await setMinimum(f.people.admin, '1.2.3');
    // The fixture's pools report no version: not current once a minimum is set.
    for (const who of [f.people.mod1, f.worker])
      expect(await api(who, 'minimum_version')).toEqual({
        minimumVersion: '1.2.3', setAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), clientVersion: null, current: false,
      });
  });
});
