// The command palette (Ctrl/⌘+K): every action of the table (lib/keymap.ts) with its key, filtered as you
// type, run with Enter. Keyboard-only and accessible: a modal dialog holding a combobox that controls a
// listbox (aria-activedescendant), the focus kept inside, Esc closes and gives the focus back.
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { availability, runAction, useActionsVersion } from '../../lib/keyboard';
import { ACTIONS, fuzzyFilter, type ActionId } from '../../lib/keymap';
import { useUi } from '../../store/ui';
import { Keys } from './ShortcutTable';

export function CommandPalette() {
  const open = useUi((s) => s.palette);
  return open ? <Palette /> : null;
}

function Palette() {
  const setPalette = useUi((s) => s.setPalette);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const listId = useId();
  const version = useActionsVersion();
  const items = useMemo(() => {
    void version;
    return fuzzyFilter(ACTIONS, query).map((a) => ({ a, why: availability(a.id as ActionId) }));
  }, [query, version]);
  const current = items[Math.min(active, items.length - 1)];

  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    input.current?.focus();
    return () => {
      // Back where the person was, unless the action moved the focus on purpose (e.g. "/" to the search).
      if (document.activeElement === document.body || !document.activeElement) before?.focus?.();
    };
  }, []);
  useEffect(() => setActive(0), [query]);
  useEffect(() => {
    list.current?.querySelector('[aria-selected="true"]')?.scrollIntoView?.({ block: 'nearest' });
  }, [active]);

  const close = () => setPalette(false);
  const run = (id: ActionId) => {
    if (availability(id) !== true) return;
    close();
    // After the palette has gone, so the action sees the screen (and the focus) as it is without it.
    queueMicrotask(() => runAction(id));
  };

  return (
    <div className="backdrop palette-backdrop" onClick={close}>
      <div
        role="dialog"
        aria-modal="true"
        aria-label="Command palette"
        className="dialog palette"
        data-testid="palette"
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          if (e.key === 'Escape' || ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k')) {
            e.preventDefault();
            close();
          } else if (e.key === 'Tab') {
            // The combobox is the one stop: the focus stays in the palette.
            e.preventDefault();
            input.current?.focus();
          }
        }}
      >
        <input
          ref={input}
          role="combobox"
          aria-label="Command"
          aria-expanded="true"
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={current ? `${listId}-${current.a.id}` : undefined}
          placeholder="Type a command…"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              setActive((i) => Math.min(items.length - 1, i + 1));
            } else if (e.key === 'ArrowUp') {
              e.preventDefault();
              setActive((i) => Math.max(0, i - 1));
            } else if (e.key === 'Home' && e.ctrlKey) {
              setActive(0);
            } else if (e.key === 'Enter') {
              e.preventDefault();
              if (current) run(current.a.id as ActionId);
            }
          }}
        />
        <ul ref={list} id={listId} role="listbox" aria-label="Commands" className="palette-list">
          {items.map(({ a, why }, i) => (
            <li
              key={a.id}
              id={`${listId}-${a.id}`}
              role="option"
              aria-selected={i === active}
              aria-disabled={why !== true}
              data-action={a.id}
              className={`palette-item${i === active ? ' active' : ''}${why !== true ? ' unavailable' : ''}`}
              onMouseMove={() => setActive(i)}
              onClick={() => run(a.id as ActionId)}
            >
              <span className="palette-label">{a.label}</span>
              {why !== true && <span className="muted small palette-why"> — {why}</span>}
              <Keys keys={a.keys} />
            </li>
          ))}
          {items.length === 0 && (
            <li role="option" aria-disabled="true" aria-selected="false" className="muted">
              No command matches “{query}”
            </li>
          )}
        </ul>
        <p className="muted small palette-help" aria-hidden="true">
          ↑ ↓ to choose · Enter to run · Esc to close
        </p>
      </div>
    </div>
  );
}
