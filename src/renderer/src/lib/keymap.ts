// The ONE table of keyboard actions (issue 14 "Keyboard"). The key handler (lib/keyboard.ts), the
// command palette and the help sheet are all generated from it, so a key that works is a key that is
// listed. Pure data and pure functions: no stores, no DOM (unit-tested under Node).

export type ActionScope = 'anywhere' | 'queue' | 'case' | 'decision form' | 'held decision';

export interface KeyAction {
  id: string;
  /**
   * The keys, as a person reads them and as the handler matches them: chords joined by a space are a
   * sequence ("g q"); a chord is modifiers and a key ("Ctrl+Shift+Enter", "?"). "Ctrl" is Ctrl or ⌘.
   */
  keys: string;
  label: string;
  scope: ActionScope;
  /** When it applies, in words (the help sheet and the palette say it). */
  when: string;
}

export const ACTIONS = [
  { id: 'palette.open', keys: 'Ctrl+K', label: 'Open the command palette', scope: 'anywhere', when: 'always, also in a field' },
  { id: 'help.open', keys: '?', label: 'Show the keyboard shortcuts', scope: 'anywhere', when: 'not typing in a field' },
  { id: 'search.focus', keys: '/', label: 'Search the queue', scope: 'anywhere', when: 'not typing in a field; opens the queue' },
  { id: 'view.queue', keys: 'g q', label: 'Go to the queue', scope: 'anywhere', when: 'not typing in a field' },
  { id: 'view.supervisor', keys: 'g s', label: 'Go to the supervisor view', scope: 'anywhere', when: 'not typing in a field' },
  { id: 'view.audit', keys: 'g a', label: 'Go to the audit log', scope: 'anywhere', when: 'not typing in a field' },
  { id: 'view.outbox', keys: 'g o', label: 'Go to the outbox', scope: 'anywhere', when: 'this workstation keeps an outbox' },
  { id: 'queue.next', keys: 'j', label: 'Next case in the list', scope: 'queue', when: 'in the queue' },
  { id: 'queue.prev', keys: 'k', label: 'Previous case in the list', scope: 'queue', when: 'in the queue' },
  { id: 'queue.open', keys: 'Enter', label: 'Open the selected case', scope: 'queue', when: 'a case is selected' },
  { id: 'queue.toggleSelect', keys: 's', label: 'Select or unselect the highlighted case for a bulk action', scope: 'queue', when: 'you are a supervisor and a case is highlighted' },
  { id: 'queue.views', keys: 'g v', label: 'Choose a saved view (filters and sort)', scope: 'queue', when: 'in the queue' },
  { id: 'queue.nextUrgent', keys: 'n', label: 'Open the next urgent case', scope: 'queue', when: 'an urgent case awaits review' },
  { id: 'case.claim', keys: 'c', label: 'Claim the open case', scope: 'case', when: 'you may claim the open case' },
  { id: 'case.reveal', keys: 'v', label: 'Reveal content you chose to blur (recorded in the audit)', scope: 'case', when: 'the open case is blurred for you' },
  { id: 'case.authorHistory', keys: 'h', label: 'Show or hide the other cases of this author', scope: 'case', when: 'a case is open' },
  { id: 'case.release', keys: 'x', label: 'Release your claim', scope: 'case', when: 'you hold the claim on the open case' },
  { id: 'decide.approve', keys: 'a', label: 'Choose approve', scope: 'decision form', when: 'the form offers it' },
  { id: 'decide.warn', keys: 'w', label: 'Choose warn', scope: 'decision form', when: 'the form offers it' },
  { id: 'decide.remove', keys: 'r', label: 'Choose remove', scope: 'decision form', when: 'the form offers it' },
  { id: 'decide.remove_and_ban', keys: 'b', label: 'Choose remove & ban', scope: 'decision form', when: 'the form offers it' },
  { id: 'decide.escalate', keys: 'e', label: 'Choose escalate', scope: 'decision form', when: 'the form offers it' },
  { id: 'decide.uphold', keys: 'u', label: 'Appeal: choose uphold', scope: 'decision form', when: 'an appeal is open' },
  { id: 'decide.overturn', keys: 'o', label: 'Appeal: choose overturn', scope: 'decision form', when: 'an appeal is open' },
  { id: 'decide.template', keys: 't', label: 'Insert a reason template (then its number 1–9, or pick one)', scope: 'decision form', when: 'the form is open; the case\'s policy category comes first' },
  { id: 'decide.submit', keys: 'Ctrl+Enter', label: 'Submit the decision', scope: 'decision form', when: 'a decision and a reason are given, also in a field' },
  { id: 'decide.submitNext', keys: 'Ctrl+Shift+Enter', label: 'Submit the decision and open the next case', scope: 'decision form', when: 'a decision and a reason are given, also in a field' },
  { id: 'decide.undo', keys: 'z', label: 'Undo the held decision (back to its draft)', scope: 'held decision', when: 'a decision is waiting to be sent' },
] as const satisfies readonly KeyAction[];

export type ActionId = (typeof ACTIONS)[number]['id'];

/** The action for each decision the form offers (its key is the table's). */
export const DECISION_ACTION: Record<string, ActionId> = {
  approve: 'decide.approve',
  warn: 'decide.warn',
  remove: 'decide.remove',
  remove_and_ban: 'decide.remove_and_ban',
  escalate: 'decide.escalate',
  uphold: 'decide.uphold',
  overturn: 'decide.overturn',
};

export const actionById = (id: ActionId): KeyAction => ACTIONS.find((a) => a.id === id)!;
export const keysOf = (id: ActionId): string => actionById(id).keys;

export interface Chord {
  key: string;
  mod: boolean;
  shift: boolean;
  alt: boolean;
}

/** "Ctrl+Shift+Enter" → { key: 'enter', mod, shift }; a letter's case does not count, Shift+ does. */
export function parseChord(text: string): Chord {
  const parts = text.split('+');
  // "+" itself as the key ("Ctrl++") would end in two empty parts; no action uses it.
  const key = parts.pop()!;
  const mods = new Set(parts.map((p) => p.toLowerCase()));
  return { key: key.toLowerCase(), mod: mods.has('ctrl') || mods.has('cmd'), shift: mods.has('shift'), alt: mods.has('alt') };
}

export const parseKeys = (keys: string): Chord[] => keys.split(' ').map(parseChord);

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/** Whether a key press is this chord. Shift counts for named keys and letters; for "?" or "/" it is how the key is typed. */
export function chordMatches(c: Chord, e: KeyPress): boolean {
  const key = e.key.toLowerCase();
  if (key !== c.key) return false;
  if ((e.ctrlKey || e.metaKey) !== c.mod || e.altKey !== c.alt) return false;
  const shiftMatters = c.key.length > 1 || /^[a-z]$/.test(c.key);
  return !shiftMatters || e.shiftKey === c.shift;
}

/** Where the key press happens: typing in a field, inside a dialog, or on the page. */
export type KeyTarget = 'page' | 'field' | 'dialog';

export interface Match {
  /** The action the press completes, if any. */
  action?: KeyAction;
  /** The chords typed so far of a sequence still open ("g" of "g q"); empty when none. */
  pending: string[];
}

/**
 * What a key press does, given the chords of a sequence typed before it. Plain keys act only on the page
 * (typing "a" in the reason field types an "a"); chords with Ctrl/⌘ act in fields too; nothing acts inside
 * a dialog (the palette and the confirmations handle their own keys).
 */
export function matchKey(e: KeyPress, pending: string[], target: KeyTarget, table: readonly KeyAction[] = ACTIONS): Match {
  if (target === 'dialog') return { pending: [] };
  if (['shift', 'control', 'meta', 'alt'].includes(e.key.toLowerCase())) return { pending };
  const usable = (a: KeyAction) => target === 'page' || parseKeys(a.keys).every((c) => c.mod);
  const tryWith = (before: string[]): Match | undefined => {
    const typed = before.length;
    for (const a of table) {
      if (!usable(a)) continue;
      const seq = parseKeys(a.keys);
      if (seq.length <= typed) continue;
      const prefix = a.keys.split(' ').slice(0, typed);
      if (prefix.join(' ') !== before.join(' ')) continue;
      if (!chordMatches(seq[typed]!, e)) continue;
      if (seq.length === typed + 1) return { action: a, pending: [] };
      return { pending: [...before, a.keys.split(' ')[typed]!] };
    }
    return undefined;
  };
  // A press that does not continue the open sequence starts afresh.
  return (pending.length ? tryWith(pending) : undefined) ?? tryWith([]) ?? { pending: [] };
}

/**
 * The palette's filter: every character of the query, in order, in the action's label, keys or id
 * (case-insensitive). Word starts and runs of adjacent characters score higher; best first, table order on ties.
 */
export function fuzzyFilter<T extends KeyAction>(actions: readonly T[], query: string): T[] {
  const q = query.trim().toLowerCase().replace(/\s+/g, ' ');
  if (!q) return [...actions];
  const scored: Array<{ a: T; score: number; i: number }> = [];
  actions.forEach((a, i) => {
    const best = Math.max(score(a.label, q), score(a.keys, q) - 1, score(a.id.replace(/[._]/g, ' '), q) - 2);
    if (best > Number.NEGATIVE_INFINITY) scored.push({ a, score: best, i });
  });
  return scored.sort((x, y) => y.score - x.score || x.i - y.i).map((s) => s.a);
}

/** A subsequence match's score, or -Infinity when the query is not a subsequence of the text. */
export function score(text: string, q: string): number {
  const t = text.toLowerCase();
  let at = 0;
  let total = 0;
  let prev = -2;
  for (const ch of q) {
    if (ch === ' ') continue;
    const found = t.indexOf(ch, at);
    if (found < 0) return Number.NEGATIVE_INFINITY;
    const wordStart = found === 0 || /[\s&(/.-]/.test(t[found - 1]!);
    total += 1 + (found === prev + 1 ? 3 : 0) + (wordStart ? 2 : 0);
    prev = found;
    at = found + 1;
  }
  if (t.startsWith(q)) total += 5;
  return total;
}

/** The keys as shown: "⌘" for Ctrl on a Mac. */
export const showKeys = (keys: string, mac = false): string => (mac ? keys.replace(/Ctrl\+/g, '⌘') : keys);
