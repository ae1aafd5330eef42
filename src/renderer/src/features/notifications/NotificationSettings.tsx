// Which notifications this person gets (issue 14). Kept per person on this computer (localStorage), not
// in the database: another computer asks again. A muted kind is still counted in the title and badge.
import { useState } from 'react';
import { KIND_LABELS, NOTIFY_KINDS, takesRouted } from '../../lib/attention';
import { askPermission, canAskPermission } from '../../lib/notify';
import { useNotifications } from '../../store/notifications';

export function NotificationSettings() {
  const { muted, setMuted, role } = useNotifications();
  const [ask, setAsk] = useState(canAskPermission());
  return (
    <section className="card notification-settings" aria-labelledby="notify-title" data-testid="notification-settings">
      <h3 id="notify-title">Notifications</h3>
      <fieldset>
        <legend>Notify me about</legend>
        {NOTIFY_KINDS.filter((k) => k !== 'routed' || takesRouted(role)).map((k) => (
          <label key={k} className="inline">
            <input type="checkbox" name={`notify-${k}`} checked={!muted[k]} onChange={(e) => setMuted(k, !e.target.checked)} />{' '}
            {KIND_LABELS[k]}
          </label>
        ))}
      </fieldset>
      <p className="muted small">Saved for you on this computer. Muted kinds still count in the window title and the badge.</p>
      {ask && (
        <p>
          <button type="button" className="small" onClick={() => void askPermission().then(() => setAsk(canAskPermission()))}>
            Show them as desktop notifications
          </button>{' '}
          <span className="muted small">Otherwise they appear inside the window.</span>
        </p>
      )}
    </section>
  );
}
