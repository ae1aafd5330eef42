import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionState } from '../../src/core/api.js';
import { GuardianError } from '../../src/core/errors.js';
import { openLocalStore } from '../../src/core/offline/local-store.js';
import { waitFor } from '../support/isolation.js';
import { contentMessage, plainPublisher, startHarness, TEXT, USERS, type Harness } from '../support/harness.js';
import { startWorkstation, type TestWorkstation } from './support.js';

let h: Harness;
let pub: Awaited<ReturnType<typeof plainPublisher>>;
beforeAll(async () => {
  h = await startHarness();
  pub = await plainPublisher(h.vhost.url);
});
afterAll(async () => {
  await pub?.close();
  await h?.close();
});

async function reviewCase(tag: string) {
  const contentId = `${tag}-${h.cmdId()}`;
  await pub.publish('content.submitted', contentMessage(contentId, TEXT.threat));
  return h.waitForCase(contentId, 'awaiting_review');
}

describe('offline decisions', () => {
  let w: TestWorkstation;
  beforeAll(async () => {
    w = await startWorkstation(h, USERS.mod2);
  });
  afterAll(async () => {
    await w?.close();
  });

  it('shows the database offline within seconds of a blackhole and keeps new decisions in the outbox (must show 6)', async () => {
    // A desktop's core: no worker role (no work consumers, no platform secret), the moderator's own login.
    expect(w.core.worker).toBeUndefined();
    expect(w.api.person).toMatchObject({ id: USERS.mod2, login: h.people[USERS.mod2]!.login });
    const c = await reviewCase('offline-db');
    const seen = await w.ws.getCase(c.id);
    expect(seen.stale).toBe(false);
    const states: ConnectionState[] = [];
    const off = w.api.onEvent((e) => e.type === 'connection.changed' && states.push(e.state));
    w.pg.set('blackhole');
    // The requirement is a bound (noticed within 5 s), so the wait is bounded by it.
    await waitFor(() => w.api.connection().database === 'down', { timeoutMs: 5_000, message: 'database shown offline' });
    expect(states.at(-1)?.database).toBe('down');

    const entry = w.ws.submit({ type: 'decide', caseId: c.id, decision: 'remove', reason: 'threat', commandId: h.cmdId(), expectedVersion: seen.value.version });
    expect(entry.state).toBe('pending');
    // The cached case is still readable, marked stale.
    const cached = await w.ws.getCase(c.id);
    expect(cached).toMatchObject({ stale: true, value: { id: c.id } });

    w.pg.set('pass');
    await w.waitForState(entry.id, 'applied');
    await h.waitForStatus(c.id, 'actioned');
    expect(h.kinds(c.id)).toEqual(['remove_content']);
    // Notes made offline travel the same way and land on the timeline.
    w.pg.set('blackhole');
    await waitFor(() => w.api.connection().database === 'down', { timeoutMs: 5_000, message: 'database shown offline again' });
    const note = w.ws.submit({ type: 'note', caseId: c.id, text: 'Author has two earlier warnings.', commandId: h.cmdId() });
    w.pg.set('pass');
    await w.waitForState(note.id, 'applied');
    expect((await (await h.api()).getCase(c.id)).timeline.find((e) => e.type === 'case.note')).toMatchObject({ actor: USERS.mod2, payload: { text: 'Author has two earlier warnings.' } });
    off();
  });

  it('an offline decision on a case someone decided meanwhile is a conflict naming the winner; only the winner acted (must show 2)', async () => {
    const c = await reviewCase('offline-conflict');
    const seen = await w.ws.getCase(c.id);
    w.pg.set('blackhole');
    w.mq.set('blackhole');
    const mine = w.ws.submit({ type: 'decide', caseId: c.id, decision: 'warn', reason: 'just a warning', commandId: h.cmdId(), expectedVersion: seen.value.version });
    // Meanwhile, on the servers, another moderator decides.
    await (await h.as(USERS.mod1)).execute({ type: 'decide', caseId: c.id, decision: 'remove', reason: 'clear threat', tool: 'ui', commandId: h.cmdId() });
    await h.waitForStatus(c.id, 'actioned');
    w.pg.set('pass');
    w.mq.set('pass');
    await w.waitForState(mine.id, 'conflict');
    const e = w.store.outbox.get(mine.id)!;
    expect(e.error!.message).toMatch(/decided by mod-1 \(remove\) at \d{4}-\d\d-\d\dT/);
    expect(e.error!.details).toMatchObject({ lastDecision: { actor: USERS.mod1, decision: 'remove' } });
    expect(h.kinds(c.id)).toEqual(['remove_content']);
    // The moderator asks a supervisor to look again; the conflicted decision itself never applies.
    const request = w.ws.requestEscalation(mine.id);
    expect(w.store.outbox.get(mine.id)!.state).toBe('discarded');
    await w.waitForState(request.id, 'applied');
    const after = await (await h.api()).getCase(c.id);
    expect(after.escalationRequest).toMatchObject({ by: USERS.mod2, reason: expect.stringContaining('my decision (warn) was not applied') });
    expect(after.timeline.at(-1)).toMatchObject({ type: 'escalation.requested', actor: USERS.mod2 });
    expect((await (await h.api()).listCases({ escalationRequested: true })).map((x) => x.id)).toContain(c.id);
    const { rows } = await h.core.db.query(`SELECT status FROM commands WHERE id = $1`, [mine.id]);
    expect(rows.map((r) => r.status)).toEqual(['rejected']);
    expect(h.kinds(c.id)).toEqual(['remove_content']);
  });

  it('a stale offline decision after a rollback re-paused the case is a conflict and never answers the level-2 review (must show 3)', async () => {
    const c = await reviewCase('offline-stale');
    await (await h.as(USERS.mod1)).execute({ type: 'decide', caseId: c.id, decision: 'remove', reason: 'threat', tool: 'ui', commandId: h.cmdId() });
    await h.waitForStatus(c.id, 'actioned');
    const sup = await startWorkstation(h, USERS.sup2);
    try {
      const seen = await sup.ws.getCase(c.id); // version as of "actioned"
      sup.pg.set('blackhole');
      // Offline, the supervisor decides on what they saw... while a rollback re-pauses the case at level 2.
      const stale = sup.ws.submit({ type: 'decide', caseId: c.id, decision: 'remove_and_ban', reason: 'ban them', commandId: h.cmdId(), expectedVersion: seen.value.version });
      await (await h.as(USERS.sup1)).execute({ type: 'rollback', caseId: c.id, reason: 'needs a second look', tool: 'ui', commandId: h.cmdId() });
      await h.waitForStatus(c.id, 'awaiting_review');
      sup.pg.set('pass');
      await sup.waitForState(stale.id, 'conflict');
      const after = await (await h.api()).getCase(c.id);
      expect(after).toMatchObject({ status: 'awaiting_review', level: 2, reviewKind: 'rollback' });
      expect(h.kinds(c.id)).toEqual(['remove_content', 'restore_content']);
    } finally {
      await sup.close();
    }
  });

  it('a decision whose job publish got no confirm (broker blackholed) is resent after the heal and applied once (must show 4)', async () => {
    const c = await reviewCase('offline-broker');
    const seen = await w.ws.getCase(c.id);
    w.mq.set('blackhole');
    const entry = w.ws.submit({ type: 'decide', caseId: c.id, decision: 'remove', reason: 'threat', commandId: h.cmdId(), expectedVersion: seen.value.version });
    // Recorded in the shared database (delivered), but the job never reached the broker.
    await w.waitForState(entry.id, 'delivered');
    expect((await (await h.api()).getCase(c.id)).status).toBe('executing');
    w.mq.set('pass');
    await w.waitForState(entry.id, 'applied', 60_000);
    await h.waitForStatus(c.id, 'actioned');
    expect(h.kinds(c.id)).toEqual(['remove_content']);
    const { rows } = await h.core.db.query(`SELECT count(*)::int AS n FROM actions WHERE case_id = $1`, [c.id]);
    expect(rows[0].n).toBe(1);
  });
});

describe('disk full (must show 5)', () => {
  const mount = fs.mkdtempSync(path.join(os.tmpdir(), 'guardian-full-'));
  let mounted = false;
  beforeAll(() => {
    // A tiny tmpfs as the data dir; needs root (CI runs as root).
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', mount]);
    mounted = true;
  });
  afterAll(() => {
    if (mounted) execFileSync('umount', [mount]);
    fs.rmSync(mount, { recursive: true, force: true });
  });

  it('says "not saved" when the data dir is full, and nothing shows as saved', async () => {
    const store = openLocalStore(mount);
    try {
      // Fill the disk (the filler is whatever fits).
      try {
        fs.writeFileSync(path.join(mount, 'filler'), Buffer.alloc(1024 * 1024));
      } catch {
        // ENOSPC: full, as intended
      }
      const cmd = { type: 'decide' as const, caseId: '00000000-0000-4000-8000-000000000001', decision: 'remove' as const, reason: 'threat of violence '.repeat(400), tool: 'ui' as const, commandId: h.cmdId() };
      let error: unknown;
      try {
        for (let i = 0; i < 50; i++) store.outbox.add({ ...cmd, commandId: `${cmd.commandId}-${i}` }, USERS.mod1);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(GuardianError);
      expect((error as GuardianError).code).toBe('unavailable');
      expect((error as GuardianError).message).toMatch(/^Not saved: .*disk is full/);
      const saved = store.outbox.recent(100).map((e) => e.id);
      const failedId = saved.length < 50 ? `${cmd.commandId}-${saved.length}` : undefined;
      expect(failedId).toBeDefined();
      expect(store.outbox.get(failedId!)).toBeUndefined();
    } finally {
      store.close();
    }
  });
});

describe('read cache', () => {
  it('follows live updates, so offline the queue does not show a case decided elsewhere as still open', async () => {
    const w = await startWorkstation(h, USERS.mod2);
    try {
      const c = await reviewCase('cache-follow');
      const listed = await w.ws.listCases({ status: ['awaiting_review'], limit: 1000 });
      expect(listed.value.map((x) => x.id)).toContain(c.id);
      await (await h.as(USERS.mod1)).execute({ type: 'decide', caseId: c.id, decision: 'remove', reason: 'threat', tool: 'ui', commandId: h.cmdId() });
      await h.waitForStatus(c.id, 'actioned');
      // The live update reaches the workstation and its cache...
      await waitFor(() => w.store.cache.cases().find((x) => x.id === c.id)?.status === 'actioned', { message: 'cache updated from the event' });
      // ...so offline, the cached queue no longer lists it.
      w.pg.set('blackhole');
      await waitFor(() => w.api.connection().database === 'down', { timeoutMs: 5_000, message: 'database shown offline' });
      const offline = await w.ws.listCases({ status: ['awaiting_review'], limit: 1000 });
      expect(offline.stale).toBe(true);
      expect(offline.value.map((x) => x.id)).not.toContain(c.id);
    } finally {
      await w.close();
    }
  });
});
