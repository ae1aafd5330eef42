import { fmtHm, fmtTime } from '../../lib/format';

/** Marks data served from the workstation's local cache while the shared database is unreachable (DESIGN §9). */
export function StaleMarker({ syncedAt, testId }: { syncedAt: string | null | undefined; testId: string }) {
  return (
    <div className="stale" role="status" data-testid={testId} title={syncedAt ? `Last synced ${fmtTime(syncedAt)}` : undefined}>
      <strong>Offline</strong> — {syncedAt ? `showing data from ${fmtHm(syncedAt)}` : 'showing cached data'}. Decisions are saved to the outbox and
      sent when the servers return.
    </div>
  );
}
