// Must show 5 (the part without a browser): the seat keeps a password only in a vault backed by a real OS
// keychain, never with basic_text or without one; sign-out forgets it; a wrong password is said as such.
// Through the CredentialVault port, with a core whose sessions are stand-ins (no database needed here;
// real sign-ins against a SCRAM server are in e2e/signin.spec.ts and test/db/authentication.test.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Core, SessionRequest } from '../../src/core/core.js';
import { GuardianError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/log.js';
import type { PersonSession } from '../../src/core/session/person-session.js';
import { createSessionHost, signInError, type CredentialVault, type Credentials } from '../../src/core/session/session-host.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-seat-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

/** A vault of a given kind that records what it was asked to keep (in memory, as a keychain would). */
function memoryVault(kind: ReturnType<CredentialVault['kind']>) {
  let kept: Credentials | undefined;
  const vault: CredentialVault & { kept(): Credentials | undefined } = {
    kind: () => kind,
    load: () => kept,
    save: (c) => void (kept = c),
    clear: () => void (kept = undefined),
    kept: () => kept,
  };
  return vault;
}

/** A core whose sessions accept one password per login, like the database would. */
function fakeCore(passwords: Record<string, string>) {
  const opened: SessionRequest[] = [];
  const core = {
    mode: 'connected',
    server: () => 'db.example:5432/guardian',
    loginFor: (x: string) => (x.includes('.') ? x : `guardian.${x}`),
    async openSession(req: SessionRequest = {}) {
      opened.push(req);
      if (!req.login || passwords[req.login] !== req.password)
        throw Object.assign(new Error(`password authentication failed for user "${req.login}"`), { code: '28P01' });
      const id = req.login.split('.').at(-1)!;
      return {
        mode: 'connected',
        person: { id, displayName: id, role: 'moderator', login: req.login, mode: 'connected' },
        connection: () => ({ database: 'up', broker: 'up' }),
        close: async () => {},
      } as unknown as PersonSession;
    },
  } as unknown as Core;
  return { core, opened };
}

describe('sign-in through the credential vault port', () => {
  const passwords = { 'guardian.alice': 'right-password-1' };

  it('keeps the password only when the vault is a real keychain, and sign-out forgets it', async () => {
    const vault = memoryVault('keychain');
    const { core } = fakeCore(passwords);
    const host = createSessionHost({ core, logger: silentLogger, dataDir, outbox: false, vault });
    await host.signIn({ login: 'guardian.alice', password: 'right-password-1', remember: true });
    expect(host.current()?.user.id).toBe('alice');
    expect(vault.kept()).toEqual({ login: 'guardian.alice', password: 'right-password-1' });
    expect(host.info()).toMatchObject({ keeps: true, required: true, server: 'db.example:5432/guardian' });
    await host.signOut();
    expect(host.current()).toBeUndefined();
    expect(vault.kept()).toBeUndefined();
  });

  it.each(['basic_text', 'unavailable'] as const)('with a %s vault nothing is kept, even when asked, and the next start asks again', async (kind) => {
    const vault = memoryVault(kind);
    const { core, opened } = fakeCore(passwords);
    const host = createSessionHost({ core, logger: silentLogger, dataDir, outbox: false, vault });
    expect(host.info().keeps).toBe(false);
    await host.signIn({ login: 'guardian.alice', password: 'right-password-1', remember: true });
    expect(vault.kept()).toBeUndefined();
    // A new start of the app: nothing to sign in with, so nobody is signed in.
    const next = createSessionHost({ core, logger: silentLogger, dataDir, outbox: false, vault });
    const before = opened.length;
    await next.start();
    expect(next.current()).toBeUndefined();
    expect(opened.length).toBe(before);
  });

  it('with a keychain, the next start opens the kept session without asking', async () => {
    const vault = memoryVault('keychain');
    const { core } = fakeCore(passwords);
    await createSessionHost({ core, logger: silentLogger, dataDir, outbox: false, vault }).signIn({ login: 'guardian.alice', password: 'right-password-1', remember: true });
    const next = createSessionHost({ core, logger: silentLogger, dataDir, outbox: false, vault });
    await next.start();
    expect(next.current()?.user.id).toBe('alice');
  });

  it('not asked to remember: nothing is kept even with a keychain', async () => {
    const vault = memoryVault('keychain');
    const host = createSessionHost({ core: fakeCore(passwords).core, logger: silentLogger, dataDir, outbox: false, vault });
    await host.signIn({ login: 'guardian.alice', password: 'right-password-1' });
    expect(vault.kept()).toBeUndefined();
  });

  it('a wrong password is refused as such and leaves nobody signed in', async () => {
    const vault = memoryVault('keychain');
    const host = createSessionHost({ core: fakeCore(passwords).core, logger: silentLogger, dataDir, outbox: false, vault });
    const err = await host.signIn({ login: 'guardian.alice', password: 'wrong', remember: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GuardianError);
    expect(err).toMatchObject({ code: 'forbidden', message: 'Wrong login or password.', details: { reason: 'bad_credentials' } });
    expect(host.current()).toBeUndefined();
    expect(vault.kept()).toBeUndefined();
  });

  it('names the other sign-in failures in words a person can act on', () => {
    expect(signInError(Object.assign(new Error('role "guardian.bob" is not permitted to log in'), { code: '28000' }))).toMatchObject({ code: 'forbidden', details: { reason: 'login_refused' } });
    expect(signInError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toMatchObject({ code: 'unavailable', details: { reason: 'unreachable' } });
  });
});
