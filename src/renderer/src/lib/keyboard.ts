// The key handler generated from the action table (lib/keymap.ts): ONE window listener matches presses
// against the table and runs the handler the screen on show registered for the action. A screen
// registers what the action does there and whether it can now (`useAction`); an action nobody registered
// is listed by the palette as not available here.
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { ACTIONS, matchKey, type ActionId, type KeyTarget } from './keymap';

export interface ActionHandler {
  run(): void;
  /** true, or why not now (the palette shows it). Default: true. */
  enabled?(): true | string;
}

const handlers = new Map<ActionId, ActionHandler[]>();
const listeners = new Set<() => void>();
let version = 0;
const changed = () => {
  version++;
  for (const l of listeners) l();
};

/** Registers a handler while mounted; the latest one registered for an id wins (a screen over another). */
export function registerAction(id: ActionId, h: ActionHandler): () => void {
  const list = handlers.get(id) ?? [];
  list.push(h);
  handlers.set(id, list);
  changed();
  return () => {
    const l = handlers.get(id);
    const i = l?.indexOf(h) ?? -1;
    if (l && i >= 0) l.splice(i, 1);
    changed();
  };
}

export const handlerFor = (id: ActionId): ActionHandler | undefined => handlers.get(id)?.at(-1);

/** Whether the action can run now: true, or why not. */
export function availability(id: ActionId): true | string {
  const h = handlerFor(id);
  if (!h) return 'not available here';
  return h.enabled?.() ?? true;
}

/** Runs the action when it can; returns whether it ran. */
export function runAction(id: ActionId): boolean {
  const h = handlerFor(id);
  if (!h || (h.enabled?.() ?? true) !== true) return false;
  h.run();
  return true;
}

/** Re-renders when handlers come and go (the palette lists what is available). */
export function useActionsVersion(): number {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => version,
  );
}

/** Registers `run` (and `enabled`) for an action while the component is mounted; always the latest closures. */
export function useAction(id: ActionId, run: () => void, enabled?: () => true | string, active = true): void {
  const ref = useRef({ run, enabled });
  ref.current = { run, enabled };
  useEffect(() => {
    if (!active) return;
    return registerAction(id, { run: () => ref.current.run(), enabled: () => ref.current.enabled?.() ?? true });
  }, [id, active]);
}

export function keyTarget(t: EventTarget | null): KeyTarget {
  const el = t as HTMLElement | null;
  if (!el || typeof el.closest !== 'function') return 'page';
  if (el.closest('[role="dialog"], [role="alertdialog"]')) return 'dialog';
  if (el.closest('input, textarea, select, [contenteditable="true"]')) return 'field';
  return 'page';
}

/** A sequence's first chord ("g") waits this long for the next one. */
const SEQUENCE_MS = 1500;

/** Installs the one key listener; returns its removal. */
export function installKeyboard(win: Window = window): () => void {
  let pending: string[] = [];
  let pendingAt = 0;
  const onKey = (e: KeyboardEvent) => {
    if (e.defaultPrevented || e.isComposing) return;
    // Enter on a focused button or link presses it, as it would without shortcuts.
    if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey && (e.target as HTMLElement | null)?.closest?.('button, a[href], summary')) return;
    if (pending.length && Date.now() - pendingAt > SEQUENCE_MS) pending = [];
    const target = keyTarget(e.target);
    // Esc leaves a field (keeping what is in it), so the single-key shortcuts work again.
    if (e.key === 'Escape' && target === 'field') {
      e.preventDefault();
      (e.target as HTMLElement).blur();
      return;
    }
    const m = matchKey(e, pending, target, ACTIONS);
    if (m.pending.length) {
      pending = m.pending;
      pendingAt = Date.now();
      e.preventDefault();
      return;
    }
    pending = [];
    if (m.action && runAction(m.action.id as ActionId)) e.preventDefault();
  };
  win.addEventListener('keydown', onKey);
  return () => win.removeEventListener('keydown', onKey);
}
