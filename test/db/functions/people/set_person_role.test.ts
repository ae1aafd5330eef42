/**
 * api.set_person_role (resources/db/functions/people/set_person_role.sql): an admin moves a person to another
 * group (the login's membership and the moderators row together), audited as person.role_changed. It runs
 * private.set_membership (membership.sql) and, refused, private.refuse_people (refuse_people.sql).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADD, call, effectiveRoles, eventsSince, expectPeopleFunction, groupsOf, installationRoles, mark, type PeopleWorld, peopleWorld,
  personRow, refusal, roleAttrs, SET_ROLE, verifier,
} from './support.js';

let w: PeopleWorld;
beforeAll(async () => {
  w = await peopleWorld();
});
afterAll(() => w?.inst.drop());

const login = (id: string) => w.inst.roles.personLogin(id);
const group = (role: 'moderator' | 'supervisor' | 'admin') => [{ group: w.inst.roles[role], admin: false }];

async function newPerson(id: string, role = 'moderator') {
  expect((await call(w.admin, ADD, [id, role, null, verifier(), 'api'])).outcome).toBe('applied');
  return w.inst.pool(w.inst.urlFor(login(id)));
}

describe('api.set_person_role by an admin', () => {
  it('moves the login to exactly the new group, updates the person and audits person.role_changed with the admin as actor', async () => {
    const bob = await newPerson('bob');
    const whoami = async () => (await bob.query('SELECT api.whoami() AS r')).rows[0].r.role;
    expect(await whoami()).toBe('moderator');
    const steps: Array<['moderator' | 'supervisor' | 'admin', 'moderator' | 'supervisor' | 'admin', string[]]> = [
      ['moderator', 'supervisor', ['moderator', 'supervisor']],
      ['supervisor', 'admin', ['admin', 'moderator', 'supervisor']],
      ['admin', 'moderator', ['moderator']],
    ];
    for (const [from, to, effective] of steps) {
      const since = await mark(w);
      const r = await call(w.admin, SET_ROLE, ['bob', to, 'cli']);
      expect(r).toEqual({ outcome: 'applied', person: { id: 'bob', role: to, displayName: 'bob', login: login('bob'), active: true } });
      expect(await groupsOf(w, login('bob'))).toEqual(group(to));
      expect(await effectiveRoles(w, login('bob'))).toEqual(effective);
      expect(await personRow(w, 'bob')).toMatchObject({ role: to, active: true });
      expect(await eventsSince(w, since)).toEqual([{
        id: expect.any(Number), type: 'person.role_changed', actor: 'root', tool: 'cli', db_login: w.root.login, payload: { id: 'bob', from, to },
      }]);
      // The database decides the role of every call by the login's membership: it takes effect at once.
      expect(await whoami()).toBe(to);
    }
    expect(await roleAttrs(w, login('bob'))).toMatchObject({ rolsuper: false, rolcreaterole: false, rolcanlogin: true });
  });
});

describe('refusals', () => {
  it('a moderator or a supervisor (also promoting themselves): forbidden, recorded as person.refused with them as actor; nothing moves', async () => {
    await newPerson('target');
    const attempts: Array<[typeof w.mod, typeof w.moderator, string, string]> = [
      [w.mod, w.moderator, 'target', 'admin'], [w.mod, w.moderator, 'mod', 'admin'],
      [w.sup, w.supervisor, 'target', 'supervisor'], [w.sup, w.supervisor, 'sup', 'admin'],
    ];
    for (const [who, pool, id, role] of attempts) {
      const before = await groupsOf(w, login(id));
      const since = await mark(w);
      const r = await call(pool, SET_ROLE, [id, role, 'ui']);
      expect(r).toEqual({ outcome: 'rejected', error: { code: 'forbidden', message: 'Changing roles needs an admin.' } });
      expect(await eventsSince(w, since)).toEqual([{
        id: expect.any(Number), type: 'person.refused', actor: who.id, tool: 'ui', db_login: who.login,
        payload: { command: 'set_person_role', id, code: 'forbidden', message: 'Changing roles needs an admin.', role },
      }]);
      expect(await groupsOf(w, login(id))).toEqual(before);
    }
    expect((await personRow(w, 'target')).role).toBe('moderator');
    expect((await personRow(w, 'sup')).role).toBe('supervisor');
  });

  it('an admin demoting themselves: forbidden and recorded; still an admin', async () => {
    const since = await mark(w);
    const r = await call(w.admin, SET_ROLE, ['root', 'moderator', 'cli']);
    expect(r).toEqual({ outcome: 'rejected', error: { code: 'forbidden', message: 'You cannot change your own role.' } });
    expect(await eventsSince(w, since)).toMatchObject([{ type: 'person.refused', actor: 'root', payload: { command: 'set_person_role', id: 'root', role: 'moderator' } }]);
    expect(await groupsOf(w, w.root.login)).toEqual(group('admin'));
    expect((await personRow(w, 'root')).role).toBe('admin');
  });

  it('a role that is not a person role (GWINV): no group of the installation, nor any other, is granted', async () => {
    await newPerson('carl');
    const since = await mark(w);
    for (const role of ['owner', 'role_manager', 'worker', 'superuser', 'pg_execute_server_program', 'Admin', '', null, `admin" WITH ADMIN OPTION --`]) {
      const e = await refusal(call(w.admin, SET_ROLE, ['carl', role, 'api']), `role ${JSON.stringify(role)}`);
      expect({ role, code: e.code, message: e.message }).toEqual({ role, code: 'GWINV', message: 'role: must be moderator, supervisor or admin' });
    }
    const e = await refusal(call(w.admin, SET_ROLE, ['carl', 'admin', 'bogus']));
    expect(e.code).toBe('GWINV');
    expect(await groupsOf(w, login('carl'))).toEqual(group('moderator'));
    expect(await effectiveRoles(w, login('carl'))).toEqual(['moderator']);
    expect(await eventsSince(w, since)).toEqual([]);
  });

  it('someone who is no person (GWNFD) — the worker login, a crafted or unknown id — is left alone', async () => {
    const rolesBefore = await installationRoles(w);
    const workerGroups = await groupsOf(w, w.inst.workerLogin);
    const since = await mark(w);
    for (const id of ['nobody', w.inst.workerLogin, 'worker1', `x" SUPERUSER --`, null]) {
      const e = await refusal(call(w.admin, SET_ROLE, [id, 'admin', 'api']), `id ${JSON.stringify(id)}`);
      expect({ id, code: e.code }).toEqual({ id, code: 'GWNFD' });
    }
    expect(await groupsOf(w, w.inst.workerLogin)).toEqual(workerGroups);
    expect(await installationRoles(w)).toEqual(rolesBefore);
    expect(await eventsSince(w, since)).toEqual([]);
  });

  it('the worker login is refused by PostgreSQL (42501); the function is the role manager\'s, for the person groups', async () => {
    const e = await refusal(w.worker.query(SET_ROLE, ['mod', 'admin', 'api']));
    expect(e.code).toBe('42501');
    expect(await groupsOf(w, w.mod.login)).toEqual(group('moderator'));
    await expectPeopleFunction(w, 'api.set_person_role(text, text, text)');
  });
});
