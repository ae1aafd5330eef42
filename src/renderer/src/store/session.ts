import { create } from 'zustand';
import type { ConnectionState, ContractError, Moderator, Session } from '../lib/contract-types';

// Who is signed in at this seat, as the main process (or the dev host) says. Loading and changing it —
// and clearing every per-person store when the person changes — is store/signin.ts.
interface SessionSlice {
  session?: Session;
  moderators: Moderator[];
  /** session:get failed (no session to show at all). */
  error?: ContractError;
  /** The database refused this seat's login since sign-in (an admin disabled the person): what it said. */
  loginRefused?: string;
  setConnection(c: ConnectionState): void;
}

export const useSession = create<SessionSlice>((set, get) => ({
  moderators: [],
  setConnection(connection) {
    const s = get().session;
    if (s) set({ session: { ...s, connection } });
  },
}));
