// The keyboard action table (src/renderer/src/lib/keymap.ts) is the one source of the key handler, the
// command palette and the help sheet: every action has a key of its own, the help sheet lists exactly the
// table (the issue 14 defect: Ctrl+Shift+Enter worked but was not listed), presses match as the table
// says, and the palette's filter finds actions by label, key or id.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ACTIONS, DECISION_ACTION, fuzzyFilter, matchKey, parseKeys, type KeyPress } from '../../src/renderer/src/lib/keymap.js';

// The help sheet's component itself (a renderer .tsx file, outside the Node typecheck: loaded by path).
const SHEET = '../../src/renderer/src/features/shell/ShortcutTable.tsx';
const { ShortcutTable } = (await import(/* @vite-ignore */ SHEET)) as { ShortcutTable: (p: { mac?: boolean }) => null };

const press = (key: string, o: Partial<KeyPress> = {}): KeyPress => ({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...o });

describe('the keyboard action table', () => {
  it('gives every action a unique id and a unique key, and no key is the start of another', () => {
    expect(new Set(ACTIONS.map((a) => a.id)).size).toBe(ACTIONS.length);
    const keys = ACTIONS.map((a) => a.keys.toLowerCase());
    expect(new Set(keys).size).toBe(keys.length);
    // "g" starting "g q" may not also be an action of its own (it could never run).
    for (const a of ACTIONS) {
      const first = a.keys.split(' ')[0]!.toLowerCase();
      if (a.keys.includes(' ')) expect(keys).not.toContain(first);
    }
    for (const a of ACTIONS) expect(a.label.length, a.id).toBeGreaterThan(3);
  });

  it('has the issue 14 actions: palette, search, view keys, release, next urgent, submit & next, undo', () => {
    const byKeys = Object.fromEntries(ACTIONS.map((a) => [a.keys, a.id]));
    expect(byKeys).toMatchObject({
      'Ctrl+K': 'palette.open',
      '/': 'search.focus',
      'g q': 'view.queue',
      'g s': 'view.supervisor',
      'g a': 'view.audit',
      'g o': 'view.outbox',
      x: 'case.release',
      n: 'queue.nextUrgent',
      'Ctrl+Enter': 'decide.submit',
      'Ctrl+Shift+Enter': 'decide.submitNext',
      z: 'decide.undo',
    });
    for (const id of Object.values(DECISION_ACTION)) expect(ACTIONS.map((a) => a.id)).toContain(id);
  });

  it('the help sheet lists exactly the table: each action once, with its keys and label, and nothing else', () => {
    const html = renderToStaticMarkup(createElement(ShortcutTable, { mac: false }));
    const rows = [...html.matchAll(/<tr data-testid="shortcut" data-action="([^"]+)" data-keys="([^"]+)">(.*?)<\/tr>/g)];
    expect(rows.map((r) => r[1])).toEqual(ACTIONS.map((a) => a.id).sort((x, y) => scopeOrder(x) - scopeOrder(y)));
    for (const r of rows) {
      const a = ACTIONS.find((x) => x.id === r[1])!;
      expect(r[2]).toBe(a.keys);
      for (const chord of a.keys.split(' ')) expect(r[3]).toContain(`<kbd>${chord}</kbd>`);
      expect(r[3]).toContain(a.label.replace(/&/g, '&amp;'));
    }
    expect(html).toContain('<kbd>Ctrl+Shift+Enter</kbd>');
    // On a Mac, Ctrl is shown as ⌘.
    expect(renderToStaticMarkup(createElement(ShortcutTable, { mac: true }))).toContain('<kbd>⌘Shift+Enter</kbd>');
  });
});

const scopes = [...new Set(ACTIONS.map((a) => a.scope))];
const scopeOrder = (id: string) => scopes.indexOf(ACTIONS.find((a) => a.id === id)!.scope);

describe('matching key presses against the table', () => {
  it('plain keys act on the page only; Ctrl chords also in fields; nothing inside a dialog', () => {
    expect(matchKey(press('a'), [], 'page').action?.id).toBe('decide.approve');
    expect(matchKey(press('a'), [], 'field').action).toBeUndefined();
    expect(matchKey(press('Enter', { ctrlKey: true }), [], 'field').action?.id).toBe('decide.submit');
    expect(matchKey(press('Enter', { ctrlKey: true, shiftKey: true }), [], 'field').action?.id).toBe('decide.submitNext');
    expect(matchKey(press('Enter', { metaKey: true, shiftKey: true }), [], 'page').action?.id).toBe('decide.submitNext');
    expect(matchKey(press('Enter'), [], 'page').action?.id).toBe('queue.open');
    expect(matchKey(press('k', { metaKey: true }), [], 'field').action?.id).toBe('palette.open');
    expect(matchKey(press('K', { ctrlKey: true }), [], 'page').action?.id).toBe('palette.open');
    expect(matchKey(press('k', { ctrlKey: true }), [], 'dialog').action).toBeUndefined();
  });

  it('Shift counts for letters and named keys, not for how "?" is typed', () => {
    expect(matchKey(press('?', { shiftKey: true }), [], 'page').action?.id).toBe('help.open');
    expect(matchKey(press('/'), [], 'page').action?.id).toBe('search.focus');
    expect(matchKey(press('A', { shiftKey: true }), [], 'page').action).toBeUndefined();
    expect(matchKey(press('a', { altKey: true }), [], 'page').action).toBeUndefined();
  });

  it('sequences: "g" waits, the next key completes it; another key starts afresh', () => {
    const g = matchKey(press('g'), [], 'page');
    expect(g).toEqual({ pending: ['g'] });
    expect(matchKey(press('q'), g.pending, 'page').action?.id).toBe('view.queue');
    expect(matchKey(press('o'), g.pending, 'page').action?.id).toBe('view.outbox');
    expect(matchKey(press('a'), g.pending, 'page').action?.id).toBe('view.audit');
    expect(matchKey(press('o'), [], 'page').action?.id).toBe('decide.overturn');
    expect(matchKey(press('j'), g.pending, 'page').action?.id).toBe('queue.next');
    expect(matchKey(press('Shift'), g.pending, 'page')).toEqual({ pending: ['g'] });
    expect(matchKey(press('g'), [], 'field')).toEqual({ pending: [] });
    expect(parseKeys('g q')).toHaveLength(2);
  });
});

describe('the palette filter', () => {
  const ids = (q: string) => fuzzyFilter(ACTIONS, q).map((a) => a.id);
  it('lists every action for an empty query, in table order', () => {
    expect(ids('')).toEqual(ACTIONS.map((a) => a.id));
    expect(ids('   ')).toEqual(ACTIONS.map((a) => a.id));
  });
  it('finds by fuzzy label, best first', () => {
    expect(ids('undo')[0]).toBe('decide.undo');
    expect(ids('rel')[0]).toBe('case.release');
    expect(ids('nxt urg')[0]).toBe('queue.nextUrgent');
    expect(ids('audit')[0]).toBe('view.audit');
    expect(ids('sub next')[0]).toBe('decide.submitNext');
    expect(ids('ban')).toContain('decide.remove_and_ban');
  });
  it('finds by key and by id, case-insensitively', () => {
    expect(ids('ctrl+k')[0]).toBe('palette.open');
    expect(ids('PALETTE')[0]).toBe('palette.open');
  });
  it('drops what does not match', () => {
    expect(ids('zzzzqqq')).toEqual([]);
    expect(ids('undo').every((id) => fuzzyFilter(ACTIONS, 'undo').some((a) => a.id === id))).toBe(true);
    expect(ids('claim')).not.toContain('view.audit');
  });
});
