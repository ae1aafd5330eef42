// Every push subscription of the app, wired in one place.
import { api } from '../lib/api';
import { useAudit } from './audit';
import { useBulk } from './bulk';
import { useCase } from './case';
import { useNotifications } from './notifications';
import { useOutbox } from './outbox';
import { useQueue, type QueueFilters } from './queue';
import { useSession } from './session';
import { loadSession } from './signin';
import { useSupervisor } from './supervisor';
import { useUi } from './ui';
import { useUpdate } from './update';

const serverKey = (f: QueueFilters) => [f.status, f.level, f.search.trim(), f.claimedBy.trim()];
let reloads = 0;
let seenReloads = 0;

export function wireSubscriptions(): () => void {
  const offs = [
    api.on('case:updated', (e) => {
      if (useCase.getState().caseId === e.caseId) void useCase.getState().refresh();
    }),
    api.on('queue:changed', () => {
      // Only what changed since the last read is fetched and merged (store/queue-sync.ts).
      void useQueue.getState().sync();
      const view = useUi.getState().view;
      if (view === 'supervisor') void useSupervisor.getState().refresh();
      if (view === 'audit') void useAudit.getState().refresh();
    }),
    api.on('connection:changed', (c) => {
      const before = useSession.getState().session?.connection.database;
      useSession.getState().setConnection(c);
      // The database came or went: read again from the first page, so views switch between live and
      // cached (stale-marked) data and nothing missed while away stays missed.
      if (before !== c.database) {
        void useQueue.getState().refresh();
        void useCase.getState().refresh();
      }
    }),
    // Someone signed in or out at this seat (or the kept session opened): read who it is now. A change of
    // person clears every per-person store before anything of the new one is read (store/signin.ts).
    api.on('session:changed', () => void loadSession()),
    api.on('update:changed', (s) => useUpdate.getState().apply(s)),
    api.on('bulk:progress', (j) => useBulk.getState().onProgress(j)),
    api.on('outbox:changed', (e) => {
      useOutbox.getState().upsert(e);
      useNotifications.getState().outbox(e, useCase.getState().caseId === e.caseId);
      // Delivered later and refused for this build's version: the team needs an update (store/update.ts).
      const min = e.error?.code === 'update_required' ? e.error.details?.minimumVersion : undefined;
      if (typeof min === 'string') useUpdate.getState().markRequired(min);
      // One went through while "Update required" showed: the minimum was lowered (or met), read it again.
      else if (e.state === 'applied' && useUpdate.getState().status?.required) void useUpdate.getState().load();
      if (useCase.getState().caseId === e.caseId) void useCase.getState().refresh();
      // A conflict or a rejection proves this view was out of date: re-read the queue now.
      if (e.state === 'conflict' || e.state === 'rejected') void useQueue.getState().refresh();
    }),
    // Notifications (store/notifications.ts): who is signed in (their role and mutes), what the queue
    // brought, what was opened. A (re)load of the list — a first page, its following pages, other filters,
    // cached rows — is a baseline: only rows merged in by a live change are arrivals.
    useSession.subscribe((s) => useNotifications.getState().person(s.session?.user?.id, s.session?.user?.role)),
    useQueue.subscribe((s, prev) => {
      if (s.cases === prev.cases) return;
      const baseline = s.loading || s.loadingMore || !!s.stale || JSON.stringify(serverKey(s.filters)) !== JSON.stringify(serverKey(prev.filters)) || reloads !== seenReloads;
      seenReloads = reloads;
      useNotifications.getState().observe(s.cases, baseline);
    }),
    useQueue.subscribe((s, prev) => {
      if (s.loading && !prev.loading) reloads++;
    }),
    useCase.subscribe((s, prev) => {
      if (s.caseId !== prev.caseId) useNotifications.getState().seen(s.caseId);
    }),
    // Opening another case while "Update required" holds reads the team's minimum again (an admin may have lowered it).
    useCase.subscribe((s, prev) => {
      if (s.caseId && s.caseId !== prev.caseId && useUpdate.getState().status?.required) void useUpdate.getState().load();
    }),
  ];
  return () => offs.forEach((off) => off());
}
