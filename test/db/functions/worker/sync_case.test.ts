/**
 * resources/db/functions/worker/sync_case.sql: the worker projects the checkpoint onto the case row —
 * worker.sync_review (paused for a human), worker.sync_outcome (the run finished), worker.fail_case (an
 * operator must look) and worker.escalate_breaches (level-1 reviews past their SLA) — plus
 * private.mark_applied (the run's accepted command is marked applied), covered through its callers.
 * The worker may record the agent's own decision, never a person's: those come only from api.*.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agentDecision, ANALYSIS, audit, caseRow, commandId, commandRow, decide, expectPeopleRefused, expectWorkerFunction, ingest,
  lastDecision, refusal, toReview, types, type WorkerWorld, workerWorld,
} from './support.js';

let w: WorkerWorld;
beforeAll(async () => {
  w = await workerWorld();
});
afterAll(() => w?.inst.drop());

const REVIEW = `SELECT * FROM worker.sync_review(p_case_id => $1, p_interrupt_id => $2, p_level => $3, p_review_kind => $4,
  p_sla_minutes => $5, p_analysis => $6, p_command_id => $7)`;
const OUTCOME = `SELECT * FROM worker.sync_outcome(p_case_id => $1, p_status => $2, p_failure => $3, p_decision => $4,
  p_analysis => $5, p_command_id => $6)`;
const FAIL = 'SELECT * FROM worker.fail_case($1, $2, $3)';
const BREACHES = 'SELECT * FROM worker.escalate_breaches($1)';

const json = (v: unknown) => (v == null ? null : JSON.stringify(v));
/** The SLA the row was given, in seconds after the update that set it. */
const slaSeconds = async (caseId: string) =>
  (await w.inst.dba('SELECT extract(epoch FROM sla_due_at - updated_at)::int AS s FROM cases WHERE id = $1', [caseId])).rows[0].s;

describe('worker.sync_review', () => {
  it('puts an analysed case up for review with its SLA and analysis, audited as review.requested by the agent', async () => {
    const { caseId } = await ingest(w);
    const { rows } = await w.worker.query(REVIEW, [caseId, 'int-1', 1, 'initial', 60, json(ANALYSIS), null]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: caseId, status: 'awaiting_review', interrupt_id: 'int-1', level: 1, review_kind: 'initial', version: 2 });
    expect(await caseRow(w, caseId)).toMatchObject({
      status: 'awaiting_review', interrupt_id: 'int-1', level: 1, review_kind: 'initial', version: 2, analysis: ANALYSIS,
      verdict: 'needs_review', severity: 'high', violation_type: 'harassment', failure_reason: null,
    });
    expect(await slaSeconds(caseId)).toBe(3600);
    expect((await audit(w, caseId)).slice(1)).toEqual([{
      seq: 2, type: 'review.requested', actor: 'agent', tool: 'agent', db_login: w.inst.workerLogin, payload: { level: 1, reviewKind: 'initial' },
    }]);
  });

  it('a redelivery of the same interrupt changes and records nothing; a new interrupt is projected again', async () => {
    const { caseId } = await ingest(w);
    await w.worker.query(REVIEW, [caseId, 'int-a', 1, 'initial', 60, json(ANALYSIS), null]);
    const before = await caseRow(w, caseId);
    expect((await w.worker.query(REVIEW, [caseId, 'int-a', 1, 'initial', 60, json(ANALYSIS), null])).rows).toEqual([]);
    expect(await caseRow(w, caseId)).toEqual(before);
    expect(await audit(w, caseId)).toHaveLength(2);

    const { rows } = await w.worker.query(REVIEW, [caseId, 'int-b', 2, 'escalation', 60, null, null]);
    expect(rows[0]).toMatchObject({ interrupt_id: 'int-b', level: 2, review_kind: 'escalation', version: before.version + 1 });
    // No new analysis: the earlier one is kept.
    expect(await caseRow(w, caseId)).toMatchObject({ analysis: ANALYSIS, verdict: 'needs_review' });
    expect(types(await audit(w, caseId))).toEqual(['case.created', 'review.requested', 'review.requested']);
  });

  it('gives an urgent case a quarter of the SLA (rounded up)', async () => {
    const a = await ingest(w, { priority: 'urgent' });
    await toReview(w, a.caseId, { sla: 60 });
    expect(await slaSeconds(a.caseId)).toBe(15 * 60);
    const b = await ingest(w, { priority: 'urgent' });
    await toReview(w, b.caseId, { sla: 10 });
    expect(await slaSeconds(b.caseId)).toBe(3 * 60);
  });

  it('gives the SLA window by severity (critical half the base) and the configured targets, due at millisecond precision', async () => {
    const TARGETED = `SELECT * FROM worker.sync_review(p_case_id => $1, p_interrupt_id => $2, p_level => 1, p_review_kind => 'initial',
      p_sla_minutes => 60, p_analysis => $3, p_sla_targets => $4)`;
    const review = async (o: { severity: string; priority?: 'urgent' | 'normal'; targets?: object | null }) => {
      const { caseId } = await ingest(w, { priority: o.priority ?? 'normal' });
      await w.worker.query(TARGETED, [caseId, `int-${randomUUID()}`, json({ ...ANALYSIS, severity: o.severity }), json(o.targets ?? null)]);
      return caseId;
    };
    // Built-in: urgent a quarter of the base, critical a half, the rest all of it.
    expect(await slaSeconds(await review({ severity: 'critical' }))).toBe(30 * 60);
    expect(await slaSeconds(await review({ severity: 'medium' }))).toBe(60 * 60);
    expect(await slaSeconds(await review({ severity: 'critical', priority: 'urgent' }))).toBe(15 * 60);
    // Targets name minutes per key; what they do not name follows the base.
    const targets = { urgent: 5, critical: 20, high: 240, none: 1440 };
    expect(await slaSeconds(await review({ severity: 'critical', targets }))).toBe(20 * 60);
    expect(await slaSeconds(await review({ severity: 'high', targets }))).toBe(240 * 60);
    expect(await slaSeconds(await review({ severity: 'none', targets }))).toBe(1440 * 60);
    expect(await slaSeconds(await review({ severity: 'low', targets }))).toBe(60 * 60);
    expect(await slaSeconds(await review({ severity: 'low', priority: 'urgent', targets }))).toBe(5 * 60);
    const id = await review({ severity: 'high' });
    const { rows } = await w.inst.dba(`SELECT sla_due_at = date_trunc('milliseconds', sla_due_at) AS ms FROM cases WHERE id = $1`, [id]);
    expect(rows[0].ms).toBe(true);
    // Not an object: refused.
    const { caseId } = await ingest(w);
    expect((await refusal(w.worker.query(TARGETED, [caseId, 'int-x', json(ANALYSIS), '[1]']))).code).toBe('GWINV');
  });

  it('clears the failure of a case that is retried into review', async () => {
    const { caseId } = await ingest(w);
    await w.worker.query(FAIL, [caseId, 'model unavailable', null]);
    expect((await caseRow(w, caseId)).failure_reason).toBe('model unavailable');
    await toReview(w, caseId);
    expect(await caseRow(w, caseId)).toMatchObject({ status: 'awaiting_review', failure_reason: null });
  });

  it('refuses a level or review kind it does not know (GWINV), changing nothing', async () => {
    const { caseId } = await ingest(w);
    const before = await caseRow(w, caseId);
    for (const [level, kind] of [[0, 'initial'], [3, 'initial'], [1, 'bogus'], [2, 'Appeal']] as const) {
      const e = await refusal(w.worker.query(REVIEW, [caseId, `int-${level}-${kind}`, level, kind, 60, null, null]));
      expect({ level, kind, code: e.code }).toEqual({ level, kind, code: 'GWINV' });
    }
    expect(await caseRow(w, caseId)).toEqual(before);
    expect(await audit(w, caseId)).toHaveLength(1);
  });

  it('marks the run\'s accepted command applied — only on its own case', async () => {
    const { caseId } = await ingest(w);
    await toReview(w, caseId);
    const { commandId: escalation } = await decide(w.mod, caseId, 'escalate');
    const other = await ingest(w);
    // The escalation's id named with another case: that case is projected, the command stays accepted.
    await toReview(w, other.caseId, { commandId: escalation });
    expect(await commandRow(w, escalation)).toMatchObject({ status: 'accepted', applied_at: null });

    await toReview(w, caseId, { level: 2, kind: 'escalation', commandId: escalation });
    const cmd = await commandRow(w, escalation);
    expect(cmd).toMatchObject({ status: 'applied', case_id: caseId, actor: 'alice' });
    expect(cmd.applied_at).toBeInstanceOf(Date);
  });

  it('projects nothing onto an unknown case', async () => {
    const caseId = randomUUID();
    expect((await w.worker.query(REVIEW, [caseId, 'int-x', 1, 'initial', 60, null, null])).rows).toEqual([]);
    expect(await audit(w, caseId)).toEqual([]);
  });
});

describe('worker.sync_outcome', () => {
  it('records the agent\'s own decision on the case it analysed, audited as case.<status> by the agent', async () => {
    const { caseId } = await ingest(w);
    const d = agentDecision(caseId, 'remove');
    const { rows } = await w.worker.query(OUTCOME, [caseId, 'actioned', null, json(d), json(ANALYSIS), null]);
    expect(rows).toHaveLength(1);
    expect(await caseRow(w, caseId)).toMatchObject({
      status: 'actioned', last_decision: d, interrupt_id: null, sla_due_at: null, failure_reason: null, version: 2,
      analysis: ANALYSIS, verdict: 'needs_review', severity: 'high', violation_type: 'harassment',
    });
    expect((await audit(w, caseId)).slice(1)).toEqual([{
      seq: 2, type: 'case.actioned', actor: 'agent', tool: 'agent', db_login: w.inst.workerLogin,
      payload: { decision: 'remove', decidedBy: 'agent' },
    }]);
  });

  it('a redelivery of the same outcome changes and records nothing', async () => {
    const { caseId } = await ingest(w);
    await w.worker.query(OUTCOME, [caseId, 'auto_resolved', null, null, json({ ...ANALYSIS, verdict: 'ok' }), null]);
    const before = await caseRow(w, caseId);
    expect(before).toMatchObject({ status: 'auto_resolved', last_decision: null, verdict: 'ok' });
    expect((await w.worker.query(OUTCOME, [caseId, 'auto_resolved', null, null, null, null])).rows).toEqual([]);
    expect(await caseRow(w, caseId)).toEqual(before);
    expect((await audit(w, caseId)).map((e) => [e.type, e.payload])).toEqual([
      ['case.created', expect.anything()], ['case.auto_resolved', {}],
    ]);
  });

  it('records a failure with its reason', async () => {
    const { caseId } = await ingest(w);
    await w.worker.query(OUTCOME, [caseId, 'failed', 'action ban_user failed permanently: 403', null, null, null]);
    expect(await caseRow(w, caseId)).toMatchObject({ status: 'failed', failure_reason: 'action ban_user failed permanently: 403' });
    expect((await audit(w, caseId))[1]).toMatchObject({ type: 'case.failed', actor: 'agent', payload: { failure: 'action ban_user failed permanently: 403' } });
  });

  it('refuses a status that is not the end of a run (GWINV), changing nothing', async () => {
    const { caseId } = await ingest(w);
    for (const status of ['awaiting_review', 'executing', 'reversing', 'analyzing', 'done', null]) {
      const e = await refusal(w.worker.query(OUTCOME, [caseId, status, null, null, null, null]));
      expect({ status, code: e.code }).toEqual({ status, code: 'GWINV' });
    }
    expect(await caseRow(w, caseId)).toMatchObject({ status: 'analyzing', version: 1 });
    expect(await audit(w, caseId)).toHaveLength(1);
  });

  it('carrying out a person\'s decision keeps the decision the database recorded and marks its command applied', async () => {
    const { caseId } = await ingest(w);
    await toReview(w, caseId);
    const { commandId: id } = await decide(w.mod, caseId, 'warn');
    const recorded = await lastDecision(w, caseId);
    expect(recorded).toMatchObject({ actor: 'alice', decision: 'warn', commandId: id });
    await w.worker.query(OUTCOME, [caseId, 'actioned', null, json(recorded), null, id]);
    expect(await caseRow(w, caseId)).toMatchObject({ status: 'actioned', last_decision: recorded });
    expect(await commandRow(w, id)).toMatchObject({ status: 'applied' });
    expect((await audit(w, caseId)).at(-1)).toMatchObject({ type: 'case.actioned', actor: 'agent', payload: { decision: 'warn', decidedBy: 'alice' } });
  });

  it('a decision with a person as its actor is never written by the worker (a case nobody decided): not as the last decision, not in the audit', async () => {
    // The worker claims alice banned the author.
    const fresh = await ingest(w);
    const forged = { ...agentDecision(fresh.caseId, 'remove_and_ban'), actor: 'alice', commandId: 'made-up-command' };
    await w.worker.query(OUTCOME, [fresh.caseId, 'actioned', null, json(forged), null, null]);
    expect(await lastDecision(w, fresh.caseId)).toBeNull();
    const ev = (await audit(w, fresh.caseId)).at(-1)!;
    expect(ev.type).toBe('case.actioned');
    expect(ev.payload, 'the audit must not attribute a decision to alice that she never made').not.toHaveProperty('decidedBy', 'alice');
  });

  it('a decision with a person as its actor is never written by the worker (a case alice decided): the recorded one stands, in the row and the audit', async () => {
    // alice decided warn; the worker claims bob decided remove_and_ban.
    const { caseId } = await ingest(w);
    await toReview(w, caseId);
    const { commandId: id } = await decide(w.mod, caseId, 'warn');
    const recorded = await lastDecision(w, caseId);
    await w.worker.query(OUTCOME, [caseId, 'actioned', null, json({ ...recorded, actor: 'bob', decision: 'remove_and_ban' }), null, id]);
    expect(await lastDecision(w, caseId)).toEqual(recorded);
    const last = (await audit(w, caseId)).at(-1)!;
    expect(last.type).toBe('case.actioned');
    expect(last.payload, 'the audit must carry the decision the database recorded').not.toHaveProperty('decidedBy', 'bob');
    expect(last.payload).not.toHaveProperty('decision', 'remove_and_ban');
  });

  it('an agent decision does not replace the decision a person made on the case', async () => {
    const { caseId } = await ingest(w);
    await toReview(w, caseId);
    const { commandId: id } = await decide(w.mod, caseId, 'warn');
    const recorded = await lastDecision(w, caseId);
    // Were it replaced, the appeal would exclude 'agent' instead of alice (four-eyes), and auto:<case>
    // actions would be accepted on a case a person decided.
    await w.worker.query(OUTCOME, [caseId, 'actioned', null, json(agentDecision(caseId, 'remove')), null, id]);
    expect(await lastDecision(w, caseId)).toEqual(recorded);
  });

  it('an agent decision to ban is not recorded (an AI never bans without a human)', async () => {
    const { caseId } = await ingest(w);
    await w.worker.query(OUTCOME, [caseId, 'actioned', null, json(agentDecision(caseId, 'remove_and_ban')), null, null]).catch(() => {});
    expect(await lastDecision(w, caseId)).not.toMatchObject({ actor: 'agent', decision: 'remove_and_ban' });
  });

  it('does not mark another case\'s command applied', async () => {
    const { caseId } = await ingest(w);
    await toReview(w, caseId);
    const { commandId: id } = await decide(w.mod, caseId, 'remove');
    const other = await ingest(w);
    await w.worker.query(OUTCOME, [other.caseId, 'auto_resolved', null, null, null, id]);
    expect(await commandRow(w, id)).toMatchObject({ status: 'accepted', applied_at: null });
  });
});

describe('worker.fail_case', () => {
  it('fails the case and its accepted command, audited as case.failed by the agent (through the worker)', async () => {
    const { caseId } = await ingest(w);
    await toReview(w, caseId);
    const { commandId: id } = await decide(w.mod, caseId, 'remove');
    const version = (await caseRow(w, caseId)).version;
    const { rows } = await w.worker.query(FAIL, [caseId, 'retries exhausted', id]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: caseId, status: 'failed', failure_reason: 'retries exhausted', version: version + 1 });
    expect(await commandRow(w, id)).toMatchObject({ status: 'failed', result: { error: 'retries exhausted' } });
    expect((await audit(w, caseId)).at(-1)).toEqual({
      seq: 4, type: 'case.failed', actor: 'agent', tool: 'worker', db_login: w.inst.workerLogin, payload: { reason: 'retries exhausted' },
    });
  });

  it('a command that is not one of this case\'s accepted commands fails nothing', async () => {
    const { caseId } = await ingest(w);
    await toReview(w, caseId);
    const { commandId: applied } = await decide(w.mod, caseId, 'remove');
    await w.worker.query(OUTCOME, [caseId, 'actioned', null, json(await lastDecision(w, caseId)), null, applied]);
    const other = await ingest(w);
    await toReview(w, other.caseId);
    const { commandId: foreign } = await decide(w.mod, other.caseId, 'warn');
    const before = await caseRow(w, caseId);
    const events = (await audit(w, caseId)).length;
    for (const id of [applied, foreign, 'never-accepted-1234']) {
      expect((await w.worker.query(FAIL, [caseId, 'nope', id])).rows, id).toEqual([]);
    }
    expect(await caseRow(w, caseId)).toEqual(before);
    expect(await audit(w, caseId)).toHaveLength(events);
    expect(await commandRow(w, applied)).toMatchObject({ status: 'applied' });
    expect(await commandRow(w, foreign)).toMatchObject({ status: 'accepted' });
  });

  it('keeps at most 2000 characters of the reason', async () => {
    const { caseId } = await ingest(w);
    await w.worker.query(FAIL, [caseId, 'r'.repeat(2500), null]);
    expect((await caseRow(w, caseId)).failure_reason).toHaveLength(2000);
    expect((await audit(w, caseId)).at(-1)!.payload.reason).toHaveLength(2000);
  });

  it('fails no unknown case', async () => {
    const caseId = randomUUID();
    expect((await w.worker.query(FAIL, [caseId, 'x', null])).rows).toEqual([]);
    expect(await audit(w, caseId)).toEqual([]);
  });
});

describe('worker.escalate_breaches', () => {
  it('raises level-1 reviews past their SLA to level 2 (releasing the claim), once, audited as sla.breached', async () => {
    const due = await ingest(w);
    await toReview(w, due.caseId, { sla: 60 });
    const claim = await w.mod.query(`SELECT api.claim_case($1, $2, 15, 'cli') AS r`, [due.caseId, commandId('claim')]);
    expect(claim.rows[0].r.outcome).toBe('applied');
    const inTime = await ingest(w);
    await toReview(w, inTime.caseId, { sla: 60 });
    const level2 = await ingest(w);
    await toReview(w, level2.caseId, { level: 2, kind: 'escalation', sla: 60 });
    // Arranged by the DBA: these reviews are an hour late (the database's clock decides).
    await w.inst.dba(`UPDATE cases SET sla_due_at = now() - interval '1 hour' WHERE id = ANY($1)`, [[due.caseId, level2.caseId]]);
    const untouched = [await caseRow(w, inTime.caseId), await caseRow(w, level2.caseId)];
    const version = (await caseRow(w, due.caseId)).version;

    const { rows } = await w.worker.query(BREACHES, [30]);
    const mine = rows.filter((r) => [due.caseId, inTime.caseId, level2.caseId].includes(r.id));
    expect(mine.map((r) => r.id)).toEqual([due.caseId]);
    expect(await caseRow(w, due.caseId)).toMatchObject({ level: 2, claimed_by: null, claim_until: null, version: version + 1, status: 'awaiting_review' });
    expect(await slaSeconds(due.caseId)).toBe(30 * 60);
    expect((await audit(w, due.caseId)).at(-1)).toMatchObject({
      type: 'sla.breached', actor: 'agent', tool: 'worker', db_login: w.inst.workerLogin, payload: { level: 2, reviewKind: 'initial' },
    });
    expect([await caseRow(w, inTime.caseId), await caseRow(w, level2.caseId)]).toEqual(untouched);

    const again = await w.worker.query(BREACHES, [30]);
    expect(again.rows.map((r) => r.id)).not.toContain(due.caseId);
    expect(types(await audit(w, due.caseId)).filter((t) => t === 'sla.breached')).toHaveLength(1);
  });
});

describe('who may call them', () => {
  it('only the worker: moderator, supervisor and admin logins get 42501 and change nothing', async () => {
    const { caseId } = await ingest(w);
    await expectPeopleRefused(w, REVIEW, [caseId, 'int-p', 1, 'initial', 60, null, null]);
    await expectPeopleRefused(w, OUTCOME, [caseId, 'actioned', null, json({ ...agentDecision(caseId), actor: 'ada' }), null, null]);
    await expectPeopleRefused(w, FAIL, [caseId, 'x', null]);
    await expectPeopleRefused(w, BREACHES, [0]);
    expect(await caseRow(w, caseId)).toMatchObject({ status: 'analyzing', version: 1 });
    expect(await audit(w, caseId)).toHaveLength(1);
    for (const f of [
      'worker.sync_review(uuid, text, int, text, int, jsonb, text, jsonb)', 'worker.sync_outcome(uuid, text, text, jsonb, jsonb, text)',
      'worker.fail_case(uuid, text, text)', 'worker.escalate_breaches(int)',
    ]) await expectWorkerFunction(w, f);
  });

  it('nobody but the owner runs private.mark_applied directly', async () => {
    for (const pool of [w.worker, w.admin]) {
      expect((await refusal(pool.query('SELECT private.mark_applied($1, $2)', [randomUUID(), 'x']))).code).toBe('42501');
    }
  });
});
