// In-app notifications: where the port (lib/notify.ts) shows a notice the desktop cannot (the dev host
// without notification permission, or an Electron shell without support). "Open" goes to the case.
import { useUi } from '../../store/ui';
import { useCase } from '../../store/case';
import { useQueue } from '../../store/queue';
import { useNotifications } from '../../store/notifications';
import { UserText } from '../../lib/UserText';

export function Toasts() {
  const toasts = useNotifications((s) => s.toasts);
  const dismiss = useNotifications((s) => s.dismiss);
  return (
    <div className="toasts" role="region" aria-label="Notifications" data-testid="toasts">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast-${t.kind}`} role="status" data-testid="toast" data-kind={t.kind}>
          <strong>
            <UserText text={t.title} />
          </strong>
          <p>
            <UserText text={t.body} />
          </p>
          <div className="toast-actions">
            <button
              type="button"
              onClick={() => {
                dismiss(t.id);
                if (t.kind === 'conflict') return useUi.getState().setView('outbox');
                useUi.getState().setView('queue');
                useQueue.getState().select(t.caseId);
                void useCase.getState().open(t.caseId);
              }}
            >
              Open
            </button>
            <button type="button" aria-label="Dismiss notification" onClick={() => dismiss(t.id)}>
              ×
            </button>
          </div>
        </div>
      ))}
    </div>
  );
}
