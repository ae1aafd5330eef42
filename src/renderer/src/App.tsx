import { useEffect } from 'react';
import { AuditView } from './features/audit/AuditView';
import { DeadLettersView } from './features/deadletters/DeadLettersView';
import { OutboxView } from './features/outbox/OutboxView';
import { PeopleView } from './features/people/PeopleView';
import { CheatSheet } from './features/shell/CheatSheet';
import { Header } from './features/shell/Header';
import { QueueView } from './features/queue/QueueView';
import { PresenceSync } from './features/presence/PresenceSync';
import { SignIn } from './features/signin/SignIn';
import { SupervisorView } from './features/supervisor/SupervisorView';
import { SettingsView } from './features/settings/SettingsView';
import { UpdateRequiredBanner } from './features/update/UpdateRequiredBanner';
import { BreakSuggestion } from './features/wellbeing/ExposureBar';
import { useUpdate } from './store/update';
import { installKeyboard, useAction } from './lib/keyboard';
import { CommandPalette } from './features/shell/CommandPalette';
import { HeldBar } from './features/decide/HeldBar';
import { Toasts } from './features/notifications/Toasts';
import { useHeld } from './store/held';
import { useSession } from './store/session';
import { StartError } from './features/shell/StartError';
import { loadSession } from './store/signin';
import { wireSubscriptions } from './store/subscriptions';
import { useUi } from './store/ui';
import { api } from './lib/api';

export function App() {
  const { view, theme, setCheatSheet, setView } = useUi();
  const { session, error } = useSession();
  const signedIn = !!session?.user;

  useEffect(() => {
    void loadSession();
    const off = api.onLoginRefused((loginRefused) => useSession.setState({ loginRefused }));
    const unwire = wireSubscriptions();
    return () => {
      off();
      unwire();
    };
  }, []);
  const loginRefused = useSession((s) => s.loginRefused);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  useEffect(() => {
    if (signedIn) void useUpdate.getState().load();
  }, [signedIn]);
  useEffect(() => {
    if (signedIn) void useHeld.getState().loadSetting();
  }, [signedIn]);
  // The one key handler, generated from the action table (lib/keymap.ts); screens register what each action does.
  useEffect(() => (signedIn ? installKeyboard() : undefined), [signedIn]);
  const hasOutbox = !!session?.outbox;
  useAction('palette.open', () => useUi.getState().setPalette(true), undefined, signedIn);
  useAction('help.open', () => setCheatSheet(true), undefined, signedIn);
  useAction('search.focus', () => useUi.getState().requestSearch(), undefined, signedIn);
  useAction('view.queue', () => setView('queue'), undefined, signedIn);
  useAction('view.supervisor', () => setView('supervisor'), undefined, signedIn);
  useAction('view.audit', () => setView('audit'), undefined, signedIn);
  useAction('view.outbox', () => setView('outbox'), () => (hasOutbox ? true : 'this workstation keeps no outbox'), signedIn);
  useAction('decide.undo', () => void useHeld.getState().undo(), () => (useHeld.getState().held ? true : 'no decision is waiting to be sent'), signedIn);

  return (
    <div className="app">
      <Header />
      <div className="banners">
        {signedIn && <UpdateRequiredBanner />}
        {signedIn && <BreakSuggestion />}
        {session?.user && session.storeMovedAside && (
          <div className="error banner" role="alert" data-testid="store-moved-aside">
            <strong>The local store was damaged</strong> — it was moved aside and kept for recovery as{' '}
            <code>{session.storeMovedAside}</code>; a fresh one is in use. Anything still waiting in the old one was not sent from it.
          </div>
        )}
        {session?.user && loginRefused && (
          <div className="error banner" role="alert" data-testid="login-refused">
            <strong>Access ended</strong> — {loginRefused}
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
          <StartError error={error} />
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
        ) : view === 'people' ? (
          session.user.role === 'admin' ? <PeopleView /> : <QueueView />
        ) : view === 'deadLetters' && session.user?.role === 'admin' ? (
          <DeadLettersView />
        ) : (
          <AuditView />
        )}
      </main>
      {signedIn && <PresenceSync key={session?.user?.id} />}
      {signedIn && <HeldBar />}
      {signedIn && <Toasts />}
      {signedIn && <CheatSheet />}
      {signedIn && <CommandPalette />}
    </div>
  );
}
