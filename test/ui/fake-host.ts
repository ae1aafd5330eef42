// A small stand-in for a SessionHost (src/core/session/session-host.ts), for tests of pure dispatch: who
// is signed in at the seat and their session, with no database behind it. Tests that need the database
// use a real SessionHost over a real core (test/ui/queue-sync.test.ts).
import type { CoreApi } from '../../src/core/api.js';
import { GuardianError } from '../../src/core/errors.js';
import type { Workstation } from '../../src/core/offline/workstation.js';
import type { Credentials, SessionHost, SessionInfo } from '../../src/core/session/session-host.js';
import type { SessionUser } from '../../src/shared/contract.js';

export const MOD1: SessionUser = { id: 'mod-1', displayName: 'Mod One', role: 'moderator' };

export interface FakeSeat {
  api: CoreApi;
  user: SessionUser;
  workstation?: Workstation;
}

export interface FakeHost extends SessionHost {
  /** Every sign-in attempt, as the dispatcher passed it on. */
  readonly signIns: Array<Credentials & { remember?: boolean }>;
}

/**
 * A seat: `signedIn` is who is signed in at the start (nobody when omitted); `accounts` are the logins
 * that sign in with their password. Implements what the dispatcher uses: current(), info(), signIn, signOut.
 */
export function fakeHost(o: { signedIn?: FakeSeat; accounts?: Record<string, FakeSeat & { password: string }> } = {}): FakeHost {
  let seat = o.signedIn ? { ...o.signedIn, unverified: false, login: `guardian.${o.signedIn.user.id}` } : undefined;
  const signIns: FakeHost['signIns'] = [];
  const info = (): SessionInfo => ({
    user: seat?.user ?? null,
    required: true,
    server: '127.0.0.1:5432/guardian',
    keeps: false,
    login: seat?.login ?? null,
    unverified: false,
  });
  const host = {
    signIns,
    current: () => seat,
    info,
    async signIn(c: Credentials & { remember?: boolean }) {
      signIns.push(c);
      const account = o.accounts?.[c.login];
      if (!account || account.password !== c.password) throw new GuardianError('forbidden', 'Wrong login or password.', { reason: 'bad_credentials' });
      seat = { api: account.api, user: account.user, workstation: account.workstation, unverified: false, login: c.login };
      return info();
    },
    async signOut() {
      seat = undefined;
      return info();
    },
    async start() {},
    async stop() {
      seat = undefined;
    },
  };
  // The seat's api is a CoreApi fake where the real host holds a PersonSession: the dispatcher uses only CoreApi.
  return host as unknown as FakeHost;
}
