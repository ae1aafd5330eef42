// The renderer's presence slice (issue 14): what a poll answer does to what the rows and the case show.
import { beforeEach, describe, expect, it } from 'vitest';
import { usePresence } from '../../src/renderer/src/store/presence.js';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const at = '2026-12-03T12:00:00Z';
const e = (caseId: string, personId: string, state: 'viewing' | 'typing') => ({ caseId, personId, state, since: at });

describe('usePresence', () => {
  beforeEach(() => usePresence.getState().reset());

  it('keeps others only, per case; a case asked about and absent from the answer has nobody', () => {
    const s = usePresence.getState();
    s.took([A, B], [e(A, 'mod-1', 'viewing'), e(A, 'mod-2', 'typing'), e(B, 'mod-1', 'viewing')], 'mod-1');
    expect(usePresence.getState().byCase).toEqual({ [A]: [e(A, 'mod-2', 'typing')] });
    // mod-2 left A: gone. A case not asked about keeps what was known.
    s.took([B], [e(B, 'mod-3', 'viewing')], 'mod-1');
    expect(usePresence.getState().byCase).toEqual({ [A]: [e(A, 'mod-2', 'typing')], [B]: [e(B, 'mod-3', 'viewing')] });
    s.took([A], [], 'mod-1');
    expect(usePresence.getState().byCase).toEqual({ [B]: [e(B, 'mod-3', 'viewing')] });
  });

  it('an unchanged answer changes nothing (rows do not re-render every poll)', () => {
    const s = usePresence.getState();
    s.took([A], [e(A, 'mod-2', 'viewing')], 'mod-1');
    const before = usePresence.getState().byCase;
    s.took([A], [{ ...e(A, 'mod-2', 'viewing') }], 'mod-1');
    expect(usePresence.getState().byCase).toBe(before);
    s.took([A], [e(A, 'mod-2', 'typing')], 'mod-1');
    expect(usePresence.getState().byCase).not.toBe(before);
    expect(usePresence.getState().byCase[A]?.[0]?.state).toBe('typing');
  });

  it('watch keeps the same list when the rows on screen did not change; reset forgets everything', () => {
    const s = usePresence.getState();
    s.watch([A, B]);
    const w = usePresence.getState().watched;
    s.watch([A, B]);
    expect(usePresence.getState().watched).toBe(w);
    s.took([A], [e(A, 'mod-2', 'viewing')], 'mod-1');
    s.reset();
    expect(usePresence.getState()).toMatchObject({ byCase: {}, watched: [] });
  });
});
