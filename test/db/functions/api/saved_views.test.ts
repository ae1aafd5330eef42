/**
 * Saved views of the queue (issue 14) as real logins: a person keeps their own (nobody else changes or reads
 * them, not even an admin), supervisors and admins keep the team's (a moderator's own login is refused,
 * recorded and audited), everyone reads the team's and their own; no login touches the table directly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, cmdId, createFixture, errorOf, expectDuplicateChangesNothing, expectRaisedNothingChanged, expectWorkerCannotExecute, observe, type Actor, type ApiResult, type Fixture } from './support.js';

let f: Fixture;
beforeAll(async () => {
  f = await createFixture();
});
afterAll(async () => {
  await f?.drop();
});

type View = { id: number; scope: 'own' | 'team'; name: string; filters: Record<string, unknown>; sort: string };
const FILTERS = { status: 'awaiting_review', severity: 'critical', search: 'gun' };
const save = (who: Actor, commandId: string, args: Record<string, unknown>) =>
  api<ApiResult & { view: View }>(who, 'save_view', { p_command_id: commandId, p_scope: 'own', p_name: 'V', p_filters: JSON.stringify(FILTERS), p_sort: 'priority', p_tool: 'ui', ...args });
const del = (who: Actor, commandId: string, id: number) => api(who, 'delete_view', { p_command_id: commandId, p_view_id: id, p_tool: 'ui' });
const list = (who: Actor) => api<View[]>(who, 'saved_views');

describe('saved views', () => {
  let team: View;
  let own1: View;

  it('a supervisor saves a team view, audited and idempotent; everyone reads it', async () => {
    const id = cmdId('view');
    const args = { p_scope: 'team', p_name: 'Critical threats', p_sort: 'severity' };
    const ch = await observe(f, () => save(f.people.sup1, id, args));
    expect(ch.error).toBeUndefined();
    expect(ch.result).toMatchObject({ outcome: 'applied', view: { scope: 'team', name: 'Critical threats', filters: FILTERS, sort: 'severity' } });
    team = (ch.result as { view: View }).view;
    expect(ch.commands).toEqual([expect.objectContaining({ id, type: 'view', case_id: null, actor: 'sup-1', status: 'applied' })]);
    expect(ch.audit).toEqual([expect.objectContaining({ stream: 'global', type: 'view.saved', actor: 'sup-1', db_login: f.people.sup1.login,
      payload: expect.objectContaining({ commandId: id, viewId: team.id, scope: 'team', from: null }) })]);
    await expectDuplicateChangesNothing(f, () => save(f.people.sup1, id, args));
    for (const who of [f.people.mod1, f.people.mod2, f.people.admin]) expect((await list(who)).map((v) => v.name)).toContain('Critical threats');
  });

  it('a person keeps their own; nobody else reads them', async () => {
    const r = await save(f.people.mod1, cmdId('view'), { p_name: 'My spam', p_filters: JSON.stringify({ violationType: 'spam' }), p_sort: 'waiting' });
    expect(r).toMatchObject({ outcome: 'applied', view: { scope: 'own', filters: { violationType: 'spam' }, sort: 'waiting' } });
    own1 = r.view;
    expect((await list(f.people.mod1)).map((v) => [v.scope, v.name])).toEqual([['team', 'Critical threats'], ['own', 'My spam']]);
    expect((await list(f.people.mod2)).map((v) => v.name)).not.toContain('My spam');
    expect((await list(f.people.admin)).map((v) => v.name)).not.toContain('My spam');
  });

  it('a moderator cannot save, change or delete team views with their own login: refused, recorded, audited', async () => {
    const attempts: Array<[string, () => Promise<ApiResult>]> = [
      ['create', () => save(f.people.mod1, cmdId('view-atk'), { p_scope: 'team', p_name: 'Mine now' })],
      ['change', () => save(f.people.mod1, cmdId('view-atk'), { p_scope: 'team', p_view_id: team.id, p_name: 'Critical threats', p_sort: 'waiting' })],
      ['change as own', () => save(f.people.mod1, cmdId('view-atk'), { p_scope: 'own', p_view_id: team.id, p_name: 'Critical threats', p_sort: 'waiting' })],
      ['delete', () => del(f.people.mod1, cmdId('view-atk'), team.id)],
    ];
    for (const [what, attempt] of attempts) {
      const ch = await observe(f, attempt);
      expect(ch.result, what).toMatchObject({ outcome: 'rejected', error: { code: 'forbidden' } });
      expect(ch.commands, what).toEqual([expect.objectContaining({ type: 'view', actor: 'mod-1', status: 'rejected' })]);
      expect(ch.audit, what).toEqual([expect.objectContaining({ type: 'command.rejected', actor: 'mod-1', db_login: f.people.mod1.login })]);
    }
    expect((await list(f.people.mod2)).find((v) => v.id === team.id)).toMatchObject({ name: 'Critical threats', sort: 'severity' });
  });

  it("nobody changes or deletes another person's own view, not even an admin", async () => {
    for (const attacker of [f.people.mod2, f.people.admin]) {
      for (const attempt of [
        () => save(attacker, cmdId('view-atk'), { p_view_id: own1.id, p_name: 'My spam', p_sort: 'priority' }),
        () => del(attacker, cmdId('view-atk'), own1.id),
      ]) {
        const ch = await observe(f, attempt);
        expect(ch.result).toMatchObject({ outcome: 'rejected', error: { code: 'forbidden' } });
        expect(ch.audit).toEqual([expect.objectContaining({ type: 'command.rejected', actor: attacker.id, db_login: attacker.login })]);
      }
    }
    expect((await list(f.people.mod1)).find((v) => v.id === own1.id)).toMatchObject({ sort: 'waiting' });
  });

  it('no login reads or writes the table directly', async () => {
    for (const who of [f.people.mod1, f.people.sup1, f.people.admin, f.worker]) {
      for (const sql of ['SELECT * FROM saved_views', `INSERT INTO saved_views (name, filters, sort, created_by) VALUES ('x', '{}', 'priority', 'mod-1')`, `UPDATE saved_views SET sort = 'waiting'`, 'DELETE FROM saved_views']) {
        expect((await errorOf(who.pool.query(sql))).code, `${who.id}: ${sql}`).toBe('42501');
      }
    }
  });

  it("the owner changes and deletes their own, a supervisor the team's, each audited; bad input records nothing", async () => {
    const ch = await observe(f, () => save(f.people.mod1, cmdId('view'), { p_view_id: own1.id, p_name: 'My spam', p_sort: 'severity' }));
    expect(ch.result).toMatchObject({ outcome: 'applied', view: { sort: 'severity' } });
    expect(ch.audit[0]).toMatchObject({ type: 'view.saved', payload: { from: { sort: 'waiting' }, to: { sort: 'severity' } } });
    expect(await del(f.people.mod1, cmdId('view'), own1.id)).toMatchObject({ outcome: 'applied' });
    const d = await observe(f, () => del(f.people.admin, cmdId('view'), team.id));
    expect(d.audit).toEqual([expect.objectContaining({ type: 'view.deleted', actor: f.people.admin.id, payload: expect.objectContaining({ viewId: team.id, scope: 'team' }) })]);
    expect(await list(f.people.mod1)).toEqual([]);
    await expectRaisedNothingChanged(f, () => save(f.people.mod1, cmdId('view'), { p_scope: 'everyone' }), 'GWINV');
    await expectRaisedNothingChanged(f, () => save(f.people.mod1, cmdId('view'), { p_name: '' }), 'GWINV');
    await expectRaisedNothingChanged(f, () => save(f.people.mod1, cmdId('view'), { p_sort: 'random' }), 'GWINV');
    await expectRaisedNothingChanged(f, () => save(f.people.mod1, cmdId('view'), { p_filters: '[1]' }), 'GWINV');
    await expectWorkerCannotExecute(f, 'api.saved_views()', () => list(f.worker));
  });
});
