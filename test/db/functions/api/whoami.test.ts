/**
 * api.whoami as real logins: the person the login is, with the role the database grants the login (its
 * group), not anything the client says. A login that is no active person is refused (raised: whoami is no
 * command, so there is nothing to record).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createFixture, expectRaisedNothingChanged, expectWorkerCannotExecute, observe, type Fixture } from './support.js';

let f: Fixture;
beforeAll(async () => {
  f = await createFixture();
});
afterAll(async () => {
  await f?.drop();
});

interface WhoAmI {
  id: string;
  displayName: string;
  role: string;
  login: string;
  mode: string;
}

describe('api.whoami', () => {
  it('answers each role\'s person with their id, name, role, login and the installation\'s mode', async () => {
    const expected: Array<[keyof Fixture['people'], string, string, string]> = [
      ['mod1', 'mod-1', 'Mia Moderator', 'moderator'],
      ['sup1', 'sup-1', 'Sam Supervisor', 'supervisor'],
      ['admin', 'admin-1', 'Ada Admin', 'admin'],
    ];
    for (const [key, id, displayName, role] of expected) {
      const who = f.people[key];
      expect(await api<WhoAmI>(who, 'whoami')).toEqual({ id, displayName, role, login: who.login, mode: 'connected' });
    }
  });

  it('changes nothing', async () => {
    const ch = await observe(f, () => api<WhoAmI>(f.people.mod2, 'whoami'));
    expect(ch.result?.id).toBe('mod-2');
    expect(ch).toMatchObject({ changedCases: [], commands: [], audit: [], otherChanged: false });
  });

  it('the role is the login\'s group: an admin\'s role change shows at once, on the same connection', async () => {
    const p = await f.inst.person('promoted-1', 'moderator', 'Pat Promoted');
    const pool = f.inst.pool(p.url, 1);
    const who = { id: p.id, login: p.login, pool };
    expect(await api<WhoAmI>(who, 'whoami')).toMatchObject({ id: 'promoted-1', role: 'moderator' });
    const r = await api(f.people.admin, 'set_person_role', { p_id: 'promoted-1', p_role: 'supervisor' });
    expect(r).toMatchObject({ outcome: 'applied' });
    expect(await api<WhoAmI>(who, 'whoami')).toMatchObject({ id: 'promoted-1', role: 'supervisor', login: p.login });
  });

  it('the identity is the login: SET ROLE to a group changes neither the person nor the role, and another person\'s login cannot be assumed', async () => {
    const c = await f.people.sup1.pool.connect();
    try {
      await c.query(`SET ROLE "${f.inst.roles.moderator}"`);
      const { rows } = await c.query('SELECT api.whoami() AS r, current_user AS cu');
      expect(rows[0].cu).toBe(f.inst.roles.moderator);
      expect(rows[0].r).toMatchObject({ id: 'sup-1', role: 'supervisor', login: f.people.sup1.login });
    } finally {
      await c.query('RESET ROLE').catch(() => {});
      c.release();
    }
    const err = await expectRaisedNothingChanged(f, () => f.people.mod1.pool.query(`SET ROLE "${f.people.sup1.login}"`), '42501');
    expect(err.message).toMatch(/permission denied to set role/);
  });

  it('refuses a login that is no person of the installation (GWFRB), recording nothing', async () => {
    const err = await expectRaisedNothingChanged(f, () => api(f.stranger, 'whoami'), 'GWFRB');
    expect(err.message).toBe(`The login "${f.stranger.login}" is not an active person of this installation.`);
  });

  it('the worker login cannot execute it (42501)', async () => {
    await expectWorkerCannotExecute(f, 'api.whoami()', () => api(f.worker, 'whoami'));
  });
});
