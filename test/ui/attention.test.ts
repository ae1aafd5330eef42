// What deserves a notification and the count in the title/badge (src/renderer/src/lib/attention.ts), and
// the Electron shell's half of the port over the typed `shell:attention` channel (dispatcher).
import { describe, expect, it } from 'vitest';
import { arrivals, audible, kindOf, noticeFor, titleFor, unseenCount } from '../../src/renderer/src/lib/attention.js';
import { createDispatcher } from '../../src/main/ipc/dispatcher.js';
import type { AttentionInput } from '../../src/shared/contract.js';
import type { CoreApi } from '../../src/core/api.js';
import { fakeHost, MOD1 } from './fake-host.js';

type C = Parameters<typeof kindOf>[0];
const c = (id: string, o: Partial<C> = {}): C => ({ id, status: 'awaiting_review', priority: 'normal', level: 1, reviewKind: null, contentId: `post-${id}`, textPreview: `text ${id}`, ...o });

describe('notification kinds', () => {
  it('an urgent case awaiting review is "urgent" for everyone; a normal or decided one is nothing', () => {
    for (const role of ['moderator', 'supervisor', 'admin'] as const) expect(kindOf(c('a', { priority: 'urgent' }), role)).toBe('urgent');
    expect(kindOf(c('a'), 'moderator')).toBeUndefined();
    expect(kindOf(c('a', { priority: 'urgent', status: 'actioned' }), 'moderator')).toBeUndefined();
  });

  it('escalations and appeals are routed to supervisors and admins, not to moderators', () => {
    const esc = c('e', { level: 2 });
    const appeal = c('p', { reviewKind: 'appeal' });
    expect(kindOf(esc, 'supervisor')).toBe('routed');
    expect(kindOf(appeal, 'admin')).toBe('routed');
    expect(kindOf(esc, 'moderator')).toBeUndefined();
    expect(kindOf(appeal, 'moderator')).toBeUndefined();
    // An urgent escalation is one item, routed, for a supervisor; urgent for a moderator.
    expect(kindOf(c('u', { level: 2, priority: 'urgent' }), 'supervisor')).toBe('routed');
    expect(kindOf(c('u', { level: 2, priority: 'urgent' }), 'moderator')).toBe('urgent');
    expect(noticeFor(appeal, 'routed').title).toBe('Appeal to review: post-p');
    expect(noticeFor(esc, 'routed').title).toBe('Escalated to your role: post-e');
  });
});

describe('arrivals', () => {
  it('the first read is a baseline: what was waiting is known, nothing is announced', () => {
    const a = arrivals(null, [c('1', { priority: 'urgent' }), c('2')], 'moderator');
    expect(a.fresh).toEqual([]);
    expect([...a.known]).toEqual(['1:1:']);
  });

  it('announces a new urgent case once; the same case read again is not new', () => {
    const first = arrivals(null, [c('1')], 'moderator');
    const second = arrivals(first.known, [c('9', { priority: 'urgent' }), c('1')], 'moderator');
    expect(second.fresh.map((f) => [f.c.id, f.kind])).toEqual([['9', 'urgent']]);
    expect(arrivals(second.known, [c('9', { priority: 'urgent' }), c('1')], 'moderator').fresh).toEqual([]);
  });

  it('a case escalated later arrives again for a supervisor (a new level)', () => {
    const k = arrivals(null, [c('1', { priority: 'urgent' })], 'supervisor').known;
    const later = arrivals(k, [c('1', { priority: 'urgent', level: 2 })], 'supervisor');
    expect(later.fresh.map((f) => f.kind)).toEqual(['routed']);
  });

  it('leaves the set it was given unchanged', () => {
    const k = new Set<string>();
    arrivals(k, [c('1', { priority: 'urgent' })], 'moderator');
    expect(k.size).toBe(0);
  });
});

describe('count, title and mutes', () => {
  it('counts unseen cases still calling for attention, plus conflicts', () => {
    const rows = [c('1', { priority: 'urgent' }), c('2', { priority: 'urgent', status: 'actioned' }), c('3', { level: 2 })];
    const unseen = new Set(['1', '2', '3', 'gone']);
    expect(unseenCount(unseen, rows, 'moderator', 0)).toBe(1);
    expect(unseenCount(unseen, rows, 'supervisor', 2)).toBe(4);
    expect(unseenCount(new Set(), rows, 'supervisor', 0)).toBe(0);
  });

  it('puts the count in the title, and no parentheses at zero', () => {
    expect(titleFor(3)).toBe('(3) Guardian Workstation');
    expect(titleFor(0)).toBe('Guardian Workstation');
  });

  it('a muted kind is silent; the others are not', () => {
    expect(audible('urgent', {})).toBe(true);
    expect(audible('urgent', { urgent: true })).toBe(false);
    expect(audible('conflict', { urgent: true })).toBe(true);
    expect(audible('routed', { routed: false })).toBe(true);
  });
});

describe('shell:attention (the Electron half of the port)', () => {
  it('hands the badge and the notice to the shell; the dev host has none (shown: false); bad input is refused', async () => {
    const asked: AttentionInput[] = [];
    const host = fakeHost({ signedIn: { api: {} as CoreApi, user: MOD1 } });
    const ctx = { host, shell: 'electron' as const };
    const d = createDispatcher({ attention: (a) => (asked.push(a), !!a.notice) });
    const notice = { kind: 'urgent' as const, title: 'Urgent case: p-1', body: 'x' };
    expect(await d.dispatch('shell:attention', { badge: 3, notice }, ctx)).toEqual({ ok: true, value: { shown: true } });
    expect(await d.dispatch('shell:attention', { badge: 0 }, ctx)).toEqual({ ok: true, value: { shown: false } });
    expect(asked).toEqual([{ badge: 3, notice }, { badge: 0 }]);
    expect(await createDispatcher().dispatch('shell:attention', { badge: 1, notice }, { host, shell: 'devhost' })).toEqual({ ok: true, value: { shown: false } });
    for (const bad of [{ badge: -1 }, { badge: 1.5 }, { badge: 1, notice: { ...notice, kind: 'other' } }, { badge: 1, extra: true }, { badge: 1, notice: { ...notice, title: '' } }])
      expect(await d.dispatch('shell:attention', bad, ctx)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(asked).toHaveLength(2);
    // Signed out, the shell is not asked.
    expect(await d.dispatch('shell:attention', { badge: 1 }, { host: fakeHost(), shell: 'electron' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(asked).toHaveLength(2);
  });
});
