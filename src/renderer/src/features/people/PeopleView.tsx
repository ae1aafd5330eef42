// The admins' People screen (issue 15). Every change goes to the people functions of the database
// (api.add_person, api.disable_person, api.set_person_role), which check that the signed-in login is an
// admin and audit the change or the refusal. The screen offers exactly what those functions allow: nothing
// on your own row (they refuse self-administration), no disable/role change for a person without a login;
// anything the database still refuses is shown in its words.
import { useEffect, useState } from 'react';
import type { PersonEntry, Role } from '../../lib/contract-types';
import { fmtTime, label } from '../../lib/format';
import { UserText } from '../../lib/UserText';
import { usePeople } from '../../store/people';
import { useSession } from '../../store/session';

const ROLES: Role[] = ['moderator', 'supervisor', 'admin'];
const ID_RE = /^[A-Za-z0-9._@-]{1,64}$/;

/** Why the database would refuse this change for this person, or null when it would not. */
function refusalFor(me: string, p: PersonEntry): string | null {
  if (p.id === me) return 'You cannot disable yourself or change your own role; another admin can.';
  if (!p.login) return `${p.id} has no login of this installation.`;
  return null;
}

function OneTimePassword() {
  const added = usePeople((s) => s.added);
  const dismiss = usePeople((s) => s.dismissAdded);
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  useEffect(() => setCopied(null), [added]);
  if (!added) return null;
  return (
    <section className="card otp" aria-label="One-time password" data-testid="one-time-password-card">
      <p>
        <strong>One-time password for {added.id}</strong> (login <span className="mono" data-testid="one-time-login">{added.login}</span>, {added.role}):
      </p>
      <p className="otp-line">
        <code className="otp-value" data-testid="one-time-password">
          {added.oneTimePassword}
        </code>
        <button
          type="button"
          onClick={() =>
            void navigator.clipboard.writeText(added.oneTimePassword).then(
              () => setCopied('yes'),
              () => setCopied('no'),
            )
          }
        >
          Copy
        </button>
        {copied && (
          <span className="small muted" role="status">
            {copied === 'yes' ? 'Copied.' : 'Could not copy: select it and copy by hand.'}
          </span>
        )}
      </p>
      <p className="small muted">
        Shown once: only its verifier was sent to the server, so it cannot be shown again. Give it to {added.id} in person or over a channel you
        trust; they sign in with it.
      </p>
      <button type="button" className="primary" onClick={dismiss}>
        Done, hide it
      </button>
    </section>
  );
}

function AddPerson({ me, people }: { me: string; people: PersonEntry[] }) {
  const add = usePeople((s) => s.add);
  const busy = usePeople((s) => s.busy);
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('moderator');
  const trimmed = id.trim();
  const existing = people.find((p) => p.id === trimmed);
  const why =
    trimmed === ''
      ? null
      : !ID_RE.test(trimmed)
        ? 'Id: letters, digits and . _ @ - only (1 to 64).'
        : trimmed === me
          ? 'You cannot reset your own login or role here.'
          : null;
  return (
    <form
      className="filters people-add"
      aria-label="Add a person"
      onSubmit={(e) => {
        e.preventDefault();
        if (!trimmed || why) return;
        void add({ id: trimmed, role, displayName: name.trim() || undefined }).then((ok) => {
          if (ok) {
            setId('');
            setName('');
            setRole('moderator');
          }
        });
      }}
    >
      <label>
        Id
        <input value={id} onChange={(e) => setId(e.target.value)} placeholder="e.g. dana" aria-describedby="people-add-why" autoComplete="off" />
      </label>
      <label>
        Display name
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder="optional" autoComplete="off" maxLength={200} />
      </label>
      <label>
        Role
        <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="primary" disabled={!trimmed || !!why || busy !== undefined}>
        {existing ? 'Reset and enable' : 'Add person'}
      </button>
      <span id="people-add-why" className={why ? 'why-inline' : 'small muted'}>
        {why ?? (existing ? `${existing.id} exists: this gives them a new one-time password, this role, and enables them.` : 'They get a one-time password, shown once.')}
      </span>
    </form>
  );
}

function PersonRow({ p, me }: { p: PersonEntry; me: string }) {
  const { busy, disable, setRole, add } = usePeople();
  const [confirming, setConfirming] = useState(false);
  const why = refusalFor(me, p);
  const self = p.id === me;
  const working = busy === p.id;
  return (
    <tr data-testid="person-row" data-person-id={p.id} data-active={String(p.active)} aria-current={self ? 'true' : undefined}>
      <td className="mono">
        <UserText identifier text={p.id} />
        {self && <span className="small muted"> (you)</span>}
      </td>
      <td>
        <UserText text={p.displayName} />
        <div className="small muted mono">{p.login ?? 'no login'}</div>
      </td>
      <td>
        <select
          aria-label={`Role of ${p.id}`}
          value={p.role}
          disabled={!!why || working}
          title={why ?? undefined}
          onChange={(e) => void setRole(p.id, e.target.value as Role)}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </td>
      <td data-testid="person-status">
        {p.active ? <span className="status st-ok">enabled</span> : <span className="status st-failed">disabled</span>}
        {!p.active && p.disabledAt && <div className="small muted">since {fmtTime(p.disabledAt)}</div>}
      </td>
      <td data-testid="person-last-activity">
        {p.lastActivity ? (
          <>
            {fmtTime(p.lastActivity.at)}
            <div className="small muted">{label(p.lastActivity.type)}</div>
          </>
        ) : (
          <span className="muted">none yet</span>
        )}
      </td>
      <td>
        {why ? (
          <span className="small muted">{self ? 'Another admin can change you.' : why}</span>
        ) : confirming ? (
          <span className="buttons" role="group" aria-label={`Disable ${p.id}?`}>
            <span className="small">Disable {p.id}? They are signed out and cannot sign in again.</span>
            <button
              type="button"
              className="danger"
              disabled={working}
              onClick={() => void disable(p.id).then(() => setConfirming(false))}
            >
              Disable {p.id}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </span>
        ) : (
          <span className="buttons">
            {p.active && (
              <button type="button" disabled={working} onClick={() => setConfirming(true)}>
                Disable…
              </button>
            )}
            <button
              type="button"
              disabled={working}
              title="A new one-time password (shown once); enables a disabled person"
              onClick={() => void add({ id: p.id, role: p.role, displayName: p.displayName })}
            >
              {p.active ? 'New password' : 'Enable with new password'}
            </button>
          </span>
        )}
      </td>
    </tr>
  );
}

export function PeopleView() {
  const { people, loading, error, notice, refresh, dismissNotice, dismissAdded } = usePeople();
  const me = useSession((s) => s.session?.user?.id ?? '');
  useEffect(() => {
    void refresh();
    // The one-time password is not kept for a later visit.
    return () => dismissAdded();
  }, [refresh, dismissAdded]);
  const enabled = people.filter((p) => p.active).length;
  return (
    <section className="audit pane scroll people" aria-label="People">
      <h2>People</h2>
      <p className="muted small">
        Each person signs in with their own database login. Adding, disabling and role changes are checked and audited by the database with your login
        as the actor (see Audit, type person.*).
      </p>
      <AddPerson me={me} people={people} />
      <OneTimePassword />
      {notice && (
        <p
          className={`notice ${notice.kind === 'ok' ? 'notice-ok' : 'notice-error'}`}
          role={notice.kind === 'ok' ? 'status' : 'alert'}
          data-testid="people-notice"
          data-kind={notice.kind}
        >
          {notice.text}
          <button type="button" className="ghost" aria-label="Dismiss" onClick={dismissNotice}>
            ×
          </button>
        </p>
      )}
      <p className="counts" aria-live="polite" data-testid="people-count">
        {people.length} people, {enabled} enabled{loading ? ' · loading…' : ''}{' '}
        <button type="button" className="link" onClick={() => void refresh()}>
          Refresh
        </button>
      </p>
      {error && (
        <p className="error" role="alert" data-testid="people-error">
          Could not list people ({error.code}): {error.message}
        </p>
      )}
      <table aria-label="People">
        <thead>
          <tr>
            <th>Id</th>
            <th>Name and login</th>
            <th>Role</th>
            <th>Status</th>
            <th>Last activity</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {people.map((p) => (
            <PersonRow key={p.id} p={p} me={me} />
          ))}
        </tbody>
      </table>
    </section>
  );
}
