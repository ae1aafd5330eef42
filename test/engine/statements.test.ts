/**
 * Statements of reasons (EU DSA Art. 17, issue 15, must show 6): each carried-out decision that restricts
 * something gets one, generated from the decision and the policy, stored once, sent inside the signed
 * webhook body of each of its actions (the additive field `statement`, as the platform stub receives it),
 * shown in the case detail, and exported in bulk (`guardian statements export`), one row per decision.
 * Real PostgreSQL and RabbitMQ; the platform is the signature-checking stub.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/core/classify/policy.js';
import { STATEMENT_EXPORT_COLUMNS, StatementOfReasons } from '../../src/shared/statement.js';
import { cleanEnv, guardian } from '../support/cli.js';
import { contentMessage, plainPublisher, startHarness, TEXT, USERS, type Harness } from '../support/harness.js';

let h: Harness;
let pub: Awaited<ReturnType<typeof plainPublisher>>;
const policy = loadPolicy();

beforeAll(async () => {
  h = await startHarness();
  pub = await plainPublisher(h.vhost.url);
});
afterAll(async () => {
  await pub?.close();
  await h?.close();
});

async function reviewCase(tag: string, text = TEXT.threat, extra: Record<string, unknown> = {}) {
  const contentId = `${tag}-${h.cmdId()}`;
  await pub.publish('content.submitted', contentMessage(contentId, text, extra));
  return { ...(await h.waitForCase(contentId, 'awaiting_review')), contentId };
}

let firstRemoval = '';
const stored = async (decisionId: string) => (await h.inst.dba('SELECT * FROM statements WHERE decision_id = $1', [decisionId])).rows;

describe('statements of reasons', () => {
  it("a moderator's removal: the webhook body (as received, signed) carries the statement with the DSA fields", async () => {
    const c = await reviewCase('sor-remove');
    const commandId = (firstRemoval = h.cmdId());
    await (await h.as(USERS.mod1)).execute({ type: 'decide', caseId: c.id, decision: 'remove', reason: 'a credible threat against a person', policyIds: ['violence'], tool: 'cli', commandId, expectedVersion: c.version });
    await h.waitForStatus(c.id, 'actioned');

    const [req] = h.sent(c.id);
    expect(req).toMatchObject({ kind: 'remove_content', signatureValid: true });
    const st = StatementOfReasons.parse(req!.body.statement);
    expect(st).toMatchObject({
      id: commandId,
      caseId: c.id,
      contentId: c.contentId,
      authorId: `author-${c.contentId}`,
      decision: 'remove',
      restrictions: [{ action: 'remove_content', type: 'content_removed', durationHours: null, endsAt: null }],
      territorialScope: 'worldwide',
      source: 'own_initiative',
      automatedDetection: true,
      automatedDecision: 'not_automated',
      groundType: 'incompatible_with_terms',
      grounds: [{ policyId: 'violence', policyText: policy.categories.violence.description }],
      policyVersion: policy.policyVersion,
      explanation: 'a credible threat against a person',
    });
    expect(st.facts).toContain(c.contentId);
    expect(st.redress.internalAppeal).toMatch(/appeal/);
    expect(st.text).toContain('We removed your content');
    expect(st.text).toContain('taken by a human moderator');
    expect(st.text).toMatch(/How to appeal: .*appeal/);
    // The body still has every contract field as before; the statement is one more.
    expect(Object.keys(req!.body).sort()).toEqual(['actionId', 'authorId', 'caseId', 'contentId', 'kind', 'reason', 'statement']);

    // Stored once, as sent; shown in the case detail.
    const rows = await stored(commandId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ case_id: c.id, decision: 'remove', automated_decision: false, automated_detection: true });
    expect(rows[0].body).toEqual(st);
    const detail = await (await h.as(USERS.mod2)).getCase(c.id);
    expect(detail.statements).toEqual([st]);
  });

  it('a reported remove_and_ban: both actions carry the same statement, the suspension with its duration and end', async () => {
    const c = await reviewCase('sor-ban', TEXT.threat, { reportedBy: 'user-77', reportReason: 'he threatens me' });
    const commandId = h.cmdId();
    await (await h.as(USERS.mod1)).execute({ type: 'decide', caseId: c.id, decision: 'remove_and_ban', reason: 'threat, repeated', durationHours: 72, tool: 'cli', commandId, expectedVersion: c.version });
    await h.waitForStatus(c.id, 'actioned');
    const sent = h.sent(c.id);
    expect(sent.map((q) => q.kind)).toEqual(['remove_content', 'ban_user']);
    expect(sent[1]!.body.statement).toEqual(sent[0]!.body.statement);
    const st = StatementOfReasons.parse(sent[0]!.body.statement);
    const decidedAt = new Date(st.decidedAt).getTime();
    expect(st).toMatchObject({
      decision: 'remove_and_ban',
      source: 'notice',
      automatedDetection: false,
      automatedDecision: 'not_automated',
      // No policy ids given: the category the analysis named.
      grounds: [{ policyId: 'violence' }],
    });
    expect(st.restrictions).toEqual([
      { action: 'remove_content', type: 'content_removed', durationHours: null, endsAt: null },
      { action: 'ban_user', type: 'account_suspended', durationHours: 72, endsAt: new Date(decidedAt + 72 * 3_600_000).toISOString() },
    ]);
    expect(st.facts).toContain('reported to us by a user');
    expect(st.text).toContain('suspended your account for 72 hours');
  });

  it("the agent's automatic action says the decision was automated", async () => {
    const contentId = `sor-auto-${h.cmdId()}`;
    await pub.publish('content.submitted', contentMessage(contentId, TEXT.spam));
    const c = await h.waitForCase(contentId, 'actioned');
    const [req] = h.sent(c.id);
    expect(req?.kind).toBe('warn_user');
    const st = StatementOfReasons.parse(req!.body.statement);
    expect(st).toMatchObject({
      id: `auto:${c.id}`,
      decision: 'warn',
      restrictions: [{ action: 'warn_user', type: 'warning' }],
      automatedDetection: true,
      automatedDecision: 'fully',
      grounds: [{ policyId: 'spam', policyText: policy.categories.spam.description }],
    });
    expect(st.text).toContain('taken by automated means, without a human review');
    expect((await stored(`auto:${c.id}`))[0]).toMatchObject({ automated_decision: true, decision: 'warn' });
  });

  it('an approval gets no statement, and a rollback’s reversals carry none', async () => {
    const ok = await reviewCase('sor-approve');
    await (await h.as(USERS.mod1)).execute({ type: 'decide', caseId: ok.id, decision: 'approve', reason: 'a quote from a film', tool: 'cli', commandId: h.cmdId(), expectedVersion: ok.version });
    await h.waitForStatus(ok.id, 'actioned');
    expect((await h.inst.dba('SELECT count(*)::int AS n FROM statements WHERE case_id = $1', [ok.id])).rows[0].n).toBe(0);

    const c = await reviewCase('sor-rollback');
    await (await h.as(USERS.mod1)).execute({ type: 'decide', caseId: c.id, decision: 'remove', reason: 'threat', tool: 'cli', commandId: h.cmdId(), expectedVersion: c.version });
    await h.waitForStatus(c.id, 'actioned');
    await (await h.as(USERS.sup1)).execute({ type: 'rollback', caseId: c.id, reason: 'song lyrics', tool: 'cli', commandId: h.cmdId() });
    await h.waitForStatus(c.id, 'awaiting_review');
    const sent = h.sent(c.id);
    expect(sent.map((q) => [q.kind, 'statement' in q.body])).toEqual([
      ['remove_content', true],
      ['restore_content', false],
    ]);
  });

  it('the bulk export has one row per decision with the DSA fields, checked against SQL; --from/--to filter; csv and json', async () => {
    const env = cleanEnv(h.envAs(USERS.sup1));
    const j = await guardian(['statements', 'export', '--format', 'json'], env);
    expect(j.stderr).toBe('');
    expect(j.code).toBe(0);
    const rows = JSON.parse(j.stdout) as Array<Record<string, unknown>>;
    const { rows: sql } = await h.inst.dba(
      `SELECT decision_id, case_id::text, decision, automated_decision, automated_detection, body->>'contentId' AS content_id,
              (SELECT string_agg(g->>'policyId', ';') FROM jsonb_array_elements(body->'grounds') g) AS policy_ids
         FROM statements ORDER BY created_at, decision_id`,
    );
    expect(sql.length).toBeGreaterThanOrEqual(4);
    expect(rows.map((r) => Object.keys(r))).toEqual(sql.map(() => [...STATEMENT_EXPORT_COLUMNS]));
    expect(
      rows.map((r) => [r.statement_id, r.case_id, r.decision, r.automated_decision === 'fully', r.automated_detection, r.content_id, r.policy_ids]),
    ).toEqual(sql.map((s) => [s.decision_id, s.case_id, s.decision, s.automated_decision, s.automated_detection, s.content_id, s.policy_ids]));
    // The rolled-back removal is marked reversed; the others are not.
    const { rows: reversed } = await h.inst.dba(
      `SELECT DISTINCT a.command_id FROM actions a JOIN actions r ON r.reverses = a.id AND r.status = 'done'`,
    );
    expect(rows.filter((r) => r.reversed).map((r) => r.statement_id)).toEqual(reversed.map((r) => r.command_id));
    expect(rows.every((r) => r.territorial_scope === 'worldwide' && r.ground_type === 'incompatible_with_terms' && String(r.redress).includes('appeal'))).toBe(true);
    const ban = rows.find((r) => r.decision === 'remove_and_ban')!;
    expect(ban).toMatchObject({ restrictions: 'content_removed;account_suspended', duration_hours: 72, source: 'notice' });

    const csv = await guardian(['statements', 'export'], env);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trimEnd().split('\r\n');
    expect(lines[0]).toBe(STATEMENT_EXPORT_COLUMNS.join(','));
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(sql.map((s) => s.decision_id));

    // A window: from the second statement on, before the last one.
    const { rows: times } = await h.inst.dba(
      `SELECT decision_id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at FROM statements ORDER BY created_at, decision_id`,
    );
    const from = times[1].at as string;
    const to = times[times.length - 1].at as string;
    const w = await guardian(['statements', 'export', '--format', 'json', '--from', from, '--to', to], env);
    expect(w.code).toBe(0);
    // The CLI reads the times as JavaScript does (to the millisecond): so does the expectation.
    const { rows: inWindow } = await h.inst.dba('SELECT decision_id FROM statements WHERE created_at >= $1 AND created_at < $2 ORDER BY created_at, decision_id', [
      new Date(from).toISOString(),
      new Date(to).toISOString(),
    ]);
    expect(inWindow.length).toBeGreaterThanOrEqual(2);
    expect((JSON.parse(w.stdout) as Array<{ statement_id: string }>).map((r) => r.statement_id)).toEqual(inWindow.map((r) => r.decision_id));
    const bad = await guardian(['statements', 'export', '--from', 'yesterday'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/from/);
  });

  it('nobody but the worker records a statement, and the worker only for an accepted restricting decision, truthfully, once', async () => {
    const c = await reviewCase('sor-forge');
    const mod = await h.as(USERS.mod1);
    const approveId = h.cmdId();
    await mod.execute({ type: 'decide', caseId: c.id, decision: 'approve', reason: 'not a threat', tool: 'cli', commandId: approveId, expectedVersion: c.version });
    await h.waitForStatus(c.id, 'actioned');
    const body = (over: Record<string, unknown> = {}) =>
      JSON.stringify({ id: approveId, caseId: c.id, contentId: c.contentId, authorId: `author-${c.contentId}`, decision: 'remove', automatedDetection: true, automatedDecision: 'not_automated', text: 'forged', ...over });
    const record = (id: string, b: string) => h.core.db.query<{ body: unknown }>('SELECT worker.record_statement($1, $2, $3) AS body', [id, c.id, b]);
    // A moderator's own login: no INSERT on the table, no EXECUTE on the worker function.
    await expect(mod.db.query(`INSERT INTO statements (decision_id, case_id, decision, automated_decision, automated_detection, body) VALUES ('x', $1, 'remove', false, false, '{}')`, [c.id])).rejects.toMatchObject({ code: '42501' });
    await expect(mod.db.query('SELECT worker.record_statement($1, $2, $3)', [approveId, c.id, body()])).rejects.toMatchObject({ code: '42501' });
    // The worker: no decision of that id, or the agent's without an automatic decision → refused.
    await expect(record('no-such-decision', body({ id: 'no-such-decision' }))).rejects.toMatchObject({ code: 'GWFRB' });
    await expect(record(`auto:${c.id}`, body({ id: `auto:${c.id}`, automatedDecision: 'fully' }))).rejects.toMatchObject({ code: 'GWFRB' });
    // The approval restricts nothing; a person's decision is not automated; the case's author is the author.
    await expect(record(approveId, body())).rejects.toMatchObject({ code: 'GWINV' });
    await expect(record(approveId, body({ automatedDecision: 'fully' }))).rejects.toMatchObject({ code: 'GWINV' });
    await expect(record(approveId, body({ authorId: 'someone-else' }))).rejects.toMatchObject({ code: 'GWINV' });
    expect((await h.inst.dba('SELECT count(*)::int AS n FROM statements WHERE case_id = $1', [c.id])).rows[0].n).toBe(0);
    // A recorded statement is never replaced: recording another for its decision returns the stored one.
    const [first] = await stored(firstRemoval);
    const again = await h.core.db.query<{ body: unknown }>('SELECT worker.record_statement($1, $2, $3) AS body', [firstRemoval, first.case_id, JSON.stringify({ ...first.body, explanation: 'rewritten' })]);
    expect(again.rows[0]!.body).toEqual(first.body);
    expect((await stored(firstRemoval))[0].body).toEqual(first.body);
  });
});
