import { useEffect } from 'react';
import { AuditView } from './features/audit/AuditView';
import { DeadLettersView } from './features/deadletters/DeadLettersView';
import { OutboxView } from './features/outbox/OutboxView';
import { CheatSheet } from './features/shell/CheatSheet';
import { Header } from './features/shell/Header';
import { QueueView } from './features/queue/QueueView';
import { SignIn } from './features/signin/SignIn';
import { SupervisorView } from './features/supervisor/SupervisorView';
import { SettingsView } from './features/settings/SettingsView';
import { UpdateRequiredBanner } from './features/update/UpdateRequiredBanner';
import { useUpdate } from './store/update';
import { isShortcutTarget } from './lib/format';
import { useSession } from './store/session';
import { loadSession } from './store/signin';
import { wireSubscriptions } from './store/subscriptions';
import { useUi } from './store/ui';

export function App() {
  const { view, theme, setCheatSheet } = useUi();
  const { session, error } = useSession();
  const signedIn = !!session?.user;

  useEffect(() => {
    void loadSession();
    return wireSubscriptions();
  }, []);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  useEffect(() => {
    if (signedIn) void useUpdate.getState().load();
  }, [signedIn]);
  useEffect(() => {
    if (!signedIn) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === '?' && isShortcutTarget(e)) {
        e.preventDefault();
        setCheatSheet(true);
      } else if (e.key === 'Escape') setCheatSheet(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [setCheatSheet, signedIn]);

  return (
    <div className="app">
      <Header />
      <div className="banners">
        {signedIn && <UpdateRequiredBanner />}
        {session?.user && session.storeMovedAside && (
          <div className="error banner" role="alert" data-testid="store-moved-aside">
            <strong>The local store was damaged</strong> — it was moved aside and kept for recovery as{' '}
            <code>{session.storeMovedAside}</code>; a fresh one is in use. Anything still waiting in the old one was not sent from it.
          </div>
        )}
        {session?.user && session.signIn.unverified && (
          <div className="stale banner" role="status" data-testid="signin-unverified">
            <strong>Signed in offline</strong> — your password will be checked when the server is back.
          </div>
        )}
      </div>
      <main className="main">
        {error && !session ? (
          <p className="error" role="alert">
            Could not start the session: {error.message}
          </p>
        ) : !session ? (
          <p className="empty">Connecting…</p>
        ) : !session.user ? (
          session.signIn.required ? (
            <SignIn info={session.signIn} />
          ) : (
            <p className="error" role="alert">
              No one is signed in at this workstation, and it offers no sign-in ({session.mode} mode).
            </p>
          )
        ) : view === 'queue' ? (
          <QueueView />
        ) : view === 'supervisor' ? (
          <SupervisorView />
        ) : view === 'outbox' ? (
          <OutboxView />
        ) : view === 'settings' ? (
          <SettingsView />
        ) : view === 'deadLetters' && session.user?.role === 'admin' ? (
          <DeadLettersView />
        ) : (
          <AuditView />
        )}
      </main>
      {signedIn && <CheatSheet />}
    </div>
  );
}
