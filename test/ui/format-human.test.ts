// Issue 14: server messages and times as people read them — no raw case UUID, no ISO timestamp.
import { describe, expect, it } from 'vitest';

// The renderer's format.ts is outside tsconfig.node.json's file list (only queue-sync.ts is in it), so it is
// loaded by a path tsc does not follow, with the signatures under test stated here.
interface Format {
  timeAgo(iso: string, now?: number): string;
  humanTime(iso: string, now?: number): string;
  shortId(id: string): string;
  caseName(id: string, contentId?: string | null): string;
  humanizeMessage(text: string, opts?: { contentIdOf?: (caseId: string) => string | undefined; now?: number }): string;
  noteText(e: { type: string; payload: unknown }): string | undefined;
}
const FORMAT = '../../src/renderer/src/lib/format.js';
const { caseName, humanizeMessage, humanTime, noteText, shortId, timeAgo } = (await import(FORMAT)) as Format;

const NOW = new Date(2026, 11, 3, 14, 8, 0).getTime(); // local 14:08
const at = (h: number, m: number, day = 3) => new Date(2026, 11, day, h, m, 0).toISOString();
const CASE = '3f2a9c1d-0b7e-4c6a-9d2f-1e5b8a7c6d40';

describe('timeAgo / humanTime', () => {
  it('says how long ago, in minutes, hours and days', () => {
    expect(timeAgo(new Date(NOW - 20_000).toISOString(), NOW)).toBe('just now');
    expect(timeAgo(at(14, 5), NOW)).toBe('3 min ago');
    expect(timeAgo(at(11, 50), NOW)).toBe('2 h ago');
    expect(timeAgo(at(14, 8, 1), NOW)).toBe('2 d ago');
    expect(timeAgo(at(14, 18), NOW)).toBe('in 10 min');
  });
  it('shows today as hours:minutes, another day with its date', () => {
    expect(humanTime(at(14, 5), NOW)).toBe('14:05, 3 min ago');
    const other = humanTime(at(9, 30, 1), NOW);
    expect(other).toMatch(/09:30, 2 d ago$/);
    expect(other).toMatch(/Dec|12/);
    expect(humanTime('not a time', NOW)).toBe('not a time');
  });
});

describe('caseName / humanizeMessage', () => {
  it('names a case by its short id and, when known, its content id', () => {
    expect(shortId(CASE)).toBe('3f2a9c1d');
    expect(caseName(CASE, 'post-123')).toBe('3f2a9c1d (post-123)');
    expect(caseName(CASE)).toBe('3f2a9c1d');
  });
  it('rewrites the UUID and the ISO timestamp of a conflict message and keeps the rest', () => {
    const iso = new Date(NOW - 3 * 60_000).toISOString();
    const pgIso = iso.replace('Z', '+00:00'); // as PostgreSQL's jsonb writes it
    const msg = `Case ${CASE} is actioned: nothing to claim. It was decided by sup-1 (remove) at ${pgIso}.`;
    const out = humanizeMessage(msg, { contentIdOf: (id: string) => (id === CASE ? 'post-123' : undefined), now: NOW });
    expect(out).toBe('Case 3f2a9c1d (post-123) is actioned: nothing to claim. It was decided by sup-1 (remove) at 14:05, 3 min ago.');
    expect(humanizeMessage(`Case ${CASE.toUpperCase()} at ${iso}`, { now: NOW })).toBe('Case 3F2A9C1D at 14:05, 3 min ago');
    expect(humanizeMessage('Command id cmd-1 was already used.', { now: NOW })).toBe('Command id cmd-1 was already used.');
  });
});

describe('noteText', () => {
  const ev = (type: string, payload: unknown) => ({ type, payload });
  it("is a note's own text, and nothing for other events", () => {
    expect(noteText(ev('case.note', { text: 'seen <b>before</b>' }))).toBe('seen <b>before</b>');
    expect(noteText(ev('case.decided', { text: 'x', decision: 'remove' }))).toBeUndefined();
    expect(noteText(ev('case.note', {}))).toBeUndefined();
  });
});
