/**
 * Shared arrangements for the worker function tests (test/db/functions/worker/*.test.ts): each file has ONE
 * installation (createTestInstallation) with the worker login and a few people, and every test makes cases
 * of its own through the real functions, called as the real logins: the worker records the agent's work,
 * people decide through api.*. The DBA only inspects (and, where a test says so, arranges a clock).
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { expect } from 'vitest';
import { createTestInstallation, type TestInstallation, type TestPerson } from '../../../support/installation.js';

export interface WorkerWorld {
  inst: TestInstallation;
  worker: pg.Pool;
  /** moderator */
  alice: TestPerson;
  mod: pg.Pool;
  /** supervisors */
  sam: TestPerson;
  sup: pg.Pool;
  sue: TestPerson;
  sup2: pg.Pool;
  /** admin */
  ada: TestPerson;
  admin: pg.Pool;
}

export async function workerWorld(): Promise<WorkerWorld> {
  const inst = await createTestInstallation();
  const [alice, sam, sue, ada] = await Promise.all([
    inst.person('alice', 'moderator'),
    inst.person('sam', 'supervisor'),
    inst.person('sue', 'supervisor'),
    inst.person('ada', 'admin'),
  ]);
  return {
    inst,
    worker: inst.pool(inst.workerUrl, 3),
    alice,
    mod: inst.pool(alice.url),
    sam,
    sup: inst.pool(sam.url),
    sue,
    sup2: inst.pool(sue.url),
    ada,
    admin: inst.pool(ada.url),
  };
}

/** The error a statement was refused with; fails the test when it succeeded. */
export async function refusal(p: Promise<unknown>, what = 'the statement'): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return { code: e.code ?? 'none', message: e.message ?? String(err) };
  }
  throw new Error(`expected ${what} to be refused, but it succeeded`);
}

export interface NewCase {
  caseId: string;
  contentId: string;
  authorId: string;
}

/** content.submitted, as the worker relays it: a case in 'analyzing'. */
export async function ingest(w: WorkerWorld, o: { priority?: 'normal' | 'urgent'; text?: string } = {}): Promise<NewCase> {
  const caseId = randomUUID();
  const contentId = `content-${caseId}`;
  const authorId = `author-${caseId.slice(0, 8)}`;
  const { rows } = await w.worker.query(
    `SELECT worker.ingest_content(p_case_id => $1, p_content_id => $2, p_author_id => $3, p_text => $4, p_url => $5,
       p_reported_by => $6, p_report_reason => $7, p_priority => $8, p_submitted_at => $9) AS r`,
    [caseId, contentId, authorId, o.text ?? 'some reported text', 'https://example.test/c', 'reporter-1', 'spam', o.priority ?? 'normal', '2025-01-02T03:04:05Z'],
  );
  expect(rows[0].r.created).toBe(true);
  return { caseId, contentId, authorId };
}

export const ANALYSIS = { verdict: 'needs_review', severity: 'high', violationType: 'harassment', suggestedAction: 'remove', classifier: 'test', reasoning: 'r' };

/** The thread paused for a human: the case awaits review. Returns the interrupt id. */
export async function toReview(
  w: WorkerWorld,
  caseId: string,
  o: { level?: 1 | 2; kind?: string; sla?: number; commandId?: string | null; analysis?: object | null } = {},
): Promise<string> {
  const interrupt = `int-${randomUUID()}`;
  const { rows } = await w.worker.query(
    `SELECT * FROM worker.sync_review(p_case_id => $1, p_interrupt_id => $2, p_level => $3, p_review_kind => $4, p_sla_minutes => $5,
       p_analysis => $6, p_command_id => $7)`,
    [caseId, interrupt, o.level ?? 1, o.kind ?? 'initial', o.sla ?? 60, o.analysis === null ? null : JSON.stringify(o.analysis ?? ANALYSIS), o.commandId ?? null],
  );
  expect(rows).toHaveLength(1);
  return interrupt;
}

let seq = 0;
export const commandId = (what: string) => `${what}-${++seq}-${randomUUID()}`;

/** A person's decision through api.decide_case; returns the command id (the outcome is checked). */
export async function decide(
  pool: pg.Pool,
  caseId: string,
  decision: string,
  o: { durationHours?: number; expect?: 'accepted' | 'rejected' } = {},
): Promise<{ commandId: string; r: any }> {
  const id = commandId(`decide-${decision}`);
  const { rows } = await pool.query(
    `SELECT api.decide_case(p_case_id => $1, p_command_id => $2, p_decision => $3, p_reason => $4, p_duration_hours => $5, p_tool => 'cli') AS r`,
    [caseId, id, decision, `because ${decision}`, o.durationHours ?? null],
  );
  expect(rows[0].r.outcome, JSON.stringify(rows[0].r)).toBe(o.expect ?? 'accepted');
  return { commandId: id, r: rows[0].r };
}

/** The decision record as the worker's graph holds it (decisionRecordOf), read back from the case row. */
export async function lastDecision(w: WorkerWorld, caseId: string): Promise<Record<string, unknown> | null> {
  return (await caseRow(w, caseId)).last_decision;
}

/** A case a person decided and the worker carried out: 'actioned', its command applied. */
export async function actioned(w: WorkerWorld, decider: pg.Pool, decision = 'remove'): Promise<NewCase & { commandId: string }> {
  const c = await ingest(w);
  await toReview(w, c.caseId);
  const { commandId: id } = await decide(decider, c.caseId, decision);
  const { rows } = await w.worker.query(
    `SELECT * FROM worker.sync_outcome(p_case_id => $1, p_status => 'actioned', p_decision => $2, p_command_id => $3)`,
    [c.caseId, JSON.stringify(await lastDecision(w, c.caseId)), id],
  );
  expect(rows[0].status).toBe('actioned');
  return { ...c, commandId: id };
}

export const agentDecision = (caseId: string, decision = 'remove') => ({
  commandId: `auto:${caseId}`,
  decision,
  reason: 'Automatic (test): obvious',
  policyIds: ['spam'],
  actor: 'agent',
  level: 1,
  reviewKind: 'initial',
  at: '2025-01-02T03:04:06.000Z',
});

// ---------------------------------------------------------------------------------------------------------
// What the DBA sees

export async function caseRow(w: WorkerWorld, caseId: string): Promise<any> {
  const { rows } = await w.inst.dba('SELECT * FROM cases WHERE id = $1', [caseId]);
  return rows[0];
}

export async function commandRow(w: WorkerWorld, id: string): Promise<any> {
  const { rows } = await w.inst.dba('SELECT * FROM commands WHERE id = $1', [id]);
  return rows[0];
}

export async function actionRows(w: WorkerWorld, caseId: string): Promise<any[]> {
  const { rows } = await w.inst.dba('SELECT * FROM actions WHERE case_id = $1 ORDER BY seq, id', [caseId]);
  return rows;
}

export interface AuditRow {
  seq: number;
  type: string;
  actor: string;
  tool: string;
  db_login: string;
  payload: any;
}

/** A case's audit stream, in order. */
export async function audit(w: WorkerWorld, caseId: string): Promise<AuditRow[]> {
  const { rows } = await w.inst.dba<AuditRow>(
    `SELECT seq::int, type, actor, tool, db_login, payload FROM audit_events WHERE stream = 'case:' || $1 ORDER BY seq`,
    [caseId],
  );
  return rows;
}

export const types = (events: AuditRow[]) => events.map((e) => e.type);

/**
 * A worker function as its catalog entry says: SECURITY DEFINER, owned by the owner, search_path pinned,
 * EXECUTE for the worker group only (and the owner, implicitly).
 */
export async function expectWorkerFunction(w: WorkerWorld, signature: string): Promise<void> {
  const { rows } = await w.inst.dba(
    `SELECT p.prosecdef AS definer, p.proowner::regrole::text AS owner, p.proconfig AS config,
            array(SELECT a.grantee::regrole::text FROM aclexplode(p.proacl) a WHERE a.privilege_type = 'EXECUTE' ORDER BY 1) AS executors
       FROM pg_proc p WHERE p.oid = $1::regprocedure`,
    [signature],
  );
  const { owner, worker } = w.inst.roles;
  expect(rows[0], signature).toEqual({
    definer: true,
    owner,
    config: ['search_path=pg_catalog, public, pg_temp'],
    executors: [owner, worker].sort(),
  });
}

/** Every person role is refused the call by PostgreSQL itself (no USAGE on schema worker). */
export async function expectPeopleRefused(w: WorkerWorld, sql: string, params: unknown[]): Promise<void> {
  for (const [who, pool] of [['moderator', w.mod], ['supervisor', w.sup], ['admin', w.admin]] as const) {
    const e = await refusal(pool.query(sql, params), `${who}: ${sql}`);
    expect({ who, code: e.code }).toEqual({ who, code: '42501' });
    expect(e.message, who).toMatch(/^permission denied for (schema worker|function \w+)$/);
  }
}
