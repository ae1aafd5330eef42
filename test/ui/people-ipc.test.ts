// The People screen's IPC channels (people:list|add|disable|setRole) over the real dispatcher, each seat's
// session being the person's own login on a real PostgreSQL installation (the core people service,
// src/core/services/people.ts, the one the CLI's `guardian moderators` uses). The dispatcher checks no
// role: what an admin may do goes through and is audited with the admin as actor; a moderator asking the
// same with their own login is refused by the database (and the refusal audited); bad input is refused by
// the contract before anything reaches the database.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreApi } from '../../src/core/api.js';
import { createPeople } from '../../src/core/services/people.js';
import { createDispatcher } from '../../src/main/ipc/dispatcher.js';
import type { SessionUser } from '../../src/shared/contract.js';
import { commands } from '../../src/shared/contract.js';
import { createTestInstallation, type TestInstallation, type TestPerson } from '../support/installation.js';
import { fakeHost } from './fake-host.js';

let inst: TestInstallation;
let admin: TestPerson;
let mod: TestPerson;
beforeAll(async () => {
  inst = await createTestInstallation();
  [admin, mod] = await Promise.all([inst.person('ipc-admin', 'admin'), inst.person('ipc-mod', 'moderator')]);
});
afterAll(() => inst?.drop());

/** A seat where `who` is signed in with their own login: the dispatcher's people calls reach the database as them. */
function seatOf(who: TestPerson, pool: pg.Pool = inst.pool(who.url, 2)) {
  const people = createPeople(pool, 'ui');
  const api = { mode: 'connected', people, whoami: () => people.whoami() } as unknown as CoreApi;
  const user: SessionUser = { id: who.id, displayName: who.id, role: who.role };
  return { host: fakeHost({ signedIn: { api, user } }), shell: 'devhost' as const };
}

const d = createDispatcher();
const lastEvent = async () =>
  (await inst.dba<{ type: string; actor: string; tool: string; payload: any }>('SELECT type, actor, tool, payload FROM audit_events ORDER BY id DESC LIMIT 1')).rows[0];

describe('people IPC as an admin', () => {
  it('adds a person (one-time password in the answer, once), lists them, changes their role, disables them; each audited with the admin as actor', async () => {
    const ctx = seatOf(admin);
    const added = await d.dispatch('people:add', { id: 'ipc-new', role: 'moderator', displayName: '  Nia New ' }, ctx);
    expect(added).toMatchObject({ ok: true, value: { id: 'ipc-new', role: 'moderator', displayName: 'Nia New', login: inst.roles.personLogin('ipc-new') } });
    const otp = (added as { value: { oneTimePassword: string } }).value.oneTimePassword;
    expect(otp.length).toBeGreaterThanOrEqual(16);
    expect(commands['people:add'].output.safeParse((added as { value: unknown }).value).success).toBe(true);
    expect(await lastEvent()).toMatchObject({ type: 'person.added', actor: 'ipc-admin', tool: 'ui', payload: { id: 'ipc-new', role: 'moderator' } });
    // Only a SCRAM verifier reached the server; the plaintext is nowhere in it.
    const { rows } = await inst.dba<{ rolpassword: string }>('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [inst.roles.personLogin('ipc-new')]);
    expect(rows[0]!.rolpassword).toMatch(/^SCRAM-SHA-256\$/);
    expect(rows[0]!.rolpassword).not.toContain(otp);

    const listed = await d.dispatch('people:list', {}, ctx);
    expect(listed.ok).toBe(true);
    const list = (listed as { value: Array<{ id: string }> }).value;
    expect(commands['people:list'].output.safeParse(list).success).toBe(true);
    expect(list.map((p) => p.id)).toEqual(['ipc-admin', 'ipc-mod', 'ipc-new']);
    expect(list.find((p) => p.id === 'ipc-admin')).toMatchObject({ lastActivity: { type: 'person.added' } });
    expect(list.find((p) => p.id === 'ipc-new')).toMatchObject({ active: true, lastActivity: null, disabledAt: null });
    expect(JSON.stringify(list)).not.toContain(otp);

    expect(await d.dispatch('people:setRole', { id: 'ipc-new', role: 'supervisor' }, ctx)).toMatchObject({ ok: true, value: { id: 'ipc-new', role: 'supervisor' } });
    expect(await lastEvent()).toMatchObject({ type: 'person.role_changed', actor: 'ipc-admin', tool: 'ui', payload: { id: 'ipc-new', from: 'moderator', to: 'supervisor' } });

    // The new person's own session works until they are disabled; then their next call is refused.
    const theirs = seatOf({ id: 'ipc-new', role: 'supervisor', login: inst.roles.personLogin('ipc-new'), password: otp, url: inst.urlFor(inst.roles.personLogin('ipc-new'), otp) });
    expect(await d.dispatch('people:list', {}, theirs)).toMatchObject({ ok: false, error: { code: 'forbidden', message: 'Listing people needs an admin.' } });
    expect(await d.dispatch('people:disable', { id: 'ipc-new' }, ctx)).toMatchObject({ ok: true, value: { id: 'ipc-new', active: false } });
    expect(await lastEvent()).toMatchObject({ type: 'person.disabled', actor: 'ipc-admin', tool: 'ui', payload: { id: 'ipc-new' } });
    // Their login is NOLOGIN now: the refusal is typed as such (the seat's UI says it once, for the seat).
    const after = await d.dispatch('people:list', {}, theirs);
    expect(after).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/^Your login can no longer connect \(the database says: role ".+" is not permitted to log in\)/), details: { reason: 'login_refused', sqlstate: '28000' } } });
    const relisted = (await d.dispatch('people:list', {}, ctx)) as { value: Array<{ id: string; active: boolean; disabledAt: string | null }> };
    expect(relisted.value.find((p) => p.id === 'ipc-new')).toMatchObject({ active: false, disabledAt: expect.any(String) });
  });

  it('disabling or re-roling themselves is the database\'s refusal, typed, its words, and audited', async () => {
    const ctx = seatOf(admin);
    expect(await d.dispatch('people:disable', { id: 'ipc-admin' }, ctx)).toEqual({ ok: false, error: { code: 'forbidden', message: 'You cannot disable yourself.' } });
    expect(await lastEvent()).toMatchObject({ type: 'person.refused', actor: 'ipc-admin', payload: { command: 'disable_person', id: 'ipc-admin', code: 'forbidden' } });
    expect(await d.dispatch('people:setRole', { id: 'ipc-admin', role: 'moderator' }, ctx)).toEqual({ ok: false, error: { code: 'forbidden', message: 'You cannot change your own role.' } });
    expect(await d.dispatch('people:add', { id: 'ipc-admin', role: 'admin' }, ctx)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await d.dispatch('people:disable', { id: 'nobody-here' }, ctx)).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});

describe('people IPC as a moderator, with their own login', () => {
  it('list, add, disable and role change are refused by the database (refusals audited, nothing created or changed)', async () => {
    const ctx = seatOf(mod);
    expect(await d.dispatch('people:list', {}, ctx)).toMatchObject({ ok: false, error: { code: 'forbidden', message: 'Listing people needs an admin.', details: { sqlstate: 'GWFRB' } } });
    expect(await d.dispatch('people:add', { id: 'ipc-sneaky', role: 'admin' }, ctx)).toEqual({ ok: false, error: { code: 'forbidden', message: 'Adding people needs an admin.' } });
    expect(await lastEvent()).toMatchObject({ type: 'person.refused', actor: 'ipc-mod', tool: 'ui', payload: { command: 'add_person', id: 'ipc-sneaky' } });
    expect((await inst.dba('SELECT 1 FROM pg_roles WHERE rolname = $1', [inst.roles.personLogin('ipc-sneaky')])).rowCount).toBe(0);
    expect(await d.dispatch('people:disable', { id: 'ipc-admin' }, ctx)).toEqual({ ok: false, error: { code: 'forbidden', message: 'Disabling people needs an admin.' } });
    expect(await d.dispatch('people:setRole', { id: 'ipc-mod', role: 'admin' }, ctx)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const { rows } = await inst.dba<{ id: string; role: string; active: boolean }>('SELECT id, role, active FROM moderators ORDER BY id');
    expect(rows.filter((r) => r.id.startsWith('ipc-admin') || r.id === 'ipc-mod')).toEqual([
      { id: 'ipc-admin', role: 'admin', active: true },
      { id: 'ipc-mod', role: 'moderator', active: true },
    ]);
    // And straight at the table, the moderator has no DML at all.
    const direct = await inst.pool(mod.url, 1).query(`UPDATE moderators SET role = 'admin' WHERE id = 'ipc-mod'`).catch((e: { code: string }) => e);
    expect(direct).toMatchObject({ code: '42501' });
  });
});

describe('people IPC input', () => {
  it('refuses bad ids, roles and extra fields before the database is asked', async () => {
    const ctx = seatOf(admin);
    const before = (await inst.dba('SELECT count(*)::int AS n FROM audit_events')).rows[0].n;
    expect(await d.dispatch('people:add', { id: 'no spaces!', role: 'moderator' }, ctx)).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/id/) } });
    expect(await d.dispatch('people:add', { id: 'ok-id', role: 'root' }, ctx)).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/role/) } });
    expect(await d.dispatch('people:add', { id: 'ok-id', role: 'moderator', actor: 'someone-else' }, ctx)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await d.dispatch('people:add', { id: 'ok-id', role: 'moderator', displayName: 'x'.repeat(201) }, ctx)).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/displayName/) } });
    expect(await d.dispatch('people:disable', {}, ctx)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await d.dispatch('people:setRole', { id: 'ipc-mod' }, ctx)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect((await inst.dba('SELECT count(*)::int AS n FROM audit_events')).rows[0].n).toBe(before);
  });
});
