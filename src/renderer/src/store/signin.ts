// Signing in and out at this seat (DESIGN §10), and the one place that applies a new session: when the
// person changes (sign-in, sign-out, a kept session opening, someone else signing in), every per-person
// store is cleared first, so nothing of the previous person stays on screen.
import { usePresence } from './presence';
import { create } from 'zustand';
import type { ContractError, Session } from '../lib/contract-types';
import { afterFirstPage } from '../lib/startup';
import { api } from '../lib/api';
import { useBulk } from './bulk';
import { useAudit } from './audit';
import { useCase } from './case';
import { useHeld } from './held';
import { useDeadLetters } from './deadLetters';
import { nextGeneration } from './generation';
import { useOutbox } from './outbox';
import { usePeople } from './people';
import { useQueue } from './queue';
import { useSession } from './session';
import { useDashboard } from './dashboard';
import { useSupervisor } from './supervisor';
import { useUi } from './ui';
import { useWellbeing } from './wellbeing';

export interface SignInInput {
  login: string;
  password: string;
  remember: boolean;
}

interface SignInSlice {
  /** A sign-in is on its way. */
  pending: boolean;
  /** Why the last sign-in failed, in a moderator's words (see signInMessage). */
  error?: ContractError;
  /** Bumped on every failure: the alert is rendered anew, so the same message is announced again. */
  attempt: number;
  signingOut: boolean;
  signIn(i: SignInInput): Promise<boolean>;
  /** Resolves with the refusal when the sign-out failed (the person stays signed in). */
  signOut(): Promise<ContractError | undefined>;
  /** A failure found before asking the server (an empty field). */
  fail(error: ContractError): void;
}

/** The person a session is for: a change of it clears every per-person store. */
const personOf = (s: Session | undefined) => (s?.user ? `${s.user.id}\u0000${s.signIn.login ?? ''}` : null);

/** Forgets everything shown for the previous person: queue, case, outbox, supervisor, audit, people, views. */
export function resetPersonStores(): void {
  nextGeneration();
  useQueue.getState().reset();
  useBulk.getState().reset();
  useCase.getState().reset();
  useHeld.getState().reset();
  useOutbox.getState().reset();
  useSupervisor.getState().reset();
  useDashboard.getState().reset();
  useAudit.getState().reset();
  usePeople.getState().reset();
  useDeadLetters.getState().reset();
  useUi.getState().reset();
  useWellbeing.getState().reset();
  usePresence.getState().reset();
  useSession.setState({ moderators: [], loginRefused: undefined });
}

// Session answers can cross (a session:get sent before a sign-out, answered after it): only an answer to a
// request made after the last one applied is taken.
let asked = 0;
let applied = 0;

function apply(n: number, next: Session): boolean {
  if (n < applied) return false;
  applied = n;
  const before = useSession.getState().session;
  if (before && personOf(before) !== personOf(next)) resetPersonStores();
  useSession.setState({ session: next, error: undefined });
  if (next.user) {
    if (next.outbox) void afterFirstPage().then(() => useOutbox.getState().load());
    void useWellbeing.getState().load(next.user.id);
    void loadModerators(personOf(next));
  }
  return true;
}

async function loadModerators(person: string | null) {
  await afterFirstPage();
  const m = await api.call('moderators:list', {});
  if (m.ok && personOf(useSession.getState().session) === person) useSession.setState({ moderators: m.value });
}

/** Reads the session (at start, and on session:changed). */
export async function loadSession(): Promise<void> {
  const n = ++asked;
  const r = await api.call('session:get', {});
  if (r.ok) apply(n, r.value);
  else if (n >= applied && !useSession.getState().session) useSession.setState({ error: r.error });
}

export const useSignIn = create<SignInSlice>((set, get) => ({
  pending: false,
  attempt: 0,
  signingOut: false,
  async signIn(i) {
    if (get().pending) return false;
    set({ pending: true, error: undefined });
    const n = ++asked;
    const r = await api.call('session:signIn', { login: i.login, password: i.password, remember: i.remember || undefined });
    if (!r.ok) {
      set({ pending: false, error: r.error, attempt: get().attempt + 1 });
      return false;
    }
    apply(n, r.value);
    set({ pending: false, error: undefined });
    return true;
  },
  async signOut() {
    if (get().signingOut) return undefined;
    set({ signingOut: true });
    const n = ++asked;
    const r = await api.call('session:signOut', {});
    set({ signingOut: false, error: undefined });
    if (!r.ok) return r.error;
    apply(n, r.value);
    return undefined;
  },
  fail: (error) => set({ error, attempt: get().attempt + 1 }),
}));

/**
 * A failed sign-in in a moderator's words. `detail` is the technical reason, for whoever helps them.
 * (PostgreSQL answers an unknown login like a wrong password: both read "Wrong login or password.")
 */
export function signInMessage(e: ContractError, server: string): { text: string; detail?: string } {
  const reason = e.details?.reason;
  if (e.code === 'forbidden' && reason === 'bad_credentials') return { text: 'Wrong login or password.' };
  if (e.code === 'forbidden' && reason === 'login_refused') return { text: e.message };
  if (e.code === 'unavailable')
    return {
      text: `The server cannot be reached (${server}). Check the network, or try again in a moment.`,
      detail: e.message.replace(/^The server could not be reached:\s*/, '') || undefined,
    };
  if (e.code === 'invalid_input') return { text: e.message };
  if (e.code === 'forbidden') return { text: e.message };
  return { text: 'Could not sign in.', detail: e.message };
}
