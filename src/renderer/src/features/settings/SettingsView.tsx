// The settings screen (issue 13): each setting with its value and where it comes from. What the admin's
// machine-wide policy file enforces is "Managed by your organisation" and cannot be changed here; the
// rest is the person's (their environment / .env), the policy's default, or the built-in default.
import { useEffect, useState } from 'react';
import type { ContractError, ManagedView } from '../../lib/contract-types';
import { api } from '../../lib/api';
import { useUpdate } from '../../store/update';
import { WellbeingSettings } from '../wellbeing/WellbeingSettings';
import { NotificationSettings } from '../notifications/NotificationSettings';

const LABELS: Record<string, string> = {
  databaseUrl: 'Database server',
  amqpUrl: 'Message broker',
  rolePrefix: 'Installation role prefix',
  updateChannel: 'Update channel',
  updateUrl: 'Update feed',
  tracing: 'Tracing (LangSmith)',
  langsmithEndpoint: 'Tracing endpoint',
  worker: 'Run the worker on this computer',
  slaMinutes: 'Review deadline (SLA, minutes)',
  claimMinutes: 'Claim length (minutes)',
  undoSeconds: 'Undo window before a decision is sent (seconds, 0 = off)',
  logLevel: 'Log level',
};
const SOURCES: Record<string, string> = {
  enforced: 'Managed by your organisation',
  user: 'Your setting',
  default: "Your organisation's default",
  'built-in': 'Built-in default',
};

/** A padlock drawn in the text colour (no emoji font is needed). */
const Lock = () => (
  <svg width="12" height="14" viewBox="0 0 12 14" aria-hidden="true" focusable="false">
    <rect x="1" y="6" width="10" height="7.5" rx="1.5" fill="currentColor" />
    <path d="M3.5 6V4a2.5 2.5 0 0 1 5 0v2" fill="none" stroke="currentColor" strokeWidth="1.6" />
  </svg>
);

const show = (v: unknown) => (v === null || v === undefined || v === '' ? 'not set' : typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v));

export function SettingsView() {
  const [view, setView] = useState<ManagedView>();
  const [error, setError] = useState<ContractError>();
  const { status, check } = useUpdate();
  useEffect(() => {
    void api.call('settings:get', {}).then((r) => (r.ok ? setView(r.value) : setError(r.error)));
  }, []);
  return (
    <section className="settings card" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      {status && (
        <div className="settings-update" data-testid="settings-update">
          <p>
            This workstation runs version <strong>{status.currentVersion}</strong>
            {status.channel ? (
              <>
                {' '}
                on the <strong>{status.channel}</strong> update channel
              </>
            ) : null}
            .{' '}
            {status.enabled ? (
              <button className="small" onClick={() => void check()} disabled={status.state.phase === 'checking' || status.state.phase === 'downloading'}>
                Check for updates
              </button>
            ) : (
              <span className="muted">No update feed is configured.</span>
            )}
          </p>
          {status.state.phase === 'none' && <p className="muted small">It is up to date.</p>}
          {status.state.phase === 'error' && <p className="error small">{status.state.message}</p>}
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          Could not read the settings: {error.message}
        </p>
      )}
      {view && (
        <>
          <p className="muted small" data-testid="policy-file">
            {view.file ? (
              <>
                Your organisation's policy file: <span className="mono">{view.file}</span>
              </>
            ) : (
              'No policy file from your organisation on this computer.'
            )}
          </p>
          <table className="settings-table">
            <caption className="sr-only">Settings, their values and where they come from</caption>
            <thead>
              <tr>
                <th scope="col">Setting</th>
                <th scope="col">Value</th>
                <th scope="col">Source</th>
              </tr>
            </thead>
            <tbody>
              {view.settings.map((s) => {
                const name = LABELS[s.key] ?? s.key;
                return (
                  <tr key={s.key} data-testid="setting" data-key={s.key} data-source={s.source} className={s.locked ? 'locked' : undefined}>
                    <th scope="row">{name}</th>
                    <td>
                      <input
                        className="mono"
                        aria-label={name}
                        value={show(s.value)}
                        readOnly
                        disabled={s.locked}
                        aria-describedby={s.locked ? `managed-${s.key}` : undefined}
                      />
                    </td>
                    <td>
                      {s.locked ? (
                        <span className="managed" id={`managed-${s.key}`}>
                          <Lock />
                          <span>
                            Managed by your organisation <span className="muted">— it cannot be changed here</span>
                          </span>
                        </span>
                      ) : (
                        <span className="muted">{SOURCES[s.source] ?? s.source}</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <p className="muted small">
            Settings that are not managed are read from your environment (or a .env file) when the app starts.
          </p>
        </>
      )}
      <WellbeingSettings />
      <NotificationSettings />
    </section>
  );
}
