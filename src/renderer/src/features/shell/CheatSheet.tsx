import { useEffect, useRef } from 'react';
import { useUi } from '../../store/ui';

const ROWS: Array<[string, string]> = [
  ['j / k', 'next / previous case in the list'],
  ['Enter', 'open the selected case'],
  ['c', 'claim the open case'],
  ['v', 'reveal content you chose to blur (recorded in the audit)'],
  ['a w r b e', 'choose approve, warn, remove, remove & ban, escalate'],
  ['u o', 'appeal: uphold, overturn'],
  ['Ctrl+Enter', 'submit the decision (in the reason field)'],
  ['Esc', 'leave a field / close this sheet'],
  ['?', 'show this sheet'],
];

export function CheatSheet() {
  const { cheatSheet, setCheatSheet } = useUi();
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (cheatSheet) close.current?.focus();
  }, [cheatSheet]);
  if (!cheatSheet) return null;
  return (
    <div className="backdrop" onClick={() => setCheatSheet(false)}>
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby="cheat-title"
        className="dialog"
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => e.key === 'Escape' && setCheatSheet(false)}
      >
        <h2 id="cheat-title">Keyboard shortcuts</h2>
        <table className="cheats">
          <tbody>
            {ROWS.map(([k, what]) => (
              <tr key={k}>
                <td>
                  <kbd>{k}</kbd>
                </td>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <button ref={close} onClick={() => setCheatSheet(false)}>
          Close
        </button>
      </div>
    </div>
  );
}
