import { ACTIONS, showKeys, type ActionScope, type KeyAction } from '../../lib/keymap';

const isMac = () => typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform ?? '');

/** One <kbd> per chord of a sequence ("g" then "q"). */
export function Keys({ keys, mac = isMac() }: { keys: string; mac?: boolean }) {
  const chords = showKeys(keys, mac).split(' ');
  return (
    <span className="keys">
      {chords.map((c, i) => (
        <span key={i}>
          {i > 0 && <span className="muted"> then </span>}
          <kbd>{c}</kbd>
        </span>
      ))}
    </span>
  );
}

/** The action table as the help sheet shows it, grouped by where each action applies (a table per group). */
export function ShortcutTable({ actions = ACTIONS, mac }: { actions?: readonly KeyAction[]; mac?: boolean }) {
  const scopes = [...new Set(actions.map((a) => a.scope))] as ActionScope[];
  return (
    <div className="cheat-grid" data-testid="shortcut-table">
      {scopes.map((scope) => (
        <table key={scope} className="cheats">
          <caption className="cheat-scope">{scope === 'anywhere' ? 'Anywhere' : `In the ${scope}`}</caption>
          <tbody>
            {actions
              .filter((a) => a.scope === scope)
              .map((a) => (
                <tr key={a.id} data-testid="shortcut" data-action={a.id} data-keys={a.keys}>
                  <td>
                    <Keys keys={a.keys} mac={mac} />
                  </td>
                  <td>
                    {a.label}
                    <div className="muted small">{a.when}</div>
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      ))}
    </div>
  );
}
