import { useEffect } from 'react';
import { api } from '../../lib/api';
import { useCase } from '../../store/case';
import { useDraft } from '../../store/draft';
import { usePresence } from '../../store/presence';
import { useSession } from '../../store/session';

// Presence (issue 14) without any new broker right: the workstation says where its person is through
// api.touch_presence on its own database login (the person is session_user's, so nobody can appear as
// someone else) and reads the others' through api.presence. Desktops may only read guardian.events and
// publish nothing of their own (DESIGN §10), so presence does not ride the broker: the renderer polls the
// database, which is cheap (one indexed read of an UNLOGGED table per second for the open case and the
// rows on screen). Seen by others within POLL_MS plus a round trip; gone at once on an explicit 'left'
// (the case closed, another opened, sign-out, the window closing) and within the database's expiry
// (15 s, heartbeated every HEARTBEAT_MS) when a desktop vanishes without saying so.
export const POLL_MS = 1_000;
export const HEARTBEAT_MS = 5_000;
/** At most this many rows' presence per poll (the rows on screen). */
const MAX_WATCHED = 200;

type State = 'viewing' | 'typing' | 'left';
// Touches go one after another, so a 'left' can never be overtaken by an earlier heartbeat.
let chain: Promise<unknown> = Promise.resolve();
function touch(caseId: string, state: State): void {
  chain = chain.then(() => api.call('presence:touch', { caseId, state })).catch(() => undefined);
}

/** Mounted while someone is signed in at this seat. */
export function PresenceSync() {
  const caseId = useCase((s) => (s.detail && s.detail.id === s.caseId ? s.caseId : undefined));
  const typing = useDraft((s) => !!s.draft && s.draft.caseId === caseId);
  const me = useSession((s) => s.session?.user?.id);

  // Leaving a case (another opened, closed, signed out, unmounted) says so at once.
  useEffect(() => {
    if (!caseId) return;
    const leave = () => touch(caseId, 'left');
    window.addEventListener('pagehide', leave);
    return () => {
      window.removeEventListener('pagehide', leave);
      leave();
    };
  }, [caseId]);

  // Where this person is, now and every HEARTBEAT_MS (the expiry is pushed forward).
  useEffect(() => {
    if (!caseId) return;
    const state: State = typing ? 'typing' : 'viewing';
    touch(caseId, state);
    const t = setInterval(() => touch(caseId, state), HEARTBEAT_MS);
    return () => clearInterval(t);
  }, [caseId, typing]);

  // Others' presence on the open case and the rows on screen.
  useEffect(() => {
    let busy = false;
    let stopped = false;
    const poll = async () => {
      if (busy || stopped) return;
      const watched = usePresence.getState().watched;
      const ids = [...new Set([...(caseId ? [caseId] : []), ...watched])].slice(0, MAX_WATCHED);
      if (ids.length === 0) return;
      busy = true;
      try {
        const r = await api.call('presence:list', { caseIds: ids });
        if (r.ok && !stopped) usePresence.getState().took(ids, r.value, me);
      } finally {
        busy = false;
      }
    };
    void poll();
    const t = setInterval(() => void poll(), POLL_MS);
    return () => {
      stopped = true;
      clearInterval(t);
    };
  }, [caseId, me]);

  return null;
}
