/**
 * Presence (issue 14) as real logins: api.touch_presence records the CALLER's own presence — the person comes
 * from session_user and the function takes no person argument, so an attacker's own login can only ever
 * appear as itself — and api.presence shows unexpired rows only. Expiry is tested on the database's clock
 * without sleeping: the DBA moves a row's expiry into the past, and the bounded TTL argument is checked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, awaitingReview, createFixture, errorOf, expectWorkerCannotExecute, unknownCase, type Actor, type Fixture } from './support.js';

let f: Fixture;
beforeAll(async () => {
  f = await createFixture();
});
afterAll(async () => {
  await f?.drop();
});

type Presence = Array<{ caseId: string; personId: string; state: 'viewing' | 'typing'; since: string }>;
const touch = (who: Actor, caseId: string, state: string, extra: Record<string, unknown> = {}) =>
  api<Presence>(who, 'touch_presence', { p_case_id: caseId, p_state: state, ...extra });
const presence = (who: Actor, ids: string[]) => api<Presence>(who, 'presence', { p_case_ids: ids });
const who = (p: Presence) => p.map((x) => `${x.personId}:${x.state}`);

describe('api.touch_presence / api.presence', () => {
  it('viewing → typing → left, per person, seen by every other person; nothing audited, no command', async () => {
    const c = await awaitingReview(f);
    const { rows: [before] } = await f.inst.dba<{ a: string; c: string }>('SELECT (SELECT count(*) FROM audit_events) AS a, (SELECT count(*) FROM commands) AS c');
    expect(who(await touch(f.people.mod1, c.id, 'viewing'))).toEqual(['mod-1:viewing']);
    expect(who(await touch(f.people.mod2, c.id, 'viewing'))).toEqual(['mod-1:viewing', 'mod-2:viewing']);
    await touch(f.people.mod1, c.id, 'typing');
    expect(who(await presence(f.people.sup1, [c.id])).sort()).toEqual(['mod-1:typing', 'mod-2:viewing'])
    expect(await presence(f.people.sup1, [c.id])).toHaveLength(2);
    // A heartbeat in the same state keeps its "since".
    const [first] = (await presence(f.people.mod2, [c.id])).filter((x) => x.personId === 'mod-2');
    await touch(f.people.mod2, c.id, 'viewing');
    const [again] = (await presence(f.people.mod2, [c.id])).filter((x) => x.personId === 'mod-2');
    expect(again!.since).toBe(first!.since);
    // 'left' removes the row at once.
    expect(who(await touch(f.people.mod1, c.id, 'left'))).toEqual(['mod-2:viewing']);
    await touch(f.people.mod2, c.id, 'left');
    expect(await presence(f.people.mod1, [c.id])).toEqual([]);
    const { rows: [after] } = await f.inst.dba<{ a: string; c: string }>('SELECT (SELECT count(*) FROM audit_events) AS a, (SELECT count(*) FROM commands) AS c');
    expect(after).toEqual(before);
  });

  it("nobody can appear as someone else: the attacker's own login only ever writes its own row, and the table is closed", async () => {
    const c = await awaitingReview(f);
    // There is no person argument to pass: naming one is an error of the call itself.
    for (const extra of [{ p_person_id: 'mod-2' }, { p_person: 'mod-2' }, { p_actor: 'mod-2' }]) {
      expect((await errorOf(touch(f.people.mod1, c.id, 'typing', extra))).code).toBe('42883');
    }
    // Whatever the attacker does, the row is theirs.
    await touch(f.people.mod1, c.id, 'typing');
    expect(who(await presence(f.people.mod2, [c.id]))).toEqual(['mod-1:typing']);
    // And direct DML on the table is refused for every login, including supervisors, admins and the worker.
    for (const a of [f.people.mod1, f.people.sup1, f.people.admin, f.worker]) {
      for (const sql of [
        'SELECT * FROM case_presence',
        `INSERT INTO case_presence (case_id, person_id, state, expires_at) VALUES ('${c.id}', 'mod-2', 'typing', now() + interval '1 hour')`,
        "UPDATE case_presence SET person_id = 'mod-2'",
        'DELETE FROM case_presence',
      ]) {
        expect((await errorOf(a.pool.query(sql))).code, `${a.id}: ${sql}`).toBe('42501');
      }
    }
    // mod-1's 'left' cannot remove mod-2's presence either.
    await touch(f.people.mod2, c.id, 'viewing');
    await touch(f.people.mod1, c.id, 'left');
    expect(who(await presence(f.people.sup1, [c.id]))).toEqual(['mod-2:viewing']);
    await touch(f.people.mod2, c.id, 'left');
    // A login that is no person is refused (no row with its name); the worker cannot execute either.
    expect((await errorOf(touch(f.stranger, c.id, 'viewing'))).code).toBe('GWFRB');
    expect((await errorOf(presence(f.stranger, [c.id]))).code).toBe('GWFRB');
    await expectWorkerCannotExecute(f, 'api.touch_presence(uuid, text, integer)', () => touch(f.worker, c.id, 'viewing'));
    await expectWorkerCannotExecute(f, 'api.presence(uuid[])', () => presence(f.worker, [c.id]));
    const { rows } = await f.inst.dba('SELECT * FROM case_presence WHERE case_id = $1', [c.id]);
    expect(rows).toEqual([]);
  });

  it('expired presence is gone on the database clock, without a "left"; a heartbeat brings it back', async () => {
    const c = await awaitingReview(f);
    await touch(f.people.mod1, c.id, 'viewing');
    await touch(f.people.mod2, c.id, 'typing');
    // mod-1's desktop "crashes": its expiry passes (the DBA moves it into the past instead of sleeping).
    await f.inst.dba(`UPDATE case_presence SET expires_at = now() - interval '1 second' WHERE case_id = $1 AND person_id = 'mod-1'`, [c.id]);
    expect(who(await presence(f.people.sup1, [c.id]))).toEqual(['mod-2:typing']);
    // The next touch of the case sweeps the expired row away.
    await touch(f.people.mod2, c.id, 'typing');
    const { rows } = await f.inst.dba<{ person_id: string }>('SELECT person_id FROM case_presence WHERE case_id = $1', [c.id]);
    expect(rows.map((r) => r.person_id)).toEqual(['mod-2']);
    // The default expiry is 15 s ahead in database time.
    const { rows: [ttl] } = await f.inst.dba<{ s: number }>(`SELECT round(extract(epoch FROM expires_at - now()))::int AS s FROM case_presence WHERE case_id = $1`, [c.id]);
    expect(ttl!.s).toBeGreaterThan(10);
    expect(ttl!.s).toBeLessThanOrEqual(15);
    await touch(f.people.mod1, c.id, 'viewing');
    expect(await presence(f.people.sup1, [c.id])).toHaveLength(2);
    await touch(f.people.mod1, c.id, 'left');
    await touch(f.people.mod2, c.id, 'left');
  });

  it('refuses bad input: unknown state or case, a TTL outside 2–60 s, too many cases', async () => {
    const c = await awaitingReview(f);
    expect((await errorOf(touch(f.people.mod1, c.id, 'deciding'))).code).toBe('GWINV');
    expect((await errorOf(touch(f.people.mod1, c.id, 'viewing', { p_ttl_seconds: 3600 }))).code).toBe('GWINV');
    expect((await errorOf(touch(f.people.mod1, c.id, 'viewing', { p_ttl_seconds: 0 }))).code).toBe('GWINV');
    expect((await errorOf(touch(f.people.mod1, unknownCase(), 'viewing'))).code).toBe('GWNFD');
    expect((await errorOf(presence(f.people.mod1, Array.from({ length: 501 }, () => unknownCase())))).code).toBe('GWINV');
    expect(await presence(f.people.mod1, [])).toEqual([]);
  });
});
