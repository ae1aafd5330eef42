// The audit view's reads and its "Verify chain" (issue 15, Audit), through the IPC dispatcher with a real
// person's session on real PostgreSQL: newest first; filters by the whole case id, the short id the view
// shows, the content id, actor, type and time; bad input is a typed invalid_input naming the field (not
// PostgreSQL's "invalid input syntax for type uuid"); after a superuser edits one event, `audit:verify`
// names exactly that event. The list's plans at 100k events are checked with EXPLAIN (no sequential scan).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuardianError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/log.js';
import { createMemoryBus } from '../../src/core/queue/memory-bus.js';
import { createEventHub } from '../../src/core/runtime/events.js';
import { openPersonSession, type PersonSession } from '../../src/core/session/person-session.js';
import { createDispatcher } from '../../src/main/ipc/dispatcher.js';
import type { AuditVerification, Result } from '../../src/shared/contract.js';
import type { AuditEvent } from '../../src/shared/domain.js';
import { createTestInstallation, type TestInstallation } from '../support/installation.js';
import { fakeHost } from '../ui/fake-host.js';

let inst: TestInstallation;
let sup: PersonSession;
let mod: PersonSession;
const d = createDispatcher();
let ctx: Parameters<typeof d.dispatch>[2];
const cases: Record<'a' | 'b' | 'twin1' | 'twin2', { id: string; contentId: string }> = {} as never;
const NOTE = 'seen this author before — check the older case';

async function list(input: Record<string, unknown>): Promise<AuditEvent[]> {
  const r = (await d.dispatch('audit:list', input, ctx)) as Result<AuditEvent[]>;
  if (!r.ok) throw new Error(`audit:list ${JSON.stringify(input)}: ${r.error.code} ${r.error.message}`);
  return r.value;
}
async function verify(input?: Record<string, unknown>): Promise<AuditVerification> {
  const r = (await d.dispatch('audit:verify', input, ctx)) as Result<AuditVerification>;
  if (!r.ok) throw new Error(`audit:verify: ${r.error.code} ${r.error.message}`);
  return r.value;
}

/** A case as content.submitted creates it (the worker's ingest function). */
async function newCase(caseId: string, contentId: string): Promise<void> {
  await inst.pool(inst.workerUrl, 1).query(
    `SELECT worker.ingest_content(p_case_id => $1, p_content_id => $2, p_author_id => 'a-1', p_text => 'some text', p_url => NULL,
            p_reported_by => NULL, p_report_reason => NULL, p_priority => 'normal', p_submitted_at => now())`,
    [caseId, contentId],
  );
}

const session = (url: string) =>
  openPersonSession({ mode: 'connected', connectionString: url, bus: createMemoryBus({ logger: silentLogger }), hub: createEventHub(silentLogger), logger: silentLogger, claimMinutes: 15, tool: 'ui' });

beforeAll(async () => {
  inst = await createTestInstallation();
  sup = await session((await inst.person('sup-1', 'supervisor')).url);
  mod = await session((await inst.person('mod-1', 'moderator')).url);
  ctx = { host: fakeHost({ signedIn: { api: sup, user: { id: 'sup-1', displayName: 'Sup One', role: 'supervisor' } } }), shell: 'devhost' };
  const tag = randomUUID().slice(0, 6);
  const twin = randomUUID();
  const ids = { a: randomUUID(), b: randomUUID(), twin1: twin, twin2: `${twin.slice(0, 9)}${randomUUID().slice(9)}` };
  for (const [k, id] of Object.entries(ids)) {
    cases[k as keyof typeof cases] = { id, contentId: `post-${k}-${tag}` };
    await newCase(id, `post-${k}-${tag}`);
  }
  expect((await mod.execute({ type: 'note', caseId: cases.a.id, commandId: `note-${tag}`, text: NOTE })).status).toBe('applied');
  expect((await sup.execute({ type: 'note', caseId: cases.b.id, commandId: `note-b-${tag}`, text: 'second look' })).status).toBe('applied');
});
afterAll(async () => {
  await sup?.close().catch(() => {});
  await mod?.close().catch(() => {});
  await inst?.drop();
});

describe('audit:list', () => {
  it('lists newest first when the view asks, and keeps chain order (oldest first) by default for `guardian audit`', async () => {
    const newest = (await list({ order: 'newest' })).map((e) => e.id);
    expect(newest.length).toBeGreaterThan(4);
    expect(newest).toEqual([...newest].sort((x, y) => y - x));
    const oldest = (await list({})).map((e) => e.id);
    expect(oldest).toEqual([...newest].reverse());
  });

  it("filters by the whole case id, the short id the view shows, any 4+ digit prefix, and the case's content id", async () => {
    const full = await list({ caseId: cases.a.id });
    expect(full.map((e) => e.type)).toEqual(expect.arrayContaining(['case.created', 'case.note']));
    expect(new Set(full.map((e) => e.caseId))).toEqual(new Set([cases.a.id]));
    const ids = full.map((e) => e.id);
    expect((await list({ caseId: cases.a.id.slice(0, 8) })).map((e) => e.id)).toEqual(ids);
    expect((await list({ caseId: cases.a.id.slice(0, 4).toUpperCase() })).map((e) => e.id)).toEqual(ids);
    expect((await list({ caseId: cases.a.id.toUpperCase() })).map((e) => e.id)).toEqual(ids);
    expect((await list({ contentId: cases.a.contentId })).map((e) => e.id)).toEqual(ids);
    expect((await list({ caseId: cases.a.id.slice(0, 8), contentId: cases.a.contentId })).map((e) => e.id)).toEqual(ids);
    // Valid, but no such case: nothing, not an error.
    expect(await list({ contentId: 'no-such-post' })).toEqual([]);
    expect(await list({ caseId: cases.a.id.slice(0, 8), contentId: cases.b.contentId })).toEqual([]);
  });

  it('the core does the same for `guardian audit [CASE_ID]`', async () => {
    expect((await sup.audit({ caseId: cases.b.id.slice(0, 8) })).map((e) => e.caseId)).toEqual((await sup.audit({ caseId: cases.b.id })).map((e) => e.caseId));
  });

  it('refuses a short id two cases share, naming the field and the matches (never a guess); a longer prefix resolves', async () => {
    const shared = cases.twin1.id.slice(0, 8);
    const r = await d.dispatch('audit:list', { caseId: shared }, ctx);
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input', details: { field: 'caseId', reason: 'ambiguous' } } });
    if (r.ok) return;
    expect(r.error.message).toMatch(/^caseId: /);
    expect((r.error.details!.matches as string[]).sort()).toEqual([cases.twin1.id, cases.twin2.id].sort());
    const longer = await list({ caseId: cases.twin2.id.slice(0, 18) });
    expect(new Set(longer.map((e) => e.caseId))).toEqual(new Set([cases.twin2.id]));
  });

  it('filters by actor, type and time window', async () => {
    const byMod = await list({ actor: 'mod-1' });
    expect(byMod.length).toBeGreaterThan(0);
    expect(byMod.every((e) => e.actor === 'mod-1')).toBe(true);
    expect(byMod.map((e) => e.type)).toContain('case.note');
    expect(byMod.map((e) => e.caseId)).not.toContain(cases.b.id);
    const notes = await list({ type: 'case.note', order: 'newest' });
    expect(notes.map((e) => [e.type, e.caseId, e.actor])).toEqual([
      ['case.note', cases.b.id, 'sup-1'],
      ['case.note', cases.a.id, 'mod-1'],
    ]);
    const all = await list({ order: 'newest' });
    const note = all.find((e) => e.type === 'case.note')!;
    const since = await list({ from: note.at, order: 'newest' });
    expect(since.map((e) => e.id)).toEqual(all.filter((e) => e.at >= note.at).map((e) => e.id));
    expect(since.map((e) => e.id)).toContain(note.id);
    const until = await list({ to: new Date(Date.parse(all.at(-1)!.at) - 60_000).toISOString() });
    expect(until).toEqual([]);
  });

  it("holds a note's text in the case.note event's detail", async () => {
    const [note] = await list({ caseId: cases.a.id, type: 'case.note' });
    expect(note!.payload.text).toBe(NOTE);
  });

  it('answers bad input with invalid_input naming the field, never a PostgreSQL error', async () => {
    for (const [input, field] of [
      [{ caseId: 'not-a-uuid' }, 'caseId'],
      [{ caseId: '12' }, 'caseId'],
      [{ caseId: `${cases.a.id}0` }, 'caseId'],
      [{ caseId: 'abcd-1234' }, 'caseId'],
    ] as const) {
      const r = await d.dispatch('audit:list', input, ctx);
      expect(r, JSON.stringify(input)).toMatchObject({ ok: false, error: { code: 'invalid_input', details: { field } } });
      if (!r.ok) expect(r.error.message).not.toMatch(/syntax for type uuid/);
    }
    // The dispatcher's schema catches what the IPC sends; the core checks what the CLI sends.
    expect(await d.dispatch('audit:list', { from: 'yesterday' }, ctx)).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('from') } });
    for (const [q, field] of [
      [{ caseId: 'not-a-uuid' }, 'caseId'],
      [{ from: 'yesterday' }, 'from'],
      [{ to: '2026-13-45' }, 'to'],
      [{ from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, 'from'],
    ] as const)
      await expect(sup.audit(q), JSON.stringify(q)).rejects.toSatisfy((e: unknown) => e instanceof GuardianError && e.code === 'invalid_input' && e.details?.field === field);
  });
});

describe('audit:verify', () => {
  it('is intact, then names exactly the event a superuser edited (whole chain, and that case only)', async () => {
    const before = await verify();
    expect(before).toMatchObject({ ok: true, caseId: null, problems: 0, firstBroken: null });
    expect(before.events).toBeGreaterThan(4);
    expect(await verify({ caseId: cases.a.id.slice(0, 8) })).toMatchObject({ ok: true, caseId: cases.a.id });

    const [note] = await list({ caseId: cases.a.id, type: 'case.note' });
    // A superuser can do what no role can: switch the append-only trigger off for their transaction.
    await inst.dba(
      `BEGIN; SET LOCAL session_replication_role = replica;
       UPDATE audit_events SET payload = payload || '{"text":"nothing to see here"}' WHERE id = ${Number(note!.id)}; COMMIT;`,
    );
    const broken = { ok: false, firstBroken: { eventId: note!.id, caseId: cases.a.id, type: 'case.note', kind: 'edited', stream: `case:${cases.a.id}` } };
    const whole = await verify();
    expect(whole).toMatchObject({ ...broken, caseId: null });
    expect(whole.firstBroken!.message).toMatch(/hash/);
    expect(await verify({ caseId: cases.a.id.slice(0, 8) })).toMatchObject({ ...broken, caseId: cases.a.id, problems: 1 });
    expect(await verify({ contentId: cases.a.contentId })).toMatchObject({ ...broken, caseId: cases.a.id });
    // Another case's chain is still intact.
    expect(await verify({ caseId: cases.b.id })).toMatchObject({ ok: true, caseId: cases.b.id, firstBroken: null });
    // A case filter that is no case is said so, not "intact".
    expect(await d.dispatch('audit:verify', { contentId: 'no-such-post' }, ctx)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await d.dispatch('audit:verify', { caseId: 'zz' }, ctx)).toMatchObject({ ok: false, error: { code: 'invalid_input', details: { field: 'caseId' } } });
  });
});
