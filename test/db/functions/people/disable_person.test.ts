/**
 * api.disable_person (resources/db/functions/people/disable_person.sql): an admin disables a person — their
 * login becomes NOLOGIN, their open sessions are ended, the person is inactive (so every command function
 * refuses them even if the login could connect again), audited as person.disabled; the group membership and
 * the audit history stay. Refused, it records person.refused through private.refuse_people.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../support/isolation.js';
import {
  ADD, call, DISABLE, eventsSince, expectPeopleFunction, groupsOf, mark, type PeopleWorld, peopleWorld, personRow, refusal, roleAttrs,
  verifier,
} from './support.js';

let w: PeopleWorld;
beforeAll(async () => {
  w = await peopleWorld();
});
afterAll(() => w?.inst.drop());

const login = (id: string) => w.inst.roles.personLogin(id);
const sessions = async (who: string) =>
  (await w.inst.dba('SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1', [who])).rows[0].n as number;

async function newPerson(id: string, role = 'moderator') {
  expect((await call(w.admin, ADD, [id, role, null, verifier(), 'api'])).outcome).toBe('applied');
}

/** A connection of its own as `who` (not pooled: the test watches it end). */
async function connectAs(who: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: w.inst.urlFor(who) });
  c.on('error', () => {});
  await c.connect();
  return c;
}

describe('api.disable_person by an admin', () => {
  it('makes the login NOLOGIN, the person inactive, ends their sessions and audits person.disabled with the admin as actor', async () => {
    await newPerson('dan');
    const dan = await connectAs(login('dan'));
    try {
      expect((await dan.query('SELECT api.whoami() AS r')).rows[0].r.id).toBe('dan');
      const groups = await groupsOf(w, login('dan'));
      const since = await mark(w);
      const r = await call(w.admin, DISABLE, ['dan', 'cli']);
      expect(r).toEqual({ outcome: 'applied', person: { id: 'dan', role: 'moderator', displayName: 'dan', login: login('dan'), active: false } });

      expect(await roleAttrs(w, login('dan'))).toMatchObject({ rolcanlogin: false, rolsuper: false, rolcreaterole: false });
      const row = await personRow(w, 'dan');
      expect(row).toMatchObject({ active: false, role: 'moderator', login: login('dan') });
      expect(row.disabled_at).toBeInstanceOf(Date);
      expect(await groupsOf(w, login('dan'))).toEqual(groups);
      expect(await eventsSince(w, since)).toEqual([{
        id: expect.any(Number), type: 'person.disabled', actor: 'root', tool: 'cli', db_login: w.root.login, payload: { id: 'dan', login: login('dan') },
      }]);

      // Their open session was ended, and they cannot connect again.
      await expect(dan.query('SELECT 1')).rejects.toThrow();
      await waitFor(async () => (await sessions(login('dan'))) === 0, { message: "dan's sessions to end" });
      const e = await refusal(connectAs(login('dan')));
      expect(e.code).toBe('28000');
      expect(e.message).toMatch(/is not permitted to log in/);
    } finally {
      await dan.end().catch(() => {});
    }
  });

  it('a disabled person is refused every command even if their login is let in again by hand', async () => {
    await newPerson('eve', 'admin');
    await call(w.admin, DISABLE, ['eve', 'api']);
    // Arranged by the DBA: the login can connect again (moderators.active still says no).
    await w.inst.dba(`ALTER ROLE "${login('eve')}" LOGIN`);
    const eve = w.inst.pool(w.inst.urlFor(login('eve')));
    expect((await refusal(eve.query('SELECT api.whoami()'))).code).toBe('GWFRB');
    const since = await mark(w);
    const r = await call(eve, ADD, ['eves-friend', 'admin', null, verifier(), 'api']);
    expect(r).toEqual({ outcome: 'rejected', error: { code: 'forbidden', message: `The login "${login('eve')}" is not an active person of this installation.` } });
    expect(await eventsSince(w, since)).toMatchObject([{ type: 'person.refused', actor: login('eve'), db_login: login('eve'), payload: { command: 'add_person' } }]);
    expect(await roleAttrs(w, login('eves-friend'))).toBeUndefined();
  });

  it('disabling a disabled person again changes and audits nothing', async () => {
    await newPerson('fay');
    await call(w.admin, DISABLE, ['fay', 'api']);
    const before = await personRow(w, 'fay');
    const since = await mark(w);
    expect(await call(w.admin, DISABLE, ['fay', 'api'])).toMatchObject({ outcome: 'applied', person: { id: 'fay', active: false } });
    expect(await personRow(w, 'fay')).toEqual(before);
    expect(await eventsSince(w, since)).toEqual([]);
  });
});

describe('refusals', () => {
  it('a moderator or a supervisor: forbidden, recorded as person.refused with them as actor; the target can still log in', async () => {
    await newPerson('gus');
    for (const [who, pool] of [[w.mod, w.moderator], [w.sup, w.supervisor]] as const) {
      for (const id of ['gus', 'root']) {
        const since = await mark(w);
        const r = await call(pool, DISABLE, [id, 'ui']);
        expect(r).toEqual({ outcome: 'rejected', error: { code: 'forbidden', message: 'Disabling people needs an admin.' } });
        expect(await eventsSince(w, since)).toEqual([{
          id: expect.any(Number), type: 'person.refused', actor: who.id, tool: 'ui', db_login: who.login,
          payload: { command: 'disable_person', id, code: 'forbidden', message: 'Disabling people needs an admin.' },
        }]);
      }
    }
    for (const id of ['gus', 'root']) {
      expect(await roleAttrs(w, login(id)), id).toMatchObject({ rolcanlogin: true });
      expect((await personRow(w, id)).active, id).toBe(true);
    }
  });

  it('an admin disabling themselves: forbidden and recorded; they stay enabled and connected', async () => {
    const since = await mark(w);
    const r = await call(w.admin, DISABLE, ['root', 'cli']);
    expect(r).toEqual({ outcome: 'rejected', error: { code: 'forbidden', message: 'You cannot disable yourself.' } });
    expect(await eventsSince(w, since)).toMatchObject([{ type: 'person.refused', actor: 'root', payload: { command: 'disable_person', id: 'root', code: 'forbidden' } }]);
    expect(await roleAttrs(w, w.root.login)).toMatchObject({ rolcanlogin: true });
    expect((await personRow(w, 'root')).active).toBe(true);
    expect((await w.admin.query('SELECT api.whoami() AS r')).rows[0].r.id).toBe('root');
  });

  it('someone who is no person (GWNFD) — the worker login, a crafted or unknown id — keeps their login; a bad tool is GWINV', async () => {
    const since = await mark(w);
    for (const id of ['nobody', w.inst.workerLogin, 'worker1', `x" NOLOGIN --`, null]) {
      const e = await refusal(call(w.admin, DISABLE, [id, 'api']), `id ${JSON.stringify(id)}`);
      expect({ id, code: e.code }).toEqual({ id, code: 'GWNFD' });
    }
    expect(await roleAttrs(w, w.inst.workerLogin)).toMatchObject({ rolcanlogin: true });
    expect((await refusal(call(w.admin, DISABLE, ['mod', 'bogus']))).code).toBe('GWINV');
    expect(await roleAttrs(w, w.mod.login)).toMatchObject({ rolcanlogin: true });
    expect(await eventsSince(w, since)).toEqual([]);
  });

  it('the worker login is refused by PostgreSQL (42501); the function is the role manager\'s, for the person groups', async () => {
    const e = await refusal(w.worker.query(DISABLE, ['mod', 'api']));
    expect(e.code).toBe('42501');
    expect(await roleAttrs(w, w.mod.login)).toMatchObject({ rolcanlogin: true });
    await expectPeopleFunction(w, 'api.disable_person(text, text)');
  });
});
