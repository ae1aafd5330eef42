import { useEffect } from 'react';
import { AuditView } from './features/audit/AuditView';
import { OutboxView } from './features/outbox/OutboxView';
import { CheatSheet } from './features/shell/CheatSheet';
import { Header } from './features/shell/Header';
import { QueueView } from './features/queue/QueueView';
import { SupervisorView } from './features/supervisor/SupervisorView';
import { isShortcutTarget } from './lib/format';
import { useSession } from './store/session';
import { wireSubscriptions } from './store/subscriptions';
import { useUi } from './store/ui';

export function App() {
  const { view, theme, setCheatSheet } = useUi();
  const { session, error } = useSession();

  useEffect(() => {
    void useSession.getState().load();
    return wireSubscriptions();
  }, []);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === '?' && isShortcutTarget(e)) {
        e.preventDefault();
        setCheatSheet(true);
      } else if (e.key === 'Escape') setCheatSheet(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [setCheatSheet]);

  return (
    <div className="app">
      <Header />
      <main className="main">
        {error && !session ? (
          <p className="error" role="alert">
            Could not start the session: {error.message}
          </p>
        ) : !session ? (
          <p className="empty">Connecting…</p>
        ) : view === 'queue' ? (
          <QueueView />
        ) : view === 'supervisor' ? (
          <SupervisorView />
        ) : view === 'outbox' ? (
          <OutboxView />
        ) : (
          <AuditView />
        )}
      </main>
      <CheatSheet />
    </div>
  );
}
