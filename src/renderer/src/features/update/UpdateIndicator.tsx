// The header's update state: available → downloading N % → ready ("restarts when you finish this case"),
// with the one action that fits. "Restart now" is disabled, saying why, while a decision is being written
// or a command is on its way; otherwise the verified update installs when the app quits.
import { useCase } from '../../store/case';
import { useHeld } from '../../store/held';
import { restartBlocker, useUpdate } from '../../store/update';

export function UpdateIndicator() {
  const { status, draft, error, download, restart, check } = useUpdate();
  // A decision held in the undo window (store/held.ts) is a command on its way: a restart would drop it.
  const caseBusy = useCase((c) => c.busy);
  const held = useHeld((h) => !!h.held);
  const busy = caseBusy || held;
  if (!status?.enabled) return null;
  const s = status.state;
  const blocker = restartBlocker(status, draft, busy);
  const refused = error && (
    <span className="sr-only" role="alert">
      {error.message}
    </span>
  );
  switch (s.phase) {
    case 'available':
      return (
        <span className="update" role="status" data-testid="update-status" data-phase={s.phase}>
          Update {s.version} available —{' '}
          <button className="small" onClick={() => void download()}>
            Download
          </button>
          {refused}
        </span>
      );
    case 'downloading':
      return (
        <span className="update" data-testid="update-status" data-phase={s.phase}>
          <span role="status">Downloading {s.percent} %</span>
          <progress max={100} value={s.percent} aria-label={`Downloading update ${s.version}`} />
        </span>
      );
    case 'verifying':
      return (
        <span className="update" role="status" data-testid="update-status" data-phase={s.phase}>
          Checking the signature of {s.version}…
        </span>
      );
    case 'ready':
      return (
        <span className="update update-ready" data-testid="update-status" data-phase={s.phase}>
          <span role="status" title={`Version ${s.version} is verified: it installs when you quit the app, or now with Restart now.`}>
            Update ready — restarts when you finish this case
          </span>
          <button className="small primary" disabled={!!blocker} aria-describedby={blocker ? 'restart-why' : undefined} title={blocker ?? undefined} onClick={() => void restart()}>
            Restart now
          </button>
          {blocker && (
            <span id="restart-why" className="why-inline small" data-testid="restart-why">
              {blocker}
            </span>
          )}
          {refused}
        </span>
      );
    case 'error':
      return (
        <span className="update update-error" data-testid="update-status" data-phase={s.phase}>
          <span role="status" className="error" title={s.message}>
            Update failed
          </span>
          <button className="small" onClick={() => void (s.version ? download() : check())} aria-label={`Retry the update: ${s.message}`}>
            Retry
          </button>
        </span>
      );
    default:
      return null;
  }
}
