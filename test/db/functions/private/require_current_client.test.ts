/**
 * The minimum client version, enforced by the database (issue 13): every person's command function calls
 * private.check_envelope, which refuses (GWUPD → update_required, CLI exit 5) a client older than the minimum
 * an admin set, or one that reports no version or not a version, rolling the command back whole: nothing
 * changed, no command row, no audit event. Reads keep working. Each client here is a person's own login on
 * a pool made by createDb (src/core/store/db.ts), reporting its version in the startup packet as the app,
 * the CLI and the worker do.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { exitCodeFor, GuardianError } from '../../../../src/core/errors.js';
import { createDb, withClientVersion, type Db } from '../../../../src/core/store/db.js';
import { dbCall } from '../../../../src/core/store/db-errors.js';
import { generatePassword, scramVerifier } from '../../../../src/core/setup/scram.js';
import {
  api,
  appealed,
  actioned,
  awaitingReview,
  caseRow,
  cmdId,
  createFixture,
  expectRaisedNothingChanged,
  observe,
  type Actor,
  type Fixture,
} from '../api/support.js';

let f: Fixture;
const dbs: Db[] = [];
beforeAll(async () => {
  f = await createFixture();
});
afterAll(async () => {
  await Promise.all(dbs.map((d) => d.close().catch(() => {})));
  await f?.drop();
});

/** The person's own login, on a pool that reports `version` when it connects (undefined: reports nothing). */
function client(who: Actor, version: string | undefined, url?: string): Actor {
  const person = Object.values(f.people).find((p) => p.login === who.login);
  const connectionString = url ?? f.inst.urlFor(person?.login ?? who.login);
  const db = createDb({ connectionString, max: 1, clientVersion: version ?? '' });
  dbs.push(db);
  return { ...who, pool: db.pool };
}

const setMinimum = async (version: string | null) => {
  const admin = client(f.people.admin, '0.0.0-current');
  const r = await api(admin, 'set_minimum_version', { p_version: version, p_command_id: cmdId('minver') });
  expect(r.outcome, JSON.stringify(r)).toBe('applied');
};

const decide = (who: Actor, caseId: string, commandId = cmdId('decide')) =>
  api(who, 'decide_case', { p_case_id: caseId, p_command_id: commandId, p_decision: 'remove', p_reason: 'harassment, clearly', p_tool: 'ui' });

beforeEach(async () => {
  // Arranging as the DBA: no minimum, so that the fixture's arranging (worker functions, plain pools) runs.
  await f.inst.dba('UPDATE private.installation SET minimum_client_version = NULL');
});

describe('what the client reports', () => {
  it('createDb sends guardian.client_version in the startup packet (RESET ALL keeps it)', async () => {
    const me = client(f.people.mod1, '0.1.0');
    expect((await me.pool.query(`SELECT current_setting('guardian.client_version', true) AS v`)).rows[0].v).toBe('0.1.0');
    await me.pool.query('RESET ALL');
    expect((await me.pool.query(`SELECT current_setting('guardian.client_version', true) AS v`)).rows[0].v).toBe('0.1.0');
    // Nothing to report: nothing sent.
    const none = client(f.people.mod1, undefined);
    expect((await none.pool.query(`SELECT current_setting('guardian.client_version', true) AS v`)).rows[0].v).toBeNull();
  });

  it('keeps the options a connection string already has (pg would otherwise let the string replace ours)', async () => {
    const u = new URL(f.inst.urlFor(f.people.mod1.login));
    u.searchParams.set('options', '-c statement_timeout=4321');
    expect(withClientVersion(u.toString(), '0.3.0')).toEqual({
      connectionString: f.inst.urlFor(f.people.mod1.login),
      options: '-c statement_timeout=4321 -c guardian.client_version=0.3.0',
    });
    const me = client(f.people.mod1, '0.3.0', u.toString());
    const { rows } = await me.pool.query(`SELECT current_setting('statement_timeout') AS t, current_setting('guardian.client_version', true) AS v`);
    expect(rows[0]).toEqual({ t: '4321ms', v: '0.3.0' });
  });

  it('escapes what the server would split on: a reported value is one setting', async () => {
    const me = client(f.people.mod1, '1.0.0 -c statement_timeout=1');
    const { rows } = await me.pool.query(`SELECT current_setting('statement_timeout') AS t, current_setting('guardian.client_version', true) AS v`);
    expect(rows[0]).toEqual({ t: '0', v: '1.0.0 -c statement_timeout=1' });
  });
});

describe('with no minimum set', () => {
  it('every client decides: an old one, and one that reports nothing', async () => {
    for (const version of ['0.0.1', undefined, 'banana']) {
      const c = await awaitingReview(f);
      expect((await decide(client(f.people.mod1, version), c.id)).outcome).toBe('accepted');
    }
  });
});

describe('an admin set the minimum 0.2.0', () => {
  it("a 0.1.0 client's decide (the person's own login) is refused update_required and nothing changed", async () => {
    const c = await awaitingReview(f);
    await setMinimum('0.2.0');
    const before = await caseRow(f, c.id);
    const old = client(f.people.mod1, '0.1.0');
    const id = cmdId('decide');
    const err = await expectRaisedNothingChanged(f, () => decide(old, c.id, id), 'GWUPD', 'a 0.1.0 decide');
    expect(err.message).toBe(
      'Update required: this client is 0.1.0, the minimum is 0.2.0. Update Guardian Workstation to send commands; reading still works.',
    );
    const after = await caseRow(f, c.id);
    expect({ status: after.status, version: after.version, last: after.last_command_id }).toEqual({
      status: 'awaiting_review', version: before.version, last: before.last_command_id,
    });
    expect((await f.inst.dba('SELECT count(*)::int AS n FROM commands WHERE id = $1', [id])).rows[0].n).toBe(0);

    // The typed error of the contract, as the command client, the UI and the CLI see it.
    const typed = await dbCall(() => decide(old, c.id)).then(() => undefined, (e: unknown) => e);
    expect(typed).toBeInstanceOf(GuardianError);
    expect({ code: (typed as GuardianError).code, details: (typed as GuardianError).details, exit: exitCodeFor(typed) }).toEqual({
      code: 'update_required', details: { minimumVersion: '0.2.0', clientVersion: '0.1.0', sqlstate: 'GWUPD' }, exit: 5,
    });

    // Updated, the same person sends the same command (the same id) again: it goes through.
    const current = client(f.people.mod1, '0.2.0');
    expect(await decide(current, c.id, id)).toMatchObject({ outcome: 'accepted', duplicate: false, case: { status: 'executing' } });
  });

  it.for(['0.2.0', '0.2.1', '0.10.0', '1.0.0', '0.2.0+build.7', '0.3.0-beta.1'])('a %s client decides', async (version) => {
    const c = await awaitingReview(f);
    await setMinimum('0.2.0');
    const ch = await observe(f, () => decide(client(f.people.mod1, version), c.id));
    expect(ch.error).toBeUndefined();
    expect(ch.result).toMatchObject({ outcome: 'accepted' });
    expect(ch.changedCases).toEqual([c.id]);
  });

  it.for([
    ['0.2.0-beta.1', 'this client is 0.2.0-beta.1'], // a pre-release is older than its release
    ['0.1.99', 'this client is 0.1.99'],
    ['0.1.10', 'this client is 0.1.10'],
    [undefined, 'this client reported no version'],
    ['banana', 'this client reported "banana", which is not a version'],
    ['0.2', 'this client reported "0.2", which is not a version'],
    ['v0.2.0', 'this client reported "v0.2.0", which is not a version'],
  ] as const)('a client reporting %j is refused (%s)', async ([version, said]) => {
    const c = await awaitingReview(f);
    await setMinimum('0.2.0');
    const err = await expectRaisedNothingChanged(f, () => decide(client(f.people.mod1, version), c.id), 'GWUPD');
    expect(err.message).toContain(`Update required: ${said}, the minimum is 0.2.0.`);
    expect(JSON.parse(err.detail!)).toEqual({ minimumVersion: '0.2.0', clientVersion: version ?? null });
  });

  it('every person command function refuses the old client, changing nothing', async () => {
    const review = await awaitingReview(f);
    const done = await actioned(f, f.people.mod2);
    const appeal = await appealed(f, f.people.mod2);
    await setMinimum('0.2.0');
    const oldMod = client(f.people.mod1, '0.1.0');
    const oldSup = client(f.people.sup1, '0.1.0');
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['claim_case', () => api(oldMod, 'claim_case', { p_case_id: review.id, p_command_id: cmdId() })],
      ['release_case', () => api(oldMod, 'release_case', { p_case_id: review.id, p_command_id: cmdId() })],
      ['decide_case', () => decide(oldMod, review.id)],
      ['add_note', () => api(oldMod, 'add_note', { p_case_id: review.id, p_command_id: cmdId(), p_text: 'a note' })],
      ['request_escalation', () => api(oldMod, 'request_escalation', { p_case_id: review.id, p_command_id: cmdId(), p_reason: 'needs a second look' })],
      ['rollback_case', () => api(oldSup, 'rollback_case', { p_case_id: done.id, p_command_id: cmdId(), p_reason: 'that was wrong' })],
      ['decide_appeal', () => api(oldSup, 'decide_appeal', { p_case_id: appeal.id, p_command_id: cmdId(), p_outcome: 'overturn', p_reason: 'it was a quote' })],
    ];
    for (const [fn, call] of calls) await expectRaisedNothingChanged(f, call, 'GWUPD', `api.${fn}`);
    // The same calls from a current client are not refused for the version (they go through, or are
    // refused for their own reasons, recorded).
    const cur = client(f.people.sup1, '0.2.0');
    expect((await api(cur, 'decide_appeal', { p_case_id: appeal.id, p_command_id: cmdId(), p_outcome: 'overturn', p_reason: 'it was a quote' })).outcome).toBe('accepted');
  });

  it('the old client still reads: cases, its own person, the minimum', async () => {
    const c = await awaitingReview(f);
    await setMinimum('0.2.0');
    const old = client(f.people.mod1, '0.1.0');
    expect((await old.pool.query('SELECT id, status FROM cases WHERE id = $1', [c.id])).rows).toEqual([{ id: c.id, status: 'awaiting_review' }]);
    expect(await api(old, 'whoami')).toMatchObject({ id: 'mod-1', role: 'moderator' });
    expect(await api(old, 'minimum_version')).toMatchObject({ minimumVersion: '0.2.0', clientVersion: '0.1.0', current: false });
    // What the gate decides, read before any command: a worker (or a workstation) can tell it is too old.
    expect(await api(client(f.worker, '0.2.0'), 'minimum_version')).toMatchObject({ clientVersion: '0.2.0', current: true });
    expect(await api(client(f.worker, '0.1.9'), 'minimum_version')).toMatchObject({ clientVersion: '0.1.9', current: false });
    expect((await old.pool.query('SELECT count(*)::int AS n FROM audit_events WHERE case_id = $1', [c.id])).rows[0].n).toBeGreaterThan(0);
  });

  it('a command the old client sent before the minimum was raised: sent again, its stored outcome comes back', async () => {
    const c = await awaitingReview(f);
    const other = await awaitingReview(f);
    const old = client(f.people.mod1, '0.1.0');
    const id = cmdId('decide');
    expect((await decide(old, c.id, id)).outcome).toBe('accepted');
    await setMinimum('0.2.0');
    const ch = await observe(f, () => decide(old, c.id, id));
    expect(ch.error).toBeUndefined();
    expect(ch.result).toMatchObject({ outcome: 'accepted', duplicate: true });
    expect([ch.changedCases, ch.commands, ch.audit]).toEqual([[], [], []]);
    // …but a recorded id is no way around the gate: for another command (another case) it is a conflict.
    await expectRaisedNothingChanged(f, () => decide(old, other.id, id), 'GWCON');
  });

  it('a person cannot get past it by saying nothing, and an admin on an old client can still lower it', async () => {
    await setMinimum('9.0.0');
    const oldAdmin = client(f.people.admin, '0.1.0');
    const c = await awaitingReview(f);
    await expectRaisedNothingChanged(f, () => decide(oldAdmin, c.id), 'GWUPD');
    // set_minimum_version is not gated: a minimum set too high is not a lock-out.
    expect(await api(oldAdmin, 'set_minimum_version', { p_version: '0.1.0', p_command_id: cmdId('minver') })).toMatchObject({
      outcome: 'applied', minimumVersion: '0.1.0', previous: '9.0.0',
    });
    expect((await decide(oldAdmin, c.id)).outcome).toBe('accepted');
  });

  it('people admin from an old client changes nobody: add, change role and disable are refused update_required', async () => {
    await setMinimum('0.2.0');
    const oldAdmin = client(f.people.admin, '0.1.0');
    const newcomer = `minver-${cmdId('p').slice(-8)}`;
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['add_person', () => api(oldAdmin, 'add_person', { p_id: newcomer, p_role: 'moderator', p_display_name: 'New One', p_password_verifier: scramVerifier(generatePassword()), p_tool: 'cli' })],
      ['set_person_role', () => api(oldAdmin, 'set_person_role', { p_id: f.people.mod2.id, p_role: 'supervisor', p_tool: 'cli' })],
      ['disable_person', () => api(oldAdmin, 'disable_person', { p_id: f.people.mod2.id, p_tool: 'cli' })],
    ];
    for (const [fn, call] of calls) await expectRaisedNothingChanged(f, call, 'GWUPD', `api.${fn}`);
    const people = await f.inst.dba<{ id: string; role: string; active: boolean }>('SELECT id, role, active FROM moderators WHERE id = ANY($1) ORDER BY id', [[newcomer, f.people.mod2.id]]);
    expect(people.rows).toEqual([{ id: f.people.mod2.id, role: 'moderator', active: true }]);
    // A current admin client may.
    const cur = client(f.people.admin, '0.2.0');
    expect(await api(cur, 'set_person_role', { p_id: f.people.mod2.id, p_role: 'moderator', p_tool: 'cli' })).toBeDefined();
  });
});
