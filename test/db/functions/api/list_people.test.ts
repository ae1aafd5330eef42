/**
 * api.list_people (resources/db/functions/api/list_people.sql), as real logins: an admin gets every person,
 * enabled or not, with login, role and last activity — the person's newest audit event as actor, whatever
 * wrote it (a people change, a refusal); a moderator and a supervisor are refused (GWFRB) with their own
 * login, and so is a login that is no active person. It changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADD, call, DISABLE, mark, type PeopleWorld, peopleWorld, refusal, SET_ROLE, verifier } from '../people/support.js';

let w: PeopleWorld;
beforeAll(async () => {
  w = await peopleWorld();
});
afterAll(() => w?.inst.drop());

const LIST = 'SELECT api.list_people() AS r';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

interface Listed {
  id: string;
  displayName: string;
  role: string;
  login: string | null;
  active: boolean;
  createdAt: string;
  disabledAt: string | null;
  lastActivity: { at: string; type: string; caseId: string | null } | null;
}

const byId = async (): Promise<Record<string, Listed>> => Object.fromEntries(((await call(w.admin, LIST, [])) as Listed[]).map((p) => [p.id, p]));

describe('api.list_people by an admin', () => {
  it('lists every person ordered by id, enabled and disabled, with the newest audit event each made', async () => {
    expect((await call(w.admin, ADD, ['lp-eve', 'moderator', 'Eve Example', verifier(), 'ui'])).outcome).toBe('applied');
    expect((await call(w.admin, ADD, ['lp-fay', 'moderator', null, verifier(), 'ui'])).outcome).toBe('applied');
    expect((await call(w.admin, SET_ROLE, ['lp-eve', 'supervisor', 'ui'])).outcome).toBe('applied');
    expect((await call(w.admin, DISABLE, ['lp-fay', 'ui'])).outcome).toBe('applied');
    // The moderator tries an admin's command: refused, and that refusal is their last activity.
    expect((await call(w.moderator, DISABLE, ['lp-eve', 'ui'])).outcome).toBe('rejected');

    const list = (await call(w.admin, LIST, [])) as Listed[];
    expect(list.map((p) => p.id)).toEqual(['lp-eve', 'lp-fay', 'mod', 'root', 'sup']);
    const people = Object.fromEntries(list.map((p) => [p.id, p]));
    const login = (id: string) => w.inst.roles.personLogin(id);
    expect(people['lp-eve']).toEqual({
      id: 'lp-eve', displayName: 'Eve Example', role: 'supervisor', login: login('lp-eve'), active: true,
      createdAt: expect.stringMatching(ISO), disabledAt: null, lastActivity: null,
    });
    expect(people['lp-fay']).toMatchObject({ displayName: 'lp-fay', role: 'moderator', active: false, disabledAt: expect.stringMatching(ISO), lastActivity: null });
    // The admin's newest event is the disable; the moderator's is the refusal.
    const { rows } = await w.inst.dba<{ actor: string; type: string; at: string }>(
      `SELECT DISTINCT ON (actor) actor, type, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at
         FROM audit_events WHERE actor IN ('root', 'mod') ORDER BY actor, id DESC`);
    const last = Object.fromEntries(rows.map((r) => [r.actor, r]));
    expect(last.root!.type).toBe('person.disabled');
    expect(last.mod!.type).toBe('person.refused');
    expect(people.root!.lastActivity).toEqual({ at: last.root!.at, type: 'person.disabled', caseId: null });
    expect(people.mod!.lastActivity).toEqual({ at: last.mod!.at, type: 'person.refused', caseId: null });
    expect(people.sup!.lastActivity).toBeNull();
  });

  it('follows what a person does next (a case command is activity too)', async () => {
    const { rows } = await w.inst.dba<{ id: string }>(
      `INSERT INTO cases (id, content_id, author_id, text, priority, submitted_at, status, level, review_kind, verdict, severity, violation_type, version)
       VALUES (gen_random_uuid(), 'lp-case-1', 'lp-author', 'hello', 'normal', now(), 'awaiting_review', 1, 'initial', 'review', 'low', 'spam', 1) RETURNING id`);
    const caseId = rows[0]!.id;
    const r = (await w.supervisor.query('SELECT api.claim_case($1, $2) AS r', [caseId, `lp-claim-${Date.now()}`])).rows[0].r;
    expect(r.outcome ?? r.status).toBeDefined();
    const people = await byId();
    expect(people.sup!.lastActivity).toMatchObject({ type: 'case.claimed', caseId, at: expect.stringMatching(ISO) });
  });
});

describe('api.list_people refuses anyone but an admin, as their own login', () => {
  it('a moderator and a supervisor get GWFRB and nothing is written', async () => {
    const since = await mark(w);
    for (const pool of [w.moderator, w.supervisor]) {
      expect(await refusal(pool.query(LIST), 'list_people as a non-admin')).toEqual({ code: 'GWFRB', message: 'Listing people needs an admin.' });
    }
    expect(await mark(w)).toBe(since);
  });

  it('the worker login may not even call it (no EXECUTE: not a person)', async () => {
    expect((await refusal(w.worker.query(LIST))).code).toBe('42501');
  });

  it('an admin whose person was disabled cannot list (no login; and no active person if it could connect)', async () => {
    expect((await call(w.admin, ADD, ['lp-old-admin', 'admin', null, verifier(), 'cli'])).outcome).toBe('applied');
    const old = w.inst.pool(w.inst.urlFor(w.inst.roles.personLogin('lp-old-admin')), 1);
    expect(Array.isArray(await call(old, LIST, []))).toBe(true);
    expect((await call(w.admin, DISABLE, ['lp-old-admin', 'cli'])).outcome).toBe('applied');
    expect((await refusal(old.query(LIST))).code).toMatch(/^(28000|57P01|GWFRB)$/);
  });
});
