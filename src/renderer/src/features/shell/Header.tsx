import { useEffect, useState } from 'react';
import { hostLink, type HostLink } from '../../lib/api';
import { isOpen, needsAction, useOutbox } from '../../store/outbox';
import { useNotifications } from '../../store/notifications';
import { useSession } from '../../store/session';
import { useUi, type View } from '../../store/ui';
import { SignOutButton } from '../signin/SignOutButton';
import { UserText } from '../../lib/UserText';
import { UpdateIndicator } from '../update/UpdateIndicator';
import { ExposureCount } from '../wellbeing/ExposureBar';

const VIEWS: Array<[View, string]> = [
  ['queue', 'Queue'],
  ['supervisor', 'Supervisor'],
  ['audit', 'Audit'],
];

function Chip({ name, value }: { name: string; value: string }) {
  const good = value === 'up' || value === 'embedded' || value === 'in-process' || value === 'open';
  // "down" reads as what it means to a moderator: the server is offline (decisions wait in the outbox).
  const shown = value === 'down' ? 'offline' : value;
  return (
    <span className={`chip ${good ? 'chip-ok' : 'chip-bad'}`} role="status" aria-label={`${name}: ${shown}`} data-testid={`conn-${name.toLowerCase()}`}>
      <span className="dot" aria-hidden="true" />
      {name}: {shown}
    </span>
  );
}

export function Header() {
  const session = useSession((s) => s.session);
  const { view, setView, theme, toggleTheme, setCheatSheet } = useUi();
  const [link, setLink] = useState<HostLink>(hostLink.get());
  const entries = useOutbox((s) => s.entries);
  const waiting = entries.filter(isOpen).length;
  const attention = entries.filter(needsAction).length;
  // The same count as the window title and the dock/taskbar badge (issue 14).
  const unseen = useNotifications((s) => s.count);
  // The socket may have opened between the first render and this effect (it connects while the bundle starts).
  useEffect(() => {
    setLink(hostLink.get());
    return hostLink.on(setLink);
  }, []);
  // Before sign-in there is nothing to navigate to and no connection of this person's to show.
  const user = session?.user ?? null;
  return (
    <header className="header">
      <div className="brand">Guardian</div>
      {user && (
        <nav aria-label="Views" className="tabs">
          {VIEWS.map(([v, name]) => (
            <button key={v} className={view === v ? 'tab active' : 'tab'} aria-current={view === v ? 'page' : undefined} onClick={() => setView(v)}>
              {name}
              {v === 'queue' && unseen > 0 && (
                <span className="tab-badge" data-testid="attention-count" title="Unseen urgent cases, cases routed to your role and conflicts (store/notifications.ts)">
                  {unseen}
                </span>
              )}
            </button>
          ))}
          {user.role === 'admin' && (
            <button className={view === 'deadLetters' ? 'tab active' : 'tab'} aria-current={view === 'deadLetters' ? 'page' : undefined} onClick={() => setView('deadLetters')}>
              Dead letters
            </button>
          )}
          {session?.outbox && (
            <button className={view === 'outbox' ? 'tab active' : 'tab'} aria-current={view === 'outbox' ? 'page' : undefined} onClick={() => setView('outbox')}>
              Outbox{' '}
              <span className={attention ? 'count-bad' : 'count'} data-testid="outbox-count">
                {waiting} waiting{attention ? ` · ${attention} to resolve` : ''}
              </span>
            </button>
          )}
          {/* Admins only: the database refuses the people functions to anyone else. */}
          {user.role === 'admin' && (
            <button className={view === 'people' ? 'tab active' : 'tab'} aria-current={view === 'people' ? 'page' : undefined} onClick={() => setView('people')}>
              People
            </button>
          )}
          <button className={view === 'settings' ? 'tab active' : 'tab'} aria-current={view === 'settings' ? 'page' : undefined} onClick={() => setView('settings')}>
            Settings
          </button>
        </nav>
      )}
      <div className="header-right">
        {user && <UpdateIndicator />}
        {user && <ExposureCount />}
        {link !== 'open' && <Chip name="Link" value={link} />}
        {user && (
          <>
            <Chip name="Database" value={session?.connection.database ?? 'unknown'} />
            <Chip name="Broker" value={session?.connection.broker ?? 'unknown'} />
            <span className="user" data-testid="current-user" title={`${user.id} · ${session?.mode} mode via ${session?.shell}`}>
              <UserText text={user.displayName} /> <span className={`role role-${user.role}`}>{user.role}</span>
            </span>
            {session?.signIn.required && <SignOutButton />}
          </>
        )}
        {user && (
          <button className="ghost" onClick={() => setCheatSheet(true)} aria-label="Keyboard shortcuts (?)">
            ?
          </button>
        )}
        <button className="ghost" onClick={toggleTheme} aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}>
          {theme === 'dark' ? 'Light' : 'Dark'}
        </button>
      </div>
    </header>
  );
}
