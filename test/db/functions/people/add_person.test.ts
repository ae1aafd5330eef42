/**
 * api.add_person (resources/db/functions/people/add_person.sql), with the internal helpers it runs as the
 * role manager: private.person_login, private.set_membership, private.save_person (membership.sql) and
 * private.refuse_people (refuse_people.sql). Those helpers are not callable by any login but the DBA, so
 * they are covered here through add_person (and through set_person_role / disable_person in their files);
 * the last describe shows nobody can call them, or the DBA-only private.bootstrap_person, directly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADD, call, DISABLE, effectiveRoles, eventsSince, expectPeopleFunction, groupsOf, installationRoles, mark, type PeopleWorld,
  peopleWorld, personRow, PLAIN_LOGIN, refusal, roleAttrs, verifier,
} from './support.js';

let w: PeopleWorld;
beforeAll(async () => {
  w = await peopleWorld();
});
afterAll(() => w?.inst.drop());

const login = (id: string) => w.inst.roles.personLogin(id);

describe('api.add_person by an admin', () => {
  it('creates the login <prefix>.<id> with the given SCRAM verifier in the role\'s group, the person, and person.added by the admin', async () => {
    const since = await mark(w);
    const v = verifier();
    const r = await call(w.admin, ADD, ['bea', 'moderator', 'Bea Moderator', v, 'cli']);
    expect(r).toEqual({ outcome: 'applied', person: { id: 'bea', role: 'moderator', displayName: 'Bea Moderator', login: login('bea') } });

    expect(await roleAttrs(w, login('bea'))).toEqual({ ...PLAIN_LOGIN, rolpassword: v });
    expect(await groupsOf(w, login('bea'))).toEqual([{ group: w.inst.roles.moderator, admin: false }]);
    expect(await effectiveRoles(w, login('bea'))).toEqual(['moderator']);
    expect(await personRow(w, 'bea')).toMatchObject({
      id: 'bea', display_name: 'Bea Moderator', role: 'moderator', login: login('bea'), active: true, disabled_at: null,
    });
    expect(await eventsSince(w, since)).toEqual([{
      id: expect.any(Number), type: 'person.added', actor: 'root', tool: 'cli', db_login: w.root.login,
      payload: { id: 'bea', role: 'moderator', displayName: 'Bea Moderator', login: login('bea') },
    }]);

    // The login is that person (trust auth here: the identity is what is tested, not the password).
    const bea = w.inst.pool(w.inst.urlFor(login('bea')));
    expect((await bea.query('SELECT api.whoami() AS r')).rows[0].r).toMatchObject({ id: 'bea', role: 'moderator', login: login('bea') });
  });

  it('puts a supervisor and an admin in exactly their group (admin ⊃ supervisor ⊃ moderator through the groups)', async () => {
    await call(w.admin, ADD, ['sid', 'supervisor', null, verifier(), 'api']);
    await call(w.admin, ADD, ['ann', 'admin', null, verifier(), 'ui']);
    expect(await groupsOf(w, login('sid'))).toEqual([{ group: w.inst.roles.supervisor, admin: false }]);
    expect(await groupsOf(w, login('ann'))).toEqual([{ group: w.inst.roles.admin, admin: false }]);
    expect(await effectiveRoles(w, login('sid'))).toEqual(['moderator', 'supervisor']);
    expect(await effectiveRoles(w, login('ann'))).toEqual(['admin', 'moderator', 'supervisor']);
    for (const id of ['sid', 'ann']) expect(await roleAttrs(w, login(id))).toMatchObject(PLAIN_LOGIN);
  });

  it('names a person by their id unless given a display name (trimmed, at most 200 characters)', async () => {
    expect((await call(w.admin, ADD, ['noname', 'moderator', null, verifier(), 'api'])).person.displayName).toBe('noname');
    expect((await call(w.admin, ADD, ['blank', 'moderator', '   ', verifier(), 'api'])).person.displayName).toBe('blank');
    expect((await call(w.admin, ADD, ['trim', 'moderator', '  Tr Im  ', verifier(), 'api'])).person.displayName).toBe('Tr Im');
    const e = await refusal(call(w.admin, ADD, ['longname', 'moderator', 'n'.repeat(201), verifier(), 'api']));
    expect(e).toEqual({ code: 'GWINV', message: 'displayName: at most 200 characters' });
    expect(await roleAttrs(w, login('longname'))).toBeUndefined();
  });

  it('the same id again resets the person (not a conflict): a new verifier, the role given, enabled again, audited as person.reset', async () => {
    await call(w.admin, ADD, ['rita', 'admin', 'Rita', verifier(), 'api']);
    await call(w.admin, DISABLE, ['rita', 'api']);
    expect(await roleAttrs(w, login('rita'))).toMatchObject({ rolcanlogin: false });
    const since = await mark(w);
    const v2 = verifier();
    const r = await call(w.admin, ADD, ['rita', 'moderator', 'Rita R.', v2, 'cli']);
    expect(r).toMatchObject({ outcome: 'applied', person: { id: 'rita', role: 'moderator', login: login('rita') } });
    expect(await roleAttrs(w, login('rita'))).toEqual({ ...PLAIN_LOGIN, rolpassword: v2 });
    expect(await groupsOf(w, login('rita'))).toEqual([{ group: w.inst.roles.moderator, admin: false }]);
    expect(await personRow(w, 'rita')).toMatchObject({ role: 'moderator', display_name: 'Rita R.', active: true, disabled_at: null });
    expect(await eventsSince(w, since)).toMatchObject([{ type: 'person.reset', actor: 'root', tool: 'cli', payload: { id: 'rita', role: 'moderator', login: login('rita') } }]);
    const { rows } = await w.inst.dba('SELECT count(*)::int AS n FROM moderators WHERE id = $1', ['rita']);
    expect(rows[0].n).toBe(1);
  });

  it('leaves alone a database role of that name that is no person: refused as a conflict, audited', async () => {
    await w.inst.dba(`CREATE ROLE "${login('squat')}" NOLOGIN`);
    const before = await roleAttrs(w, login('squat'));
    const since = await mark(w);
    const r = await call(w.admin, ADD, ['squat', 'admin', null, verifier(), 'cli']);
    expect(r).toEqual({ outcome: 'rejected', error: { code: 'conflict', message: expect.stringContaining(`"${login('squat')}" exists and is not a person`) } });
    expect(await roleAttrs(w, login('squat'))).toEqual(before);
    expect(await groupsOf(w, login('squat'))).toEqual([]);
    expect(await personRow(w, 'squat')).toBeUndefined();
    expect(await eventsSince(w, since)).toEqual([{
      id: expect.any(Number), type: 'person.refused', actor: 'root', tool: 'cli', db_login: w.root.login,
      payload: { command: 'add_person', id: 'squat', code: 'conflict', message: r.error.message, role: 'admin' },
    }]);
  });

  it('accepts a login of exactly 63 characters and refuses a longer one (PostgreSQL would truncate it)', async () => {
    const room = 63 - w.inst.roles.prefix.length - 1;
    const ok = 'a'.repeat(room);
    expect((await call(w.admin, ADD, [ok, 'moderator', null, verifier(), 'api'])).person.login).toHaveLength(63);
    const tooLong = 'b'.repeat(room + 1);
    const e = await refusal(call(w.admin, ADD, [tooLong, 'moderator', null, verifier(), 'api']));
    expect(e.code).toBe('GWINV');
    expect(e.message).toMatch(/would be longer than 63 characters/);
    expect(await installationRoles(w).then((rs) => rs.filter((x) => x.rolname.startsWith(login('bbb'))))).toEqual([]);
  });
});

describe('refusals', () => {
  it('a moderator or a supervisor: refused as forbidden, recorded as person.refused with them as the actor; nothing created', async () => {
    for (const [who, pool] of [[w.mod, w.moderator], [w.sup, w.supervisor]] as const) {
      const id = `by-${who.id}`;
      const since = await mark(w);
      const r = await call(pool, ADD, [id, 'admin', null, verifier(), 'ui']);
      expect(r).toEqual({ outcome: 'rejected', error: { code: 'forbidden', message: 'Adding people needs an admin.' } });
      expect(await eventsSince(w, since)).toEqual([{
        id: expect.any(Number), type: 'person.refused', actor: who.id, tool: 'ui', db_login: who.login,
        payload: { command: 'add_person', id, code: 'forbidden', message: 'Adding people needs an admin.', role: 'admin' },
      }]);
      expect(await roleAttrs(w, login(id))).toBeUndefined();
      expect(await personRow(w, id)).toBeUndefined();
    }
  });

  it('a login of the admin group that is no person of this installation: forbidden, recorded with the login as the actor', async () => {
    const ghost = `${w.inst.roles.prefix}_ghost`;
    await w.inst.dba(`CREATE ROLE "${ghost}" LOGIN IN ROLE "${w.inst.roles.admin}"`);
    const since = await mark(w);
    const r = await call(w.inst.pool(w.inst.urlFor(ghost)), ADD, ['via-ghost', 'admin', null, verifier(), 'api']);
    expect(r).toEqual({ outcome: 'rejected', error: { code: 'forbidden', message: `The login "${ghost}" is not an active person of this installation.` } });
    expect(await eventsSince(w, since)).toMatchObject([{ type: 'person.refused', actor: ghost, db_login: ghost, payload: { command: 'add_person', code: 'forbidden' } }]);
    expect(await roleAttrs(w, login('via-ghost'))).toBeUndefined();
  });

  it('an admin resetting themselves: forbidden and recorded; their login and role unchanged', async () => {
    const before = { attrs: await roleAttrs(w, w.root.login), groups: await groupsOf(w, w.root.login), row: await personRow(w, 'root') };
    const since = await mark(w);
    const r = await call(w.admin, ADD, ['root', 'moderator', null, verifier(), 'cli']);
    expect(r).toEqual({ outcome: 'rejected', error: { code: 'forbidden', message: 'You cannot reset your own login or role here.' } });
    expect(await eventsSince(w, since)).toMatchObject([{ type: 'person.refused', actor: 'root', payload: { command: 'add_person', id: 'root', code: 'forbidden', role: 'moderator' } }]);
    expect({ attrs: await roleAttrs(w, w.root.login), groups: await groupsOf(w, w.root.login), row: await personRow(w, 'root') }).toEqual(before);
  });

  it('invalid input (GWINV) is raised before anything is written — crafted ids, roles and passwords included', async () => {
    const v = verifier();
    const rolesBefore = await installationRoles(w);
    const people = (await w.inst.dba('SELECT count(*)::int AS n FROM moderators')).rows[0].n;
    const since = await mark(w);
    const cases: Array<[string, unknown[], string]> = [
      ...['', ' ', 'a b', 'x"y', "x'y", 'x;y', 'x\ny', 'é', 'a/b', 'x'.repeat(65), 'evil" SUPERUSER CREATEROLE --', 'evil SUPERUSER', "evil' SUPERUSER --", null]
        .map((id): [string, unknown[], string] => [`id ${JSON.stringify(id)}`, [id, 'moderator', null, v, 'api'], '^id: ']),
      ...['owner', 'role_manager', 'worker', 'superuser', 'Admin', '', null, 'admin" WITH ADMIN OPTION --', 'pg_execute_server_program', 'moderator, admin']
        .map((role): [string, unknown[], string] => [`role ${JSON.stringify(role)}`, ['crafted-role', role, null, v, 'api'], '^role: ']),
      ...[null, '', 'correct horse battery staple', `md5${'0'.repeat(32)}`, `${v}' SUPERUSER --`, `${v}\n`, v.replace('SCRAM-SHA-256', 'SCRAM-SHA-1'), `${v} `]
        .map((pw, i): [string, unknown[], string] => [`verifier ${JSON.stringify(pw)}`, [`crafted-pw-${i}`, 'admin', null, pw, 'api'], '^password: ']),
      ...['x', 'CLI', null].map((tool): [string, unknown[], string] => [`tool ${JSON.stringify(tool)}`, ['crafted-tool', 'admin', null, v, tool], '^tool: ']),
    ];
    for (const [what, params, message] of cases) {
      const e = await refusal(w.admin.query(ADD, params), what);
      expect({ what, code: e.code }).toEqual({ what, code: 'GWINV' });
      expect(e.message, what).toMatch(new RegExp(message));
    }
    expect(await installationRoles(w)).toEqual(rolesBefore);
    expect((await w.inst.dba('SELECT count(*)::int AS n FROM moderators')).rows[0].n).toBe(people);
    expect(await eventsSince(w, since)).toEqual([]);
  });

  it('a verifier PostgreSQL would not keep as a SCRAM verifier is refused (GWINV), not stored as a plaintext password', async () => {
    const v = verifier();
    const [, salt, keys] = /^SCRAM-SHA-256\$4096:([^$]+)\$(.+)$/.exec(v)!;
    const cases: Array<[string, string]> = [
      // Keys that are not 32 bytes: PostgreSQL cannot parse the verifier and hashes the text as a password.
      ['short keys', 'SCRAM-SHA-256$4096:c2FsdA==$YQ==:Yg=='],
      // 2^32 + 4096 iterations: not an int; PostgreSQL's parser wraps it (to 4096) or rejects it.
      ['iterations past int', `SCRAM-SHA-256$4294971392:${salt}$${keys}`],
      // Every sign-in makes the client compute them: more than a million would stall it (and fewer than
      // PostgreSQL's default is weaker than the server's own).
      ['ten million iterations', `SCRAM-SHA-256$10000000:${salt}$${keys}`],
      ['1000 iterations', `SCRAM-SHA-256$1000:${salt}$${keys}`],
      ['salt not base64', `SCRAM-SHA-256$4096:abcde$${keys}`],
    ];
    for (const [what, pw] of cases) {
      const id = `odd-${what.replace(/\W+/g, '-')}`;
      const outcome = await w.admin.query(ADD, [id, 'moderator', null, pw, 'api']).then(() => 'applied', (e: { code?: string }) => e.code);
      const stored = (await roleAttrs(w, login(id)))?.rolpassword;
      expect({ what, outcome, stored: stored === undefined ? 'no role' : stored === pw ? 'as given' : 'rehashed as a plaintext password' })
        .toEqual({ what, outcome: 'GWINV', stored: 'no role' });
    }
  });
});

describe('nobody gets more than a person group through add_person', () => {
  it('an admin cannot create or promote roles by hand, nor become the role manager', async () => {
    const attempts: Array<[string, string]> = [
      ['CREATE ROLE', `CREATE ROLE "${login('byhand')}" LOGIN SUPERUSER`],
      ['CREATE ROLE plain', `CREATE ROLE "${login('byhand')}" LOGIN`],
      ['SET ROLE role manager', `SET ROLE "${w.inst.roles.roleManager}"`],
      ['SET ROLE owner', `SET ROLE "${w.inst.roles.owner}"`],
      ['GRANT group', `GRANT "${w.inst.roles.admin}" TO "${w.mod.login}"`],
      ['ALTER ROLE', `ALTER ROLE "${w.mod.login}" CREATEROLE`],
      ['ALTER own ROLE', `ALTER ROLE "${w.root.login}" SUPERUSER`],
    ];
    for (const [what, sql] of attempts) {
      const e = await refusal(w.admin.query(sql), what);
      expect({ what, code: e.code }).toEqual({ what, code: '42501' });
    }
    expect(await roleAttrs(w, login('byhand'))).toBeUndefined();
    expect(await groupsOf(w, w.mod.login)).toEqual([{ group: w.inst.roles.moderator, admin: false }]);
  });

  it('the helpers (membership.sql, refuse_people.sql) and bootstrap_person are the DBA\'s: every login gets 42501', async () => {
    const v = verifier();
    const calls: Array<[string, unknown[]]> = [
      ['SELECT private.bootstrap_person($1, $2, $3, $4)', ['boot', 'admin', null, v]],
      ['SELECT private.save_person($1, $2, $3, $4, $5, $6)', ['saved', 'admin', null, v, 'x', 'cli']],
      ['SELECT private.set_membership($1, $2)', [w.mod.login, 'admin']],
      ['SELECT private.person_login($1)', ['x']],
      ['SELECT private.refuse_people($1, $2, $3, $4, $5, $6)', ['add_person', 'someone', 'cli', 'x', 'GWFRB', 'forged refusal']],
      ['SELECT private.ensure_local_person($1)', ['local']],
    ];
    const since = await mark(w);
    for (const [sql, params] of calls) {
      for (const [who, pool] of [['admin', w.admin], ['moderator', w.moderator], ['worker', w.worker]] as const) {
        const e = await refusal(pool.query(sql, params), `${who}: ${sql}`);
        expect({ who, sql, code: e.code }).toEqual({ who, sql, code: '42501' });
      }
    }
    expect(await roleAttrs(w, login('boot'))).toBeUndefined();
    expect(await roleAttrs(w, login('saved'))).toBeUndefined();
    expect(await groupsOf(w, w.mod.login)).toEqual([{ group: w.inst.roles.moderator, admin: false }]);
    expect(await eventsSince(w, since)).toEqual([]);
  });

  it('the worker login is refused api.add_person by PostgreSQL (42501); the function is the role manager\'s, for the person groups', async () => {
    const e = await refusal(w.worker.query(ADD, ['from-worker', 'admin', null, verifier(), 'api']));
    expect(e.code).toBe('42501');
    expect(e.message).toMatch(/^permission denied for (schema api|function add_person)$/);
    expect(await roleAttrs(w, login('from-worker'))).toBeUndefined();
    await expectPeopleFunction(w, 'api.add_person(text, text, text, text, text)');
  });

  it('after everything above: only the role manager may create roles, no role is superuser, no person login holds more than one person group', async () => {
    const roles = await installationRoles(w);
    const privileged = roles.filter((r) => r.rolsuper || r.rolcreaterole || r.rolcreatedb || r.rolreplication || r.rolbypassrls);
    expect(privileged.map((r) => [r.rolname, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolreplication, r.rolbypassrls]))
      .toEqual([[w.inst.roles.roleManager, false, true, false, false, false]]);
    const persons = roles.filter((r) => r.rolname.startsWith(`${w.inst.roles.prefix}.`));
    expect(persons.length).toBeGreaterThan(8);
    for (const p of persons) {
      const groups = await groupsOf(w, p.rolname);
      expect(groups.length, p.rolname).toBeLessThanOrEqual(1);
      for (const g of groups) {
        expect([w.inst.roles.moderator, w.inst.roles.supervisor, w.inst.roles.admin], p.rolname).toContain(g.group);
        expect(g.admin, p.rolname).toBe(false);
      }
      const effective = await effectiveRoles(w, p.rolname);
      for (const forbidden of ['owner', 'role_manager', 'worker']) expect(effective, p.rolname).not.toContain(forbidden);
    }
  });
});
