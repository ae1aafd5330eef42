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

/** The action table as the help sheet shows it, grouped by where each action applies. */
export function ShortcutTable({ actions = ACTIONS, mac }: { actions?: readonly KeyAction[]; mac?: boolean }) {
  const scopes = [...new Set(actions.map((a) => a.scope))] as ActionScope[];
  return (
    <table className="cheats" data-testid="shortcut-table">
      {scopes.map((scope) => (
        <tbody key={scope}>
          <tr>
            <th colSpan={3} scope="colgroup" className="cheat-scope">
              {scope === 'anywhere' ? 'Anywhere' : `In the ${scope}`}
            </th>
          </tr>
          {actions
            .filter((a) => a.scope === scope)
            .map((a) => (
              <tr key={a.id} data-testid="shortcut" data-action={a.id} data-keys={a.keys}>
                <td>
                  <Keys keys={a.keys} mac={mac} />
                </td>
                <td>{a.label}</td>
                <td className="muted small">{a.when}</td>
              </tr>
            ))}
        </tbody>
      ))}
    </table>
  );
}
