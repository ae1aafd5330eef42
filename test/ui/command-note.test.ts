// A queue row's note on the person's own command (issue 14: a rolled-back case's row still said
// "your decision: APPLIED", as if the decision stood).
import { describe, expect, it } from 'vitest';
import { commandNote } from '../../src/renderer/src/lib/command-note.js';
import type { OutboxEntry } from '../../src/shared/contract.js';

const entry = (state: OutboxEntry['state'], type = 'decide'): OutboxEntry => ({
  id: 'e', caseId: 'c', type, summary: 'remove — threat', state, error: null, attempts: 1, createdAt: '', updatedAt: '',
});

describe('queue row: your command', () => {
  it('a decision applied and since rolled back or appealed says so, not just "applied"', () => {
    expect(commandNote(entry('applied'), { status: 'awaiting_review', level: 2, reviewKind: 'rollback' })).toEqual({ what: 'decision', state: 'applied, then rolled back', superseded: true });
    expect(commandNote(entry('applied'), { status: 'awaiting_review', level: 2, reviewKind: 'appeal' })).toMatchObject({ state: 'applied, now appealed', superseded: true });
    expect(commandNote(entry('applied'), { status: 'reversing', level: 1, reviewKind: null })).toMatchObject({ state: 'applied, being reversed' });
  });

  it('a command on its way says its own state', () => {
    expect(commandNote(entry('pending'), { status: 'awaiting_review', level: 1, reviewKind: null })).toEqual({ what: 'decision', state: 'pending', superseded: false });
    expect(commandNote(entry('conflict'), { status: 'awaiting_review', level: 2, reviewKind: 'rollback' })).toMatchObject({ state: 'conflict', superseded: false });
    expect(commandNote(entry('applied', 'request_escalation'), { status: 'awaiting_review', level: 2, reviewKind: 'escalation' })).toMatchObject({ what: 'request escalation', state: 'applied' });
  });
});
