// The SLA countdown's words and levels (src/shared/sla.ts): what the queue rows and the case view show.
import { describe, expect, it } from 'vitest';
import { shortSpan, slaView, soonThresholdMs } from '../../src/shared/sla.js';

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);
const at = (minutes: number, seconds = 0) => new Date(NOW + minutes * 60_000 + seconds * 1000).toISOString();

describe('SLA countdown', () => {
  it('says the time left or overdue in the two largest units, rounded down', () => {
    expect(shortSpan(72 * 60_000 + 59_000)).toBe('1h 12m');
    expect(shortSpan(60 * 60_000)).toBe('1h');
    expect(shortSpan(12 * 60_000 + 5_000)).toBe('12m');
    expect(shortSpan(45_000)).toBe('45s');
    expect(shortSpan(0)).toBe('0s');
    expect(shortSpan(-(5 * 60_000 + 30_000))).toBe('5m');
    expect(shortSpan((26 * 60 + 5) * 60_000)).toBe('1d 2h');
    expect(shortSpan(48 * 3600_000)).toBe('2d');
  });

  it('is none without a deadline', () => {
    expect(slaView(null, at(-10), NOW)).toBeNull();
    expect(slaView('not a time', at(-10), NOW)).toBeNull();
  });

  it('is ok with plenty left, "soon" under a quarter of its window (at most 30 minutes), overdue after', () => {
    // a 24-hour window: amber under 30 minutes
    expect(slaView(at(72), at(72 - 24 * 60), NOW)).toMatchObject({ level: 'ok', text: '1h 12m left', spoken: 'SLA 1 hour 12 minutes left' });
    expect(slaView(at(30), at(30 - 24 * 60), NOW)).toMatchObject({ level: 'ok', text: '30m left' });
    expect(slaView(at(29, 59), at(30 - 24 * 60), NOW)).toMatchObject({ level: 'soon', text: '29m left', spoken: 'SLA 29 minutes left, due soon' });
    // a 60-minute window: amber under 15 minutes
    expect(slaView(at(16), at(-44), NOW)!.level).toBe('ok');
    expect(slaView(at(14), at(-46), NOW)).toMatchObject({ level: 'soon', text: '14m left' });
    // a 15-minute urgent window: amber under 3m 45s, not all along
    expect(slaView(at(10), at(-5), NOW)!.level).toBe('ok');
    expect(slaView(at(3), at(-12), NOW)!.level).toBe('soon');
    // the deadline itself is not overdue yet; a second after it is
    expect(slaView(at(0), at(-60), NOW)).toMatchObject({ level: 'soon', text: '0s left' });
    expect(slaView(at(0, -1), at(-60), NOW)).toMatchObject({ level: 'overdue', text: 'overdue 1s', spoken: 'SLA overdue by 1 second' });
    // just past it: rounded up, never "overdue 0s"
    expect(slaView(new Date(NOW - 200).toISOString(), at(-60), NOW)).toMatchObject({ level: 'overdue', text: 'overdue 1s' });
    expect(slaView(at(-65), at(-125), NOW)).toMatchObject({ level: 'overdue', text: 'overdue 1h 5m', spoken: 'SLA overdue by 1 hour 5 minutes' });
  });

  it('falls back to 30 minutes when the window is unknown or empty', () => {
    expect(soonThresholdMs(0)).toBe(30 * 60_000);
    expect(slaView(at(20), null, NOW)!.level).toBe('soon');
    expect(slaView(at(40), null, NOW)!.level).toBe('ok');
  });
});
