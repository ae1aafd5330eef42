// "Update required" (issue 13): the team's minimum version is newer than this build, so the database refuses
// its decisions. Persistent while it holds; reading (queue, cases) keeps working; the update action is here.
import { restartBlocker, useUpdate } from '../../store/update';
import { useCase } from '../../store/case';
import { useHeld } from '../../store/held';

export function UpdateRequiredBanner() {
  const { status, draft, error, check, download, restart } = useUpdate();
  // A decision held in the undo window (store/held.ts) is a command on its way: a restart would drop it.
  const caseBusy = useCase((c) => c.busy);
  const held = useHeld((h) => !!h.held);
  const busy = caseBusy || held;
  if (!status?.required) return null;
  const s = status.state;
  const blocker = restartBlocker(status, draft, busy);
  let action;
  if (!status.enabled) action = <span>Ask your admin for the new version.</span>;
  else if (s.phase === 'available')
    action = (
      <button className="small primary" onClick={() => void download()}>
        Download {s.version}
      </button>
    );
  else if (s.phase === 'downloading') action = <span>Downloading {s.percent} %…</span>;
  else if (s.phase === 'verifying' || s.phase === 'checking') action = <span>{s.phase === 'checking' ? 'Looking for the update…' : 'Checking its signature…'}</span>;
  else if (s.phase === 'ready')
    action = (
      <button className="small primary" disabled={!!blocker} title={blocker ?? undefined} onClick={() => void restart()}>
        Restart now to update
      </button>
    );
  else
    action = (
      <button className="small" onClick={() => void check()}>
        Check for updates
      </button>
    );
  return (
    <div className="required banner" role="alert" data-testid="update-required">
      <strong>
        Update required: this workstation is {status.currentVersion}, the team needs {status.required.minimumVersion} or later.
      </strong>{' '}
      You can keep reading the queue and cases; decisions wait until it is updated. {action}
      {s.phase === 'available' && (
        <button className="small" onClick={() => void check()} title="Reads the team's minimum version again (and the update feed)">
          Check again
        </button>
      )}
      {error && <span className="error"> {error.message}</span>}
    </div>
  );
}
