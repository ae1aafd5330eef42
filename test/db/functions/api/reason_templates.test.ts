/**
 * Reason templates (issue 14) as real logins: a person keeps their own (nobody else changes or reads them,
 * not even an admin), supervisors and admins keep the team's (a moderator's own login is refused, recorded
 * and audited), everyone reads the team's and their own; no login touches the table directly.
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

type Template = { id: number; scope: 'own' | 'team'; title: string; body: string; category: string | null };
const save = (who: Actor, commandId: string, args: Record<string, unknown>) =>
  api<ApiResult & { template: Template }>(who, 'save_reason_template', { p_command_id: commandId, p_scope: 'own', p_title: 'T', p_body: 'B', p_tool: 'ui', ...args });
const del = (who: Actor, commandId: string, id: number) => api(who, 'delete_reason_template', { p_command_id: commandId, p_template_id: id, p_tool: 'ui' });
const list = (who: Actor) => api<Template[]>(who, 'reason_templates');

describe('reason templates', () => {
  let team: Template;
  let own1: Template;

  it('a supervisor creates a team template, audited; everyone reads it', async () => {
    const id = cmdId('tpl');
    const ch = await observe(f, () => save(f.people.sup1, id, { p_scope: 'team', p_title: 'Threat', p_body: 'Removed: {category} by {author} ({policy}).', p_category: 'violence' }));
    expect(ch.error).toBeUndefined();
    expect(ch.result).toMatchObject({ outcome: 'applied', template: { scope: 'team', title: 'Threat', category: 'violence' } });
    team = (ch.result as { template: Template }).template;
    expect(ch.commands).toEqual([expect.objectContaining({ id, type: 'template', case_id: null, actor: 'sup-1', status: 'applied' })]);
    expect(ch.audit).toEqual([expect.objectContaining({ stream: 'global', type: 'template.saved', actor: 'sup-1', db_login: f.people.sup1.login,
      payload: expect.objectContaining({ commandId: id, templateId: team.id, scope: 'team', from: null }) })]);
    await expectDuplicateChangesNothing(f, () => save(f.people.sup1, id, { p_scope: 'team', p_title: 'Threat', p_body: 'Removed: {category} by {author} ({policy}).', p_category: 'violence' }));
    for (const who of [f.people.mod1, f.people.mod2, f.people.admin]) expect((await list(who)).map((t) => t.title)).toContain('Threat');
  });

  it('a person keeps their own; nobody else reads them', async () => {
    const r = await save(f.people.mod1, cmdId('tpl'), { p_title: 'My spam', p_body: 'Spam, {author}.', p_category: 'spam' });
    expect(r).toMatchObject({ outcome: 'applied', template: { scope: 'own' } });
    own1 = r.template;
    expect((await list(f.people.mod1)).map((t) => [t.scope, t.title])).toEqual([['team', 'Threat'], ['own', 'My spam']]);
    expect((await list(f.people.mod2)).map((t) => t.title)).not.toContain('My spam');
    expect((await list(f.people.admin)).map((t) => t.title)).not.toContain('My spam');
  });

  it("a moderator cannot create, change or delete team templates with their own login: refused, recorded, audited", async () => {
    const attempts: Array<[string, () => Promise<ApiResult>]> = [
      ['create', () => save(f.people.mod1, cmdId('tpl-atk'), { p_scope: 'team', p_title: 'Mine now', p_body: 'x' })],
      ['change', () => save(f.people.mod1, cmdId('tpl-atk'), { p_scope: 'team', p_template_id: team.id, p_title: 'Threat', p_body: 'hacked' })],
      ['change as own', () => save(f.people.mod1, cmdId('tpl-atk'), { p_scope: 'own', p_template_id: team.id, p_title: 'Threat', p_body: 'hacked' })],
      ['delete', () => del(f.people.mod1, cmdId('tpl-atk'), team.id)],
    ];
    for (const [what, attempt] of attempts) {
      const ch = await observe(f, attempt);
      expect(ch.result, what).toMatchObject({ outcome: 'rejected', error: { code: 'forbidden' } });
      expect(ch.commands, what).toEqual([expect.objectContaining({ type: 'template', actor: 'mod-1', status: 'rejected' })]);
      expect(ch.audit, what).toEqual([expect.objectContaining({ type: 'command.rejected', actor: 'mod-1', db_login: f.people.mod1.login })]);
    }
    expect((await list(f.people.mod2)).find((t) => t.id === team.id)).toMatchObject({ title: 'Threat', body: 'Removed: {category} by {author} ({policy}).' });
  });

  it("nobody changes or deletes another person's own template, not even an admin", async () => {
    for (const attacker of [f.people.mod2, f.people.admin]) {
      for (const attempt of [
        () => save(attacker, cmdId('tpl-atk'), { p_template_id: own1.id, p_title: 'My spam', p_body: 'hacked' }),
        () => del(attacker, cmdId('tpl-atk'), own1.id),
      ]) {
        const ch = await observe(f, attempt);
        expect(ch.result).toMatchObject({ outcome: 'rejected', error: { code: 'forbidden' } });
        expect(ch.audit).toEqual([expect.objectContaining({ type: 'command.rejected', actor: attacker.id, db_login: attacker.login })]);
      }
    }
    expect((await list(f.people.mod1)).find((t) => t.id === own1.id)).toMatchObject({ body: 'Spam, {author}.' });
  });

  it('no login reads or writes the table directly', async () => {
    for (const who of [f.people.mod1, f.people.sup1, f.people.admin, f.worker]) {
      for (const sql of ['SELECT * FROM reason_templates', "INSERT INTO reason_templates (title, body, created_by) VALUES ('x', 'y', 'mod-1')", `UPDATE reason_templates SET body = 'x'`, 'DELETE FROM reason_templates']) {
        expect((await errorOf(who.pool.query(sql))).code, `${who.id}: ${sql}`).toBe('42501');
      }
    }
  });

  it('the owner changes and deletes their own, a supervisor the team\'s, each audited; bad input records nothing', async () => {
    const ch = await observe(f, () => save(f.people.mod1, cmdId('tpl'), { p_template_id: own1.id, p_title: 'My spam', p_body: 'Spam again, {author}.' }));
    expect(ch.result).toMatchObject({ outcome: 'applied', template: { body: 'Spam again, {author}.' } });
    expect(ch.audit[0]).toMatchObject({ type: 'template.saved', payload: { from: { body: 'Spam, {author}.' }, to: { body: 'Spam again, {author}.' } } });
    expect(await del(f.people.mod1, cmdId('tpl'), own1.id)).toMatchObject({ outcome: 'applied' });
    const d = await observe(f, () => del(f.people.admin, cmdId('tpl'), team.id));
    expect(d.audit).toEqual([expect.objectContaining({ type: 'template.deleted', actor: f.people.admin.id, payload: expect.objectContaining({ templateId: team.id, scope: 'team' }) })]);
    expect(await list(f.people.mod1)).toEqual([]);
    await expectRaisedNothingChanged(f, () => save(f.people.mod1, cmdId('tpl'), { p_scope: 'everyone' }), 'GWINV');
    await expectRaisedNothingChanged(f, () => save(f.people.mod1, cmdId('tpl'), { p_body: '' }), 'GWINV');
    await expectRaisedNothingChanged(f, () => save(f.people.mod1, cmdId('tpl'), { p_category: 'rudeness' }), 'GWINV');
    await expectWorkerCannotExecute(f, 'api.reason_templates()', () => list(f.worker));
  });
});
