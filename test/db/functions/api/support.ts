/**
 * Shared arranging for the api.* function tests (test/db/functions/api/<function>.test.ts).
 *
 * One test installation per file (createTestInstallation), with real logins: five persons (two moderators,
 * two supervisors, an admin), the worker login, and a "stranger" — a login in the moderator group that is no
 * person of the installation. Cases are arranged the way the product does it: the worker login calls the
 * worker.* functions (ingest_content, begin_analysis, sync_review, record_action, finish_action,
 * sync_outcome, open_appeal) and persons call the api.* functions. The DBA only inspects (snapshots), except
 * where a comment says otherwise.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { expect } from 'vitest';
import { createTestInstallation, type TestInstallation } from '../../../support/installation.js';

/** Somebody with a login: a person (id = person id), the worker, or the stranger (id = their login). */
export interface Actor {
  /** The actor the database should record: the person's id, or (no person) the login itself. */
  id: string;
  login: string;
  pool: pg.Pool;
}

export type PersonKey = 'mod1' | 'mod2' | 'sup1' | 'sup2' | 'admin';

export interface Fixture {
  inst: TestInstallation;
  worker: Actor;
  people: Record<PersonKey, Actor>;
  /** A login that is a member of the moderator group but no person of this installation. */
  stranger: Actor;
  drop(): Promise<void>;
}

const PEOPLE: Array<[PersonKey, string, 'moderator' | 'supervisor' | 'admin', string]> = [
  ['mod1', 'mod-1', 'moderator', 'Mia Moderator'],
  ['mod2', 'mod-2', 'moderator', 'Max Moderator'],
  ['sup1', 'sup-1', 'supervisor', 'Sam Supervisor'],
  ['sup2', 'sup-2', 'supervisor', 'Sue Supervisor'],
  ['admin', 'admin-1', 'admin', 'Ada Admin'],
];

export async function createFixture(): Promise<Fixture> {
  const inst = await createTestInstallation();
  try {
    const people = {} as Record<PersonKey, Actor>;
    for (const [key, id, role, name] of PEOPLE) {
      const p = await inst.person(id, role, name);
      people[key] = { id, login: p.login, pool: inst.pool(p.url) };
    }
    // DBA arranging, deliberately outside the product path: the product only creates logins through the
    // people functions, each with its person row. A login granted the moderator group by hand (an
    // operator's mistake, or a person row that is gone) is exactly "a login that is not a person".
    const strangerLogin = `${inst.roles.prefix}_stranger`;
    await inst.dba(`CREATE ROLE "${strangerLogin}" LOGIN IN ROLE "${inst.roles.moderator}"`);
    const stranger = { id: strangerLogin, login: strangerLogin, pool: inst.pool(inst.urlFor(strangerLogin)) };
    const worker = { id: inst.workerLogin, login: inst.workerLogin, pool: inst.pool(inst.workerUrl) };
    return { inst, worker, people, stranger, drop: () => inst.drop() };
  } catch (err) {
    await inst.drop().catch(() => {});
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Calling the functions

/** What a command function returns. */
export interface ApiResult {
  outcome: 'applied' | 'accepted' | 'rejected';
  duplicate: boolean;
  job?: string | null;
  case?: Record<string, unknown>;
  error?: { code: string; message: string; details?: Record<string, unknown> };
}

/** A fresh command id (the idempotency key): `<label>-<uuid>`. */
export const cmdId = (label = 'cmd') => `${label}-${randomUUID()}`;

/** `SELECT api.<fn>(p_a => $1, …) AS r` on the actor's own connection; returns r. */
export async function api<T = ApiResult>(who: Actor, fn: string, args: Record<string, unknown> = {}): Promise<T> {
  const names = Object.keys(args);
  const list = names.map((n, i) => `${n} => $${i + 1}`).join(', ');
  const { rows } = await who.pool.query(`SELECT api.${fn}(${list}) AS r`, names.map((n) => args[n]));
  return rows[0].r as T;
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function errorOf(p: Promise<unknown>): Promise<pg.DatabaseError> {
  try {
    await p;
  } catch (err) {
    return err as pg.DatabaseError;
  }
  throw new Error('expected the call to be refused with an error, but it succeeded');
}

// ---------------------------------------------------------------------------------------------------------
// Observing what a call changed (read as the DBA)

export interface CommandRow {
  id: string;
  type: string;
  case_id: string | null;
  actor: string;
  tool: string;
  expected_version: number | null;
  payload: Record<string, unknown>;
  interrupt_id: string | null;
  status: string;
  result: Record<string, unknown> | null;
  applied_at: Date | null;
}

export interface AuditRow {
  id: string;
  stream: string;
  case_id: string | null;
  type: string;
  actor: string;
  tool: string;
  db_login: string;
  payload: Record<string, unknown>;
}

interface Snapshot {
  cases: Map<string, string>;
  commands: Map<string, string>;
  auditMax: number;
  /** Digests of the tables no api command function may change here. */
  other: Record<string, string>;
}

async function snapshot(f: Fixture): Promise<Snapshot> {
  const { rows: cases } = await f.inst.dba<{ id: string; j: string }>('SELECT id, to_jsonb(c)::text AS j FROM cases c');
  const { rows: commands } = await f.inst.dba<{ id: string; j: string }>('SELECT id, to_jsonb(c)::text AS j FROM commands c');
  const { rows: audit } = await f.inst.dba<{ m: string | null }>('SELECT max(id) AS m FROM audit_events');
  const { rows: other } = await f.inst.dba<{ k: string; v: string }>(
    ['actions', 'moderators', 'platform_sim_actions']
      .map((t) => `SELECT '${t}' AS k, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS v FROM ${t} x`)
      .join(' UNION ALL '),
  );
  return {
    cases: new Map(cases.map((r) => [r.id, r.j])),
    commands: new Map(commands.map((r) => [r.id, r.j])),
    auditMax: Number(audit[0]?.m ?? 0),
    other: Object.fromEntries(other.map((r) => [r.k, r.v])),
  };
}

export interface Changes<T> {
  /** The call's value, or undefined when it raised. */
  result: T | undefined;
  error: pg.DatabaseError | undefined;
  /** Case rows that changed (or appeared): their ids. */
  changedCases: string[];
  /** Command rows that appeared or changed (as they are now). */
  commands: CommandRow[];
  /** Audit events appended (in order). */
  audit: AuditRow[];
  /** Whether actions, moderators or the simulator's table changed. */
  otherChanged: boolean;
}

/** Runs fn and reports, from the DBA's view, everything it changed. A raise is captured, not rethrown. */
export async function observe<T>(f: Fixture, fn: () => Promise<T>): Promise<Changes<T>> {
  const before = await snapshot(f);
  let result: T | undefined;
  let error: pg.DatabaseError | undefined;
  try {
    result = await fn();
  } catch (err) {
    error = err as pg.DatabaseError;
  }
  const after = await snapshot(f);
  const changedCases = [...after.cases].filter(([id, j]) => before.cases.get(id) !== j).map(([id]) => id);
  const changedCommands = [...after.commands].filter(([id, j]) => before.commands.get(id) !== j).map(([id]) => id);
  const { rows: commands } = await f.inst.dba<CommandRow>('SELECT * FROM commands WHERE id = ANY($1) ORDER BY created_at, id', [changedCommands]);
  const { rows: audit } = await f.inst.dba<AuditRow>(
    'SELECT id, stream, case_id, type, actor, tool, db_login, payload FROM audit_events WHERE id > $1 ORDER BY id',
    [before.auditMax],
  );
  const otherChanged = JSON.stringify(before.other) !== JSON.stringify(after.other);
  return { result, error, changedCases, commands, audit, otherChanged };
}

/** The call raised `sqlstate` and changed nothing at all (no command, no audit event, no row). */
export async function expectRaisedNothingChanged(
  f: Fixture,
  fn: () => Promise<unknown>,
  sqlstate: string,
  label = 'the call',
): Promise<pg.DatabaseError> {
  const ch = await observe(f, fn);
  const outcome = (ch.result as { outcome?: unknown } | undefined)?.outcome;
  expect(ch.error, `expected ${label} to raise SQLSTATE ${sqlstate}, but it returned ${outcome === undefined ? 'a value' : `outcome "${String(outcome)}"`}`).toBeDefined();
  expect(ch.error!.code, `${label}: ${ch.error?.message}`).toBe(sqlstate);
  expect(ch.changedCases).toEqual([]);
  expect(ch.commands).toEqual([]);
  expect(ch.audit).toEqual([]);
  expect(ch.otherChanged).toBe(false);
  return ch.error!;
}

export interface RefusalExpectation {
  commandId: string;
  /** commands.type: claim, release, decide, appeal_decide, rollback, note, request_escalation. */
  type: string;
  caseId: string;
  by: Actor;
  code: 'conflict' | 'forbidden';
  message?: RegExp;
  tool?: string;
  expectedVersion?: number | null;
}

/**
 * The call returned { outcome: 'rejected', error } and the only changes are the recorded refusal: one
 * `rejected` commands row and one `command.rejected` audit event on the case's stream, with the real actor
 * and login. Returns the error for further checks (details).
 */
export async function expectOnlyRefusal(f: Fixture, fn: () => Promise<ApiResult>, x: RefusalExpectation) {
  const ch = await observe(f, fn);
  expect(ch.error, `expected a rejected outcome, the call raised ${ch.error?.code}: ${ch.error?.message}`).toBeUndefined();
  const r = ch.result!;
  expect(r).toMatchObject({ outcome: 'rejected', duplicate: false, error: { code: x.code } });
  expect(r.case).toBeUndefined();
  if (x.message) expect(r.error!.message).toMatch(x.message);
  // Nothing but the refusal: the case (and every other case) is as it was.
  expect(ch.changedCases).toEqual([]);
  expect(ch.otherChanged).toBe(false);
  expect(ch.commands).toHaveLength(1);
  expect(ch.commands[0]).toMatchObject({
    id: x.commandId,
    type: x.type,
    case_id: x.caseId,
    actor: x.by.id,
    tool: x.tool ?? 'api',
    status: 'rejected',
    applied_at: null,
    result: { error: r.error },
  });
  if (x.expectedVersion !== undefined) expect(ch.commands[0]!.expected_version).toBe(x.expectedVersion);
  expect(ch.audit).toHaveLength(1);
  expect(ch.audit[0]).toMatchObject({
    stream: `case:${x.caseId}`,
    case_id: x.caseId,
    type: 'command.rejected',
    actor: x.by.id,
    db_login: x.by.login,
    tool: x.tool ?? 'api',
    payload: { commandId: x.commandId, command: x.type, code: x.code, message: r.error!.message },
  });
  return r.error!;
}

/** The same command id again: the prior outcome with duplicate = true, and nothing recorded or changed. */
export async function expectDuplicateChangesNothing(f: Fixture, fn: () => Promise<ApiResult>): Promise<ApiResult> {
  const ch = await observe(f, fn);
  expect(ch.error, `the replay raised ${ch.error?.code}: ${ch.error?.message}`).toBeUndefined();
  expect(ch.result!.duplicate).toBe(true);
  expect(ch.changedCases).toEqual([]);
  expect(ch.commands).toEqual([]);
  expect(ch.audit).toEqual([]);
  expect(ch.otherChanged).toBe(false);
  return ch.result!;
}

/** The worker login may not execute the function (no privilege on it, and PostgreSQL refuses the call). */
export async function expectWorkerCannotExecute(f: Fixture, signature: string, call: () => Promise<unknown>): Promise<void> {
  const { rows } = await f.inst.dba<{ may: boolean }>(`SELECT has_function_privilege($1, $2, 'EXECUTE') AS may`, [f.worker.login, signature]);
  expect(rows[0]!.may).toBe(false);
  const err = await expectRaisedNothingChanged(f, call, '42501');
  expect(err.message).toMatch(/permission denied/);
}

// ---------------------------------------------------------------------------------------------------------
// Reading rows (as the DBA)

export interface CaseRow {
  id: string;
  content_id: string;
  author_id: string;
  status: string;
  level: number;
  review_kind: string | null;
  interrupt_id: string | null;
  claimed_by: string | null;
  claim_until: Date | null;
  excluded_deciders: string[];
  last_decision: Record<string, unknown> | null;
  last_command_id: string | null;
  version: number;
  escalation_requested_by: string | null;
  escalation_requested_at: Date | null;
  escalation_reason: string | null;
  updated_at: Date;
}

export async function caseRow(f: Fixture, id: string): Promise<CaseRow> {
  const { rows } = await f.inst.dba<CaseRow>('SELECT * FROM cases WHERE id = $1', [id]);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

export async function commandRow(f: Fixture, id: string): Promise<CommandRow & { created_at: Date }> {
  const { rows } = await f.inst.dba<CommandRow & { created_at: Date }>('SELECT * FROM commands WHERE id = $1', [id]);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

// ---------------------------------------------------------------------------------------------------------
// Arranging cases through the worker login (the product's path)

export interface CaseRef {
  id: string;
  contentId: string;
  authorId: string;
}

let authorN = 0;

/** content.submitted, as the worker records it: a case being analysed (version 1). */
export async function ingest(f: Fixture, o: { priority?: 'normal' | 'urgent' } = {}): Promise<CaseRef> {
  const ref = { id: randomUUID(), contentId: `content-${randomUUID()}`, authorId: `author-${++authorN}` };
  const { rows } = await f.worker.pool.query(
    `SELECT worker.ingest_content(p_case_id => $1, p_content_id => $2, p_author_id => $3, p_text => $4, p_url => null,
       p_reported_by => 'reporter-1', p_report_reason => 'abuse', p_priority => $5, p_submitted_at => now()) AS r`,
    [ref.id, ref.contentId, ref.authorId, 'some reported text', o.priority ?? 'normal'],
  );
  expect(rows[0].r.created).toBe(true);
  await f.worker.pool.query('SELECT * FROM worker.begin_analysis($1)', [ref.id]);
  return ref;
}

/** The agent's thread paused for a human: the worker projects the interrupt onto the case. */
export async function syncReview(f: Fixture, caseId: string, level: 1 | 2, kind: string, commandId: string | null = null): Promise<void> {
  const analysis = { verdict: 'violation', severity: 'medium', violationType: 'harassment', suggestedAction: 'remove' };
  const { rows } = await f.worker.pool.query(
    `SELECT * FROM worker.sync_review(p_case_id => $1, p_interrupt_id => $2, p_level => $3, p_review_kind => $4,
       p_sla_minutes => 60, p_analysis => $5, p_command_id => $6)`,
    [caseId, `interrupt-${randomUUID()}`, level, kind, level === 1 && kind === 'initial' ? JSON.stringify(analysis) : null, commandId],
  );
  expect(rows).toHaveLength(1);
  expect(rows[0].status).toBe('awaiting_review');
}

/** A level-1 case awaiting its initial review. */
export async function awaitingReview(f: Fixture): Promise<CaseRef> {
  const ref = await ingest(f);
  await syncReview(f, ref.id, 1, 'initial');
  return ref;
}

/** A decision the database accepted (the case is then executing). Returns its command id. */
export async function decide(f: Fixture, who: Actor, caseId: string, decision: string, extra: Record<string, unknown> = {}): Promise<string> {
  const id = cmdId('decide');
  const r = await api(who, 'decide_case', { p_case_id: caseId, p_command_id: id, p_decision: decision, p_reason: `arranged ${decision}`, ...extra });
  expect(r.outcome, JSON.stringify(r.error)).toBe('accepted');
  return id;
}

/** The worker carries out a remove decision: the platform action, then the thread's outcome. */
export async function carryOutRemove(f: Fixture, caseId: string, commandId: string): Promise<string> {
  const actionId = `action-${randomUUID()}`;
  const { rows } = await f.worker.pool.query(
    `SELECT worker.record_action(p_action_id => $1, p_case_id => $2, p_command_id => $3, p_seq => 1, p_kind => 'remove_content',
       p_reason => 'arranged') AS st`,
    [actionId, caseId, commandId],
  );
  expect(rows[0].st).toBe('pending');
  await f.worker.pool.query('SELECT worker.finish_action($1, true, null)', [actionId]);
  const out = await f.worker.pool.query(`SELECT * FROM worker.sync_outcome(p_case_id => $1, p_status => 'actioned', p_command_id => $2)`, [caseId, commandId]);
  expect(out.rows[0]?.status).toBe('actioned');
  return actionId;
}

/** A case `decider` decided (remove) and the worker carried out: actioned. */
export async function actioned(f: Fixture, decider: Actor): Promise<CaseRef & { decision: string; actionId: string }> {
  const ref = await awaitingReview(f);
  const decision = await decide(f, decider, ref.id, 'remove');
  const actionId = await carryOutRemove(f, ref.id, decision);
  return { ...ref, decision, actionId };
}

/** `escalator` escalated a level-1 case; the worker put it up for the level-2 review (escalator excluded). */
export async function escalated(f: Fixture, escalator: Actor): Promise<CaseRef & { decision: string }> {
  const ref = await awaitingReview(f);
  const decision = await decide(f, escalator, ref.id, 'escalate');
  await syncReview(f, ref.id, 2, 'escalation', decision);
  return { ...ref, decision };
}

/** `decider`'s carried-out decision, rolled back by `roller` and reversed by the worker: a level-2 review. */
export async function rolledBack(f: Fixture, decider: Actor, roller: Actor): Promise<CaseRef & { rollback: string }> {
  const c = await actioned(f, decider);
  const rollback = cmdId('rollback');
  const r = await api(roller, 'rollback_case', { p_case_id: c.id, p_command_id: rollback, p_reason: 'arranged rollback' });
  expect(r.outcome, JSON.stringify(r.error)).toBe('accepted');
  const restore = `action-${randomUUID()}`;
  await f.worker.pool.query(
    `SELECT worker.record_action(p_action_id => $1, p_case_id => $2, p_command_id => $3, p_seq => 2, p_kind => 'restore_content',
       p_reason => 'rollback', p_reverses => $4)`,
    [restore, c.id, rollback, c.actionId],
  );
  await f.worker.pool.query('SELECT worker.finish_action($1, true, null)', [restore]);
  await syncReview(f, c.id, 2, 'rollback', rollback);
  return { ...c, rollback };
}

/** appeal.submitted on `decider`'s carried-out decision: the worker opens the level-2 appeal review. */
export async function appealed(f: Fixture, decider: Actor): Promise<CaseRef & { decision: string; appeal: string }> {
  const c = await actioned(f, decider);
  const appeal = cmdId('appeal');
  const { rows } = await f.worker.pool.query(
    `SELECT worker.open_appeal(p_command_id => $1, p_content_id => $2, p_author_id => $3, p_reason => 'I did nothing wrong',
       p_submitted_at => now()) AS r`,
    [appeal, c.contentId, c.authorId],
  );
  expect(rows[0].r.outcome).toBe('opened');
  await syncReview(f, c.id, 2, 'appeal', appeal);
  return { ...c, appeal };
}

/** A case whose run finished closed (an approve decision, carried out). */
export async function closed(f: Fixture, decider: Actor): Promise<CaseRef> {
  const ref = await awaitingReview(f);
  const decision = await decide(f, decider, ref.id, 'approve');
  const out = await f.worker.pool.query(`SELECT * FROM worker.sync_outcome(p_case_id => $1, p_status => 'closed', p_command_id => $2)`, [ref.id, decision]);
  expect(out.rows[0]?.status).toBe('closed');
  return ref;
}

/** The worker applied an accepted command (the thread moved on): the projection marks it applied. */
export async function markApplied(f: Fixture, caseId: string, commandId: string, status: 'actioned' | 'closed' = 'actioned'): Promise<void> {
  await f.worker.pool.query(`SELECT * FROM worker.sync_outcome(p_case_id => $1, p_status => $2, p_command_id => $3)`, [caseId, status, commandId]);
  expect((await commandRow(f, commandId)).status).toBe('applied');
}

/**
 * Texts that are empty once trimmed of whitespace, though not of spaces alone (newlines, tabs, CR): a reason
 * or a note made only of these says nothing and must be refused like an empty one.
 */
export const BLANK_BUT_NOT_SPACES = ['\n\n\n', ' \t \t ', '\r\n\r\n'];

/** A case id no case has. */
export const unknownCase = () => randomUUID();
