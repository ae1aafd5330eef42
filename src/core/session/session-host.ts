// One seat at a workstation (the Electron window; one browser tab of the dev host): who is signed in there,
// their session on the core, and their local store and outbox (DESIGN §9, §10). Plain Node: the shell
// supplies the credential vault (Electron safeStorage) and nothing here imports electron.
//
// Sign-in: login + password against the server (api.whoami through their own login). Kept only in a vault
// backed by a real OS keychain; with safeStorage's `basic_text` (or none) it is not kept and asked at each
// start. Never written in plain text. Sign-out forgets it (the outbox stays on disk for that login, and is
// delivered at their next sign-in). Standalone mode has one local person and no sign-in.
import fs from 'node:fs';
import path from 'node:path';
import type { SessionUser } from '../../shared/contract.js';
import type { Core } from '../core.js';
import { GuardianError } from '../errors.js';
import type { Logger } from '../ports.js';
import { shareLocalStore } from '../offline/local-store.js';
import { createWorkstation, type Workstation } from '../offline/workstation.js';
import type { Whoami } from '../services/people.js';
import { isConnectionError } from '../store/db.js';
import type { PersonSession } from './person-session.js';

export interface Credentials {
  login: string;
  password: string;
}

/**
 * Where a seat keeps a person's credentials between starts (a port: Electron's safeStorage in the app).
 * `keychain`: encrypted by the OS keychain, may be kept. `basic_text` / `unavailable`: never kept.
 */
export interface CredentialVault {
  kind(): 'keychain' | 'basic_text' | 'unavailable';
  load(): Credentials | undefined;
  save(c: Credentials): void;
  clear(): void;
}

/** A vault that keeps nothing (the dev host; a machine without a keychain). */
export const noVault: CredentialVault = { kind: () => 'unavailable', load: () => undefined, save: () => {}, clear: () => {} };

export interface Seat {
  api: PersonSession;
  user: SessionUser;
  workstation?: Workstation;
  /** Opened while the server was unreachable: the password is checked once it is back. */
  unverified: boolean;
  stopWatch?: () => void;
}

export interface SessionInfo {
  user: SessionUser | null;
  required: boolean;
  server: string;
  keeps: boolean;
  login: string | null;
  unverified: boolean;
}

const LOGIN_RE = /^[A-Za-z0-9._@-]{1,63}$/;

export function createSessionHost(o: {
  core: Core;
  logger: Logger;
  /** Where each login's local store, outbox and remembered identity live (<dataDir>/<login>/). */
  dataDir: string;
  /** Route decisions through the durable outbox (DESIGN §9). */
  outbox: boolean;
  vault?: CredentialVault;
  /** Sign in with these at start (kept credentials of a provisioned machine, the dev host's own login). */
  initial?: Credentials;
  onChange?: () => void;
}) {
  const vault = o.vault ?? noVault;
  const standalone = o.core.mode === 'standalone';
  let seat: Seat | undefined;
  let store: ReturnType<typeof shareLocalStore> | undefined;
  let opening: Promise<Seat> | undefined;

  const dirOf = (login: string) => path.join(o.dataDir, login.replace(/[^A-Za-z0-9._@-]/g, '_'));
  const rememberFile = (login: string) => path.join(dirOf(login), 'person.json');
  const recall = (login: string): Whoami | undefined => {
    try {
      return JSON.parse(fs.readFileSync(rememberFile(login), 'utf8')) as Whoami;
    } catch {
      return undefined;
    }
  };
  const remember = (login: string, who: Whoami) => {
    fs.mkdirSync(dirOf(login), { recursive: true, mode: 0o700 });
    fs.writeFileSync(rememberFile(login), JSON.stringify(who), { mode: 0o600 });
  };

  async function open(creds: Credentials | undefined): Promise<Seat> {
    const login = creds?.login;
    const remembered = login ? recall(login) : undefined;
    const api = await o.core.openSession({ login, password: creds?.password, tool: 'ui', offlineAs: remembered });
    // Opened as the remembered person: the database did not answer, so the password is not checked yet.
    const unverified = !!remembered && api.person === remembered;
    if (login && !unverified) remember(login, api.person);
    const user: SessionUser = { id: api.person.id, displayName: api.person.displayName, role: api.person.role };
    let workstation: Workstation | undefined;
    if (o.outbox) {
      // Shared with the process's other seats of this login: one outbox, heard by all, relayed one pass at a time.
      store = shareLocalStore(dirOf(login ?? `local-${api.person.id}`));
      workstation = createWorkstation({ core: api, store: store.store, user: user.id, logger: o.logger });
      workstation.start();
    }
    const opened: Seat = { api, user, workstation, unverified };
    if (unverified && login) opened.stopWatch = verifyWhenBack(opened, login);
    return opened;
  }

  /** Offline sign-in: once the database answers, check the login for real (a wrong password signs out). */
  function verifyWhenBack(s: Seat, login: string): () => void {
    let checking = false;
    const off = s.api.onEvent((e) => {
      if (e.type !== 'connection.changed' || e.state.database !== 'up' || !s.unverified || checking) return;
      checking = true;
      s.api.whoami().then(
        (who) => {
          s.unverified = false;
          remember(login, who);
          off();
          o.onChange?.();
        },
        (err: unknown) => {
          checking = false;
          const e2 = signInError(err);
          if (e2.code !== 'forbidden') return; // still unreachable: try again at the next change
          o.logger.warn({ login }, 'the password given offline was refused once the database was back: signed out');
          if (seat === s) void close().then(() => o.onChange?.());
        },
      );
    });
    return off;
  }

  async function close() {
    const s = seat;
    seat = undefined;
    s?.stopWatch?.();
    s?.workstation?.stop();
    store?.release();
    store = undefined;
    await s?.api.close().catch(() => {});
  }

  const host = {
    current: () => seat,
    info(): SessionInfo {
      return {
        user: seat?.user ?? null,
        required: !standalone,
        server: o.core.server(),
        keeps: vault.kind() === 'keychain',
        login: seat ? (seat.api.person.login ?? null) : null,
        unverified: seat?.unverified ?? false,
      };
    },
    /** Opens the seat at start: the standalone local person, or kept/initial credentials. Never throws. */
    async start(): Promise<void> {
      try {
        if (standalone) seat = await open(undefined);
        else {
          const creds = vault.kind() === 'keychain' ? vault.load() : undefined;
          if (creds ?? o.initial) seat = await open(creds ?? o.initial);
        }
      } catch (err) {
        o.logger.warn({ err: (err as Error).message }, 'could not open the kept session; sign-in required');
      }
      o.onChange?.();
    },
    async signIn(c: Credentials & { remember?: boolean }): Promise<SessionInfo> {
      if (standalone) throw new GuardianError('invalid_input', 'Standalone mode has one local person: there is nothing to sign in to.');
      if (!LOGIN_RE.test(c.login)) throw new GuardianError('invalid_input', 'login: letters, digits and . _ @ - only');
      // A person may type their id (alice) or their login (guardian.alice).
      c = { ...c, login: o.core.loginFor(c.login) };
      if (!c.password) throw new GuardianError('invalid_input', 'password: required');
      if (opening) await opening.catch(() => {});
      await close();
      try {
        opening = open({ login: c.login, password: c.password });
        seat = await opening;
      } catch (err) {
        throw signInError(err);
      } finally {
        opening = undefined;
      }
      // Kept only where a real keychain encrypts it; with basic_text it would be obfuscation, not protection.
      if (c.remember && vault.kind() === 'keychain') vault.save({ login: c.login, password: c.password });
      else vault.clear();
      o.onChange?.();
      return host.info();
    },
    async signOut(): Promise<SessionInfo> {
      if (standalone) throw new GuardianError('invalid_input', 'Standalone mode has one local person: there is nothing to sign out of.');
      vault.clear();
      await close();
      o.onChange?.();
      return host.info();
    },
    stop: close,
  };
  return host;
}

/** Sign-in failures in words a person can act on: a wrong password is said as such. */
export function signInError(err: unknown): GuardianError {
  const code = (err as { code?: string }).code;
  const msg = (err as Error)?.message ?? String(err);
  if (code === '28P01' || /password authentication failed|SASL|password must be a string/i.test(msg))
    return new GuardianError('forbidden', 'Wrong login or password.', { reason: 'bad_credentials' });
  if (code === '28000' || /role .* does not exist|not permitted to log in/i.test(msg))
    return new GuardianError('forbidden', 'This login cannot sign in (unknown or disabled).', { reason: 'login_refused' });
  if (err instanceof GuardianError) return err;
  if (isConnectionError(err)) return new GuardianError('unavailable', `The server could not be reached: ${msg}`, { reason: 'unreachable' });
  return new GuardianError('internal', msg);
}

export type SessionHost = ReturnType<typeof createSessionHost>;
