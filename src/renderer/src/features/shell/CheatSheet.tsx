import { useEffect, useRef } from 'react';
import { useUi } from '../../store/ui';
import { ShortcutTable } from './ShortcutTable';

/** The help sheet: the action table (lib/keymap.ts) itself, so it lists exactly the keys that work. */
export function CheatSheet() {
  const { cheatSheet, setCheatSheet } = useUi();
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!cheatSheet) return;
    const before = document.activeElement as HTMLElement | null;
    close.current?.focus();
    return () => before?.focus?.();
  }, [cheatSheet]);
  if (!cheatSheet) return null;
  return (
    <div className="backdrop" onClick={() => setCheatSheet(false)}>
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby="cheat-title"
        className="dialog cheat-dialog"
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          if (e.key === 'Escape' || e.key === '?') {
            e.preventDefault();
            setCheatSheet(false);
          } else if (e.key === 'Tab') {
            // The only control is Close: the focus stays in the sheet.
            e.preventDefault();
            close.current?.focus();
          }
        }}
      >
        <h2 id="cheat-title">Keyboard shortcuts</h2>
        <ShortcutTable />
        <p className="muted small">Esc leaves a field or closes a dialog. Every action is also in the command palette (Ctrl+K).</p>
        <button ref={close} onClick={() => setCheatSheet(false)}>
          Close
        </button>
      </div>
    </div>
  );
}
