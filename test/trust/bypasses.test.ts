/**
 * Issue 10, Must show 2: every bypass of the issue's list, tried with the attacker's OWN credentials (a
 * person's PostgreSQL login, the worker's login, the workstation's or the platform's broker user) and shown
 * refused by PostgreSQL or RabbitMQ, with nothing changed (the DBA compares every table, role, grant,
 * trigger and function before and after) and, where the attempt reached a command function, the refusal
 * audited under the attacker's name. Written as a table (STYLE: "a security property tested from a table").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreEvent } from '../../src/core/api.js';
import { loadConfig } from '../../src/core/config.js';
import { createCore, type Core } from '../../src/core/core.js';
import { silentLogger } from '../../src/core/log.js';
import { generatePassword, scramVerifier } from '../../src/core/setup/scram.js';
import { cleanEnv, guardian } from '../support/cli.js';
import { appealMessage, contentMessage, plainPublisher, startHarness, TEXT, type Harness } from '../support/harness.js';
import { waitFor } from '../support/isolation.js';
import {
  amqpAs,
  auditSince,
  createBrokerPrincipals,
  dbState,
  lastAuditId,
  quiesce,
  sqlAs,
  type AmqpAttempt,
  type BrokerPrincipals,
} from './support.js';

type Person = 'mod-1' | 'sup-1' | 'admin-1';
type Attacker = Person | 'worker' | 'workstation' | 'platform';

/** What the table's rows may refer to, arranged once in beforeAll. */
interface Ctx {
  /** A level-1 case awaiting review. */
  review: string;
  /** A case mod-2 decided (remove): actioned. Its decision command, and its content (for a spoofed appeal). */
  actioned: string;
  actionedCommand: string;
  actionedContent: { contentId: string; authorId: string };
  /** sup-1's decision, rolled back by admin-1: a level-2 review that sup-1 may not decide (four-eyes). */
  fourEyes: string;
  prefix: string;
  owner: string;
  roleManager: string;
  admin: string;
  /** A valid SCRAM verifier (as `guardian moderators add` sends). */
  verifier: string;
}

/** The login an attempt runs as: its person id, PostgreSQL login and DATABASE_URL. */
interface Login {
  id: string;
  login: string;
  url: string;
}

type Attempt =
  /** One statement on the attacker's own PostgreSQL connection. */
  | { sql: (c: Ctx, me: Login) => string; params?: (c: Ctx, me: Login) => unknown[] }
  /** The CLI, with the attacker's own environment (DATABASE_URL = their login) plus `env`. */
  | { cli: (c: Ctx) => string[]; env?: Record<string, string> }
  /** One broker operation as the attacker's broker user. */
  | { amqp: (c: Ctx) => AmqpAttempt };

type Refusal =
  /** PostgreSQL refused the statement with this SQLSTATE. */
  | { sqlstate: string }
  /** A command function refused it as a value ({outcome: 'rejected', error.code}), recorded and audited. */
  | { rejected: 'forbidden'; audit: { type: string; stream: 'global' | 'case' } }
  /** The CLI exited with this code (4 = forbidden); `audit` when the refusal came from a command function. */
  | { exit: number; audit?: { type: string; stream: 'global' | 'case' } }
  /** RabbitMQ closed the channel with this code (403 ACCESS_REFUSED, 406 PRECONDITION_FAILED). */
  | { amqp: 403 | 406 };

interface Bypass {
  name: string;
  attacker: Attacker;
  attempt: Attempt;
  refused: Refusal;
}

/** The same attempt by each of several attackers. */
const by = (attackers: Attacker[], row: Omit<Bypass, 'attacker'>): Bypass[] => attackers.map((attacker) => ({ attacker, ...row }));
const PERSONS: Person[] = ['mod-1', 'sup-1', 'admin-1'];
const DENIED = { sqlstate: '42501' } as const; // insufficient_privilege
const q = (name: string) => `"${name.replace(/"/g, '""')}"`;
const forgedDecision = JSON.stringify({ decision: 'remove_and_ban', reason: 'forged', context: { level: 1, reviewKind: 'initial', at: new Date().toISOString() } });
const personRefused = { rejected: 'forbidden', audit: { type: 'person.refused', stream: 'global' } } as const;
const commandRejected = { rejected: 'forbidden', audit: { type: 'command.rejected', stream: 'case' } } as const;
const cmd = () => `bypass-${crypto.randomUUID()}`;

const BYPASSES: Bypass[] = [
  // --- `--as` / GUARDIAN_USER naming someone else: the login is the identity -----------------------------
  { name: 'guardian decide --as sup-1 with my own DATABASE_URL', attacker: 'mod-1', attempt: { cli: (c) => ['decide', c.review, '--decision', 'remove_and_ban', '--reason', 'as a supervisor', '--as', 'sup-1'] }, refused: { exit: 4 } },
  { name: 'guardian decide with GUARDIAN_USER=sup-1', attacker: 'mod-1', attempt: { cli: (c) => ['decide', c.review, '--decision', 'remove_and_ban', '--reason', 'as a supervisor'], env: { GUARDIAN_USER: 'sup-1' } }, refused: { exit: 4 } },
  { name: 'guardian rollback --as admin-1', attacker: 'mod-1', attempt: { cli: (c) => ['rollback', c.actioned, '--reason', 'as an admin', '--as', 'admin-1'] }, refused: { exit: 4 } },
  { name: 'four-eyes beaten by naming another supervisor: decide my own rolled-back case --as sup-2', attacker: 'sup-1', attempt: { cli: (c) => ['decide', c.fourEyes, '--decision', 'remove', '--reason', 'as my colleague', '--as', 'sup-2'] }, refused: { exit: 4 } },
  // ... and the same at the database, where the function derives the actor from the login.
  { name: 'api.decide_case on a level-2 review', attacker: 'mod-1', attempt: { sql: () => `SELECT api.decide_case(p_case_id => $1, p_command_id => $2, p_decision => 'remove_and_ban', p_reason => 'bypass attempt', p_tool => 'cli') AS r`, params: (c) => [c.fourEyes, cmd()] }, refused: commandRejected },
  { name: 'api.decide_case on the review of my own rolled-back decision (four-eyes)', attacker: 'sup-1', attempt: { sql: () => `SELECT api.decide_case(p_case_id => $1, p_command_id => $2, p_decision => 'remove', p_reason => 'bypass attempt', p_tool => 'cli') AS r`, params: (c) => [c.fourEyes, cmd()] }, refused: commandRejected },
  { name: 'api.rollback_case as a moderator', attacker: 'mod-1', attempt: { sql: () => `SELECT api.rollback_case(p_case_id => $1, p_command_id => $2, p_reason => 'bypass attempt', p_tool => 'cli') AS r`, params: (c) => [c.actioned, cmd()] }, refused: commandRejected },

  // --- people: adding an admin, self-promotion --------------------------------------------------------
  ...by(['mod-1', 'sup-1'], { name: 'guardian moderators add m9 --role admin', attempt: { cli: () => ['moderators', 'add', 'm9', '--role', 'admin'] }, refused: { exit: 4, audit: { type: 'person.refused', stream: 'global' } } }),
  { name: 'guardian moderators add m9 --role admin with GUARDIAN_USER=admin-1', attacker: 'mod-1', attempt: { cli: () => ['moderators', 'add', 'm9', '--role', 'admin'], env: { GUARDIAN_USER: 'admin-1' } }, refused: { exit: 4 } },
  { name: 'guardian moderators set-role mod-1 --role admin (self-promotion)', attacker: 'mod-1', attempt: { cli: () => ['moderators', 'set-role', 'mod-1', '--role', 'admin'] }, refused: { exit: 4, audit: { type: 'person.refused', stream: 'global' } } },
  { name: 'guardian moderators disable admin-1', attacker: 'mod-1', attempt: { cli: () => ['moderators', 'disable', 'admin-1'] }, refused: { exit: 4, audit: { type: 'person.refused', stream: 'global' } } },
  ...by(['mod-1', 'sup-1'], { name: 'api.add_person m9 as admin', attempt: { sql: () => `SELECT api.add_person(p_id => 'm9', p_role => 'admin', p_password_verifier => $1, p_tool => 'cli') AS r`, params: (c) => [c.verifier] }, refused: personRefused }),
  ...by(['mod-1', 'sup-1'], { name: 'api.set_person_role on myself to admin (self-promotion)', attempt: { sql: () => `SELECT api.set_person_role(p_id => $1, p_role => 'admin', p_tool => 'cli') AS r`, params: (_c, me) => [me.id] }, refused: personRefused }),
  ...by(PERSONS, { name: 'UPDATE moderators SET role = admin on myself', attempt: { sql: () => `UPDATE moderators SET role = 'admin' WHERE id = $1`, params: (_c, me) => [me.id] }, refused: DENIED }),

  // --- direct DML on cases, commands, actions and the audit --------------------------------------------
  ...by([...PERSONS, 'worker'], { name: "UPDATE cases SET status = 'closed'", attempt: { sql: () => `UPDATE cases SET status = 'closed' WHERE id = $1`, params: (c) => [c.review] }, refused: DENIED }),
  ...by([...PERSONS, 'worker'], { name: 'UPDATE cases SET last_decision (a forged human decision)', attempt: { sql: () => `UPDATE cases SET last_decision = jsonb_build_object('actor', 'sup-1', 'decision', 'approve') WHERE id = $1`, params: (c) => [c.review] }, refused: DENIED }),
  ...by([...PERSONS, 'worker'], {
    name: "INSERT INTO commands a supervisor's accepted decision, with the pending interrupt",
    attempt: {
      sql: () => `INSERT INTO commands (id, type, case_id, actor, tool, payload, interrupt_id, status)
                  SELECT $1, 'decide', id, 'sup-1', 'cli', $3::jsonb, interrupt_id, 'accepted' FROM cases WHERE id = $2`,
      params: (c) => [cmd(), c.review, forgedDecision],
    },
    refused: DENIED,
  }),
  ...by(PERSONS, { name: 'UPDATE commands SET actor (re-attribute a decision)', attempt: { sql: () => `UPDATE commands SET actor = 'sup-1' WHERE id = $1`, params: (c) => [c.actionedCommand] }, refused: DENIED }),
  ...by([...PERSONS, 'worker'], { name: 'DELETE FROM actions', attempt: { sql: () => `DELETE FROM actions WHERE case_id = $1`, params: (c) => [c.actioned] }, refused: DENIED }),
  ...by([...PERSONS, 'worker'], { name: 'UPDATE audit_events (edit an event)', attempt: { sql: () => `UPDATE audit_events SET payload = '{}'::jsonb, actor = 'someone-else' WHERE case_id = $1`, params: (c) => [c.actioned] }, refused: DENIED }),
  ...by([...PERSONS, 'worker'], { name: "DELETE FROM audit_events (a case's events)", attempt: { sql: () => `DELETE FROM audit_events WHERE case_id = $1`, params: (c) => [c.actioned] }, refused: DENIED }),
  ...by(PERSONS, { name: 'DELETE FROM audit_heads (hide a deleted tail)', attempt: { sql: () => `DELETE FROM audit_heads` }, refused: DENIED }),
  ...by([...PERSONS, 'worker'], { name: 'TRUNCATE audit_events', attempt: { sql: () => `TRUNCATE audit_events` }, refused: DENIED }),
  ...by(PERSONS, { name: 'TRUNCATE cases, commands, actions CASCADE', attempt: { sql: () => `TRUNCATE cases, commands, actions CASCADE` }, refused: DENIED }),
  ...by([...PERSONS, 'worker'], { name: 'ALTER TABLE audit_events DISABLE TRIGGER ALL', attempt: { sql: () => `ALTER TABLE audit_events DISABLE TRIGGER ALL` }, refused: DENIED }),
  ...by(PERSONS, { name: 'ALTER TABLE commands DISABLE ROW LEVEL SECURITY', attempt: { sql: () => `ALTER TABLE commands DISABLE ROW LEVEL SECURITY` }, refused: DENIED }),

  // --- roles: GRANT to self, CREATE ROLE, ALTER ROLE, SET ROLE -------------------------------------------
  ...by(PERSONS, { name: 'GRANT <prefix>_admin TO my own login', attempt: { sql: (c, me) => `GRANT ${q(c.admin)} TO ${q(me.login)}` }, refused: DENIED }),
  ...by([...PERSONS, 'worker'], { name: 'GRANT <prefix>_owner TO my own login', attempt: { sql: (c, me) => `GRANT ${q(c.owner)} TO ${q(me.login)}` }, refused: DENIED }),
  ...by([...PERSONS, 'worker'], { name: 'CREATE ROLE x', attempt: { sql: (c) => `CREATE ROLE ${q(`${c.prefix}_intruder`)} LOGIN` }, refused: DENIED }),
  ...by([...PERSONS, 'worker'], { name: 'ALTER ROLE <my login> SUPERUSER', attempt: { sql: (_c, me) => `ALTER ROLE ${q(me.login)} SUPERUSER` }, refused: DENIED }),
  ...by(PERSONS, { name: 'ALTER ROLE <my login> CREATEROLE BYPASSRLS', attempt: { sql: (_c, me) => `ALTER ROLE ${q(me.login)} CREATEROLE BYPASSRLS` }, refused: DENIED }),
  ...by([...PERSONS, 'worker'], { name: 'SET ROLE <prefix>_owner', attempt: { sql: (c) => `SET ROLE ${q(c.owner)}` }, refused: DENIED }),
  ...by(PERSONS, { name: 'SET ROLE <prefix>_role_manager', attempt: { sql: (c) => `SET ROLE ${q(c.roleManager)}` }, refused: DENIED }),
  ...by(['mod-1', 'sup-1'], { name: 'SET ROLE <prefix>_admin', attempt: { sql: (c) => `SET ROLE ${q(c.admin)}` }, refused: DENIED }),

  // --- the functions behind the command functions, and shadowing them ------------------------------------
  ...by([...PERSONS, 'worker'], { name: 'SELECT private.append_audit(...) (write my own event)', attempt: { sql: () => `SELECT private.append_audit($1, 'decision.made', 'sup-1', 'cli', '{}'::jsonb)`, params: (c) => [c.review] }, refused: DENIED }),
  ...by(PERSONS, { name: 'SELECT worker.sync_outcome(...) (close a case as the worker)', attempt: { sql: () => `SELECT * FROM worker.sync_outcome(p_case_id => $1, p_status => 'closed')`, params: (c) => [c.review] }, refused: DENIED }),
  ...by(PERSONS, { name: 'SELECT worker.record_action(...) (a platform action of my own)', attempt: { sql: () => `SELECT worker.record_action($1, $2, $3, 1, 'ban_user', 'bypass attempt')`, params: (c) => [cmd(), c.actioned, c.actionedCommand] }, refused: DENIED }),
  ...by(PERSONS, { name: 'CREATE TEMP TABLE (shadow objects through pg_temp)', attempt: { sql: () => `CREATE TEMP TABLE cases (id uuid)` }, refused: DENIED }),
  ...by([...PERSONS, 'worker'], { name: 'CREATE FUNCTION in schema public', attempt: { sql: () => `CREATE FUNCTION public.bypass_probe() RETURNS int LANGUAGE sql AS 'SELECT 1'` }, refused: DENIED }),
  ...by(PERSONS, { name: 'CREATE FUNCTION in schema api', attempt: { sql: () => `CREATE FUNCTION api.bypass_probe() RETURNS int LANGUAGE sql AS 'SELECT 1'` }, refused: DENIED }),

  // --- the worker's own login cannot create a human decision ---------------------------------------------
  { name: 'SELECT api.decide_case(...) (a human decision)', attacker: 'worker', attempt: { sql: () => `SELECT api.decide_case(p_case_id => $1, p_command_id => $2, p_decision => 'remove_and_ban', p_reason => 'the worker decides', p_tool => 'api') AS r`, params: (c) => [c.review, cmd()] }, refused: DENIED },
  { name: 'SELECT api.add_person(...)', attacker: 'worker', attempt: { sql: () => `SELECT api.add_person(p_id => 'm9', p_role => 'admin', p_password_verifier => $1, p_tool => 'api') AS r`, params: (c) => [c.verifier] }, refused: DENIED },
  { name: 'worker.record_action for a command id that does not exist', attacker: 'worker', attempt: { sql: () => `SELECT worker.record_action($1, $2, 'no-such-command', 1, 'ban_user', 'no decision')`, params: (c) => [cmd(), c.review] }, refused: { sqlstate: 'GWFRB' } },
  { name: "worker.record_action ban_user as the agent's own decision (auto:<case>)", attacker: 'worker', attempt: { sql: () => `SELECT worker.record_action($1, $2, $3, 1, 'ban_user', 'the agent bans')`, params: (c) => [cmd(), c.review, `auto:${c.review}`] }, refused: { sqlstate: 'GWFRB' } },
  { name: "worker.record_action naming another case's decision", attacker: 'worker', attempt: { sql: () => `SELECT worker.record_action($1, $2, $3, 1, 'ban_user', 'a decision of another case')`, params: (c) => [cmd(), c.review, c.actionedCommand] }, refused: { sqlstate: 'GWFRB' } },

  // --- RabbitMQ with the workstation's and the platform's own users -------------------------------------
  { name: 'publish a spoofed appeal.submitted to moderation.ingest', attacker: 'workstation', attempt: { amqp: (c) => ({ publish: { exchange: 'moderation.ingest', routingKey: 'appeal.submitted', body: appealMessage(c.actionedContent, 'spoofed by a workstation') } }) }, refused: { amqp: 403 } },
  { name: 'publish content.submitted to moderation.ingest', attacker: 'workstation', attempt: { amqp: () => ({ publish: { exchange: 'moderation.ingest', routingKey: 'content.submitted', body: contentMessage(`ws-${cmd()}`, TEXT.threat) } }) }, refused: { amqp: 403 } },
  { name: 'publish a fake case.updated to guardian.events', attacker: 'workstation', attempt: { amqp: (c) => ({ publish: { exchange: 'guardian.events', routingKey: 'case.updated', body: { type: 'case.updated', caseId: c.review, status: 'closed', version: 999, level: 1 } } }) }, refused: { amqp: 403 } },
  { name: 'publish straight to guardian.decisions through the default exchange', attacker: 'workstation', attempt: { amqp: (c) => ({ publish: { exchange: '', routingKey: 'guardian.decisions', body: { commandId: 'no-such', caseId: c.review } } }) }, refused: { amqp: 403 } },
  { name: 'publish a job hint with a forged userId property', attacker: 'workstation', attempt: { amqp: (c) => ({ publish: { exchange: 'guardian.work', routingKey: 'decisions', body: { commandId: 'no-such', caseId: c.review }, props: { userId: 'guest' } } }) }, refused: { amqp: 406 } },
  ...['guardian.decisions', 'guardian.rollbacks', 'guardian.analysis', 'guardian.ingest', 'guardian.dead'].map(
    (queue): Bypass => ({ name: `consume ${queue}`, attacker: 'workstation', attempt: { amqp: () => ({ consume: queue }) }, refused: { amqp: 403 } }),
  ),
  { name: 'bind a queue of my own to guardian.work (copy every job)', attacker: 'workstation', attempt: { amqp: () => ({ bind: { exchange: 'guardian.work', routingKey: 'decisions' } }) }, refused: { amqp: 403 } },
  { name: 'bind a queue of my own to moderation.ingest (copy all content)', attacker: 'workstation', attempt: { amqp: () => ({ bind: { exchange: 'moderation.ingest', routingKey: '#' } }) }, refused: { amqp: 403 } },
  { name: 'publish a job to guardian.work', attacker: 'platform', attempt: { amqp: (c) => ({ publish: { exchange: 'guardian.work', routingKey: 'decisions', body: { commandId: c.actionedCommand, caseId: c.actioned } } }) }, refused: { amqp: 403 } },
  { name: 'publish a fake case.updated to guardian.events', attacker: 'platform', attempt: { amqp: (c) => ({ publish: { exchange: 'guardian.events', routingKey: 'case.updated', body: { type: 'case.updated', caseId: c.review, status: 'closed', version: 999, level: 1 } } }) }, refused: { amqp: 403 } },
  { name: 'publish to moderation.ingest with a routing key other than content/appeal.submitted', attacker: 'platform', attempt: { amqp: (c) => ({ publish: { exchange: 'moderation.ingest', routingKey: 'case.updated', body: { caseId: c.review } } }) }, refused: { amqp: 403 } },
  { name: 'publish content.submitted with a forged userId property', attacker: 'platform', attempt: { amqp: () => ({ publish: { exchange: 'moderation.ingest', routingKey: 'content.submitted', body: contentMessage(`pf-${cmd()}`, TEXT.clean), props: { userId: 'guest' } } }) }, refused: { amqp: 406 } },
  { name: 'consume guardian.ingest', attacker: 'platform', attempt: { amqp: () => ({ consume: 'guardian.ingest' }) }, refused: { amqp: 403 } },
];

let h: Harness;
let pub: Awaited<ReturnType<typeof plainPublisher>>;
let broker: BrokerPrincipals;
let c: Ctx;
const cores: Core[] = [];

async function reviewCase(tag: string, text = TEXT.threat) {
  const contentId = `${tag}-${h.cmdId()}`;
  await pub.publish('content.submitted', contentMessage(contentId, text));
  return h.waitForCase(contentId, 'awaiting_review');
}

async function decide(caseId: string, as: string, decision: 'remove' | 'approve' | 'remove_and_ban' = 'remove') {
  const commandId = h.cmdId();
  const r = await (await h.as(as)).execute({ type: 'decide', caseId, decision, reason: 'a real decision', tool: 'cli', commandId });
  expect(r.status).toBe('accepted');
  return commandId;
}

function loginOf(a: Attacker): Login {
  if (a === 'worker') return { id: 'worker', login: h.inst.workerLogin, url: h.inst.workerUrl };
  const p = h.people[a];
  if (!p) throw new Error(`no login for ${a}`);
  return p;
}

/** A connected workstation core (no worker role) as mod-1, on the workstation's least-privilege broker user. */
async function workstationCore(extraEnv: Record<string, string> = {}) {
  const core = await createCore({
    config: loadConfig({ ...h.envAs('mod-1'), AMQP_URL: broker.url('workstation'), ...extraEnv }),
    logger: silentLogger,
    worker: false,
  });
  cores.push(core);
  const events: CoreEvent[] = [];
  core.onEvent((e) => events.push(e));
  await core.start();
  return { core, events };
}

beforeAll(async () => {
  // One delivery at a time per work queue: a job published before another is handled (and acked) before
  // it, so a later job's visible effect is the signal that an earlier hint was handled (no sleeps).
  h = await startHarness({ env: { GUARDIAN_PREFETCH: '1' } });
  pub = await plainPublisher(h.vhost.url);
  broker = await createBrokerPrincipals(h.vhost.vhost, h.inst.roles.prefix);

  const review = await reviewCase('review');
  const actioned = await reviewCase('actioned');
  const actionedCommand = await decide(actioned.id, 'mod-2');
  const fourEyes = await reviewCase('four-eyes');
  await decide(fourEyes.id, 'sup-1');
  await h.waitForStatus(actioned.id, 'actioned');
  await h.waitForStatus(fourEyes.id, 'actioned');
  await (await h.as('admin-1')).execute({ type: 'rollback', caseId: fourEyes.id, reason: 'context: a film quote', tool: 'cli', commandId: h.cmdId() });
  await waitFor(async () => (await h.inst.dba(`SELECT 1 FROM cases WHERE id = $1 AND status = 'awaiting_review' AND level = 2 AND 'sup-1' = ANY (excluded_deciders)`, [fourEyes.id])).rowCount, {
    timeoutMs: 30_000,
    message: 'the rolled-back case in a level-2 review that sup-1 may not decide',
  });
  const { rows } = await h.inst.dba<{ content_id: string; author_id: string }>('SELECT content_id, author_id FROM cases WHERE id = $1', [actioned.id]);
  const r = h.inst.roles;
  c = {
    review: review.id,
    actioned: actioned.id,
    actionedCommand,
    actionedContent: { contentId: rows[0]!.content_id, authorId: rows[0]!.author_id },
    fourEyes: fourEyes.id,
    prefix: r.prefix,
    owner: r.owner,
    roleManager: r.roleManager,
    admin: r.admin,
    verifier: scramVerifier(generatePassword()),
  };
  await quiesce(h);
});

afterAll(async () => {
  for (const core of cores) await core.stop().catch(() => {});
  await pub?.close();
  await broker?.drop();
  await h?.close();
});

describe('each bypass of issue 10, with the attacker\'s own credentials, is refused and changes nothing', () => {
  it.each(BYPASSES)('$attacker: $name', async (row) => {
    await quiesce(h, { broker: false });
    const before = await dbState(h);
    const auditMark = await lastAuditId(h);
    const commandsBefore = await commandStatusCounts();
    const stubBefore = h.stub.requests.length;
    const a = row.attempt;
    const r = row.refused;

    if ('sql' in a) {
      const me = loginOf(row.attacker);
      const out = await sqlAs(me.url, a.sql(c, me), a.params?.(c, me));
      if ('sqlstate' in r) {
        expect(out, 'PostgreSQL should refuse the statement').toMatchObject({ ok: false, code: r.sqlstate });
      } else if ('rejected' in r) {
        expect(out.ok, out.ok ? '' : `the function raised ${out.code}: ${out.message}`).toBe(true);
        const result = (out as unknown as { rows: Array<{ r: { outcome: string; error?: { code: string } } }> }).rows[0]!.r;
        expect(result).toMatchObject({ outcome: 'rejected', error: { code: r.rejected } });
      }
    } else if ('cli' in a) {
      const res = await guardian(a.cli(c), cleanEnv({ ...h.envAs(row.attacker), ...a.env }));
      expect({ code: res.code, stderr: res.stderr.trim() }).toMatchObject({ code: (r as { exit: number }).exit, stderr: expect.stringMatching(/forbidden: /) });
    } else {
      const out = await amqpAs(broker.url(row.attacker as 'workstation' | 'platform'), a.amqp(c));
      expect(out, 'RabbitMQ should close the channel').toMatchObject({ ok: false, code: (r as { amqp: number }).amqp });
    }

    // Nothing changed, except the record of a refusal a command function made.
    const audit = 'audit' in r ? r.audit : undefined;
    const after = await dbState(h);
    const recorded = audit ? ['audit_events', 'audit_heads', ...(audit.stream === 'case' ? ['commands'] : [])] : [];
    const without = (s: Record<string, string>) => Object.fromEntries(Object.entries(s).filter(([k]) => !recorded.includes(k)));
    expect(without(after)).toEqual(without(before));
    expect(h.stub.requests.length, 'nothing reached the platform').toBe(stubBefore);

    const events = await auditSince(h, auditMark);
    if (!audit) {
      expect(events).toEqual([]);
      expect(await commandStatusCounts()).toEqual(commandsBefore);
      return;
    }
    const me = loginOf(row.attacker);
    expect(events).toEqual([
      expect.objectContaining({ type: audit.type, actor: me.id, db_login: me.login, payload: expect.objectContaining({ code: 'forbidden' }) }),
    ]);
    expect(events[0]!.stream.startsWith(audit.stream)).toBe(true);
    // A refused case command is recorded once, as rejected; people commands only in the audit.
    const commandsAfter = await commandStatusCounts();
    expect(commandsAfter).toEqual(audit.stream === 'case' ? { ...commandsBefore, rejected: (commandsBefore.rejected ?? 0) + 1 } : commandsBefore);
  });

  it('created no login for m9 and promoted nobody (pg_roles, as the DBA)', async () => {
    const { rows } = await h.inst.dba<{ rolname: string; admin: boolean }>(
      `SELECT r.rolname, pg_has_role(r.oid, $2, 'MEMBER') AS admin FROM pg_roles r WHERE r.rolname LIKE $1 || '.%' ORDER BY r.rolname`,
      [c.prefix, c.admin],
    );
    expect(rows).toEqual(
      ['admin-1', 'mod-1', 'mod-2', 'sup-1', 'sup-2'].map((id) => ({ rolname: `${c.prefix}.${id}`, admin: id === 'admin-1' })),
    );
  });
});

async function commandStatusCounts(): Promise<Record<string, number>> {
  const { rows } = await h.inst.dba<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM commands GROUP BY status');
  return Object.fromEntries(rows.map((x) => [x.status, x.n]));
}

describe('the platform user may publish content, and only that', () => {
  it('a content.submitted from the platform user becomes a case', async () => {
    const contentId = `platform-${h.cmdId()}`;
    const out = await amqpAs(broker.url('platform'), { publish: { exchange: 'moderation.ingest', routingKey: 'content.submitted', body: contentMessage(contentId, TEXT.clean) } });
    expect(out).toEqual({ ok: true });
    await h.waitForCase(contentId, ['auto_resolved', 'awaiting_review']);
  });
});

describe('guardian demo in connected mode', () => {
  it('publishes content and creates no people', async () => {
    const people = async () => (await h.inst.dba(`SELECT id, role, login FROM moderators ORDER BY id`)).rows;
    const before = { state: await dbState(h), people: await people() };
    const casesBefore = (await h.inst.dba<{ n: number }>('SELECT count(*)::int AS n FROM cases')).rows[0]!.n;
    const res = await guardian(['demo'], cleanEnv(h.envAs('mod-1')));
    expect(res.code, res.stderr).toBe(0);
    const published = Number(/published (\d+) demo message/.exec(res.stderr)?.[1]);
    expect(published).toBeGreaterThan(0);
    await waitFor(async () => (await h.inst.dba<{ n: number }>('SELECT count(*)::int AS n FROM cases')).rows[0]!.n >= casesBefore + published, {
      timeoutMs: 30_000,
      message: 'the demo content ingested',
    });
    await quiesce(h);
    const after = await dbState(h);
    expect(await people()).toEqual(before.people);
    expect({ moderators: after.moderators, roles: after.roles, memberships: after.memberships }).toEqual({
      moderators: before.state.moderators,
      roles: before.state.roles,
      memberships: before.state.memberships,
    });
  });
});

describe('a connected workstation on its least-privilege broker user', () => {
  let ws: Awaited<ReturnType<typeof workstationCore>>;
  let consumersBefore: Record<string, number>;

  beforeAll(async () => {
    consumersBefore = await consumers();
    // Given everything the old desktops held: the webhook secret and a Groq key.
    ws = await workstationCore({ PLATFORM_WEBHOOK_SECRET: 'the-platform-secret', GROQ_API_KEY: 'gsk_not_a_real_key' });
  });

  async function consumers() {
    return Object.fromEntries((await h.core.bus.queueDepths()).map((d) => [d.queue, d.consumers]));
  }

  it('starts (the topology is only checked), signs in as mod-1 and reads', async () => {
    const session = await ws.core.openSession();
    expect((await session.whoami()).id).toBe('mod-1');
    expect((await session.getCase(c.review)).id).toBe(c.review);
    await session.close();
  });

  it('holds no platform adapter or classifier and consumes no work queue', async () => {
    expect(ws.core.worker).toBeUndefined();
    expect(await consumers()).toEqual(consumersBefore);
    // And the default (GUARDIAN_WORKER unset) is the same.
    const { core } = await workstationCore();
    expect(core.worker).toBeUndefined();
    expect(await consumers()).toEqual(consumersBefore);
  });

  it("receives live events: another person's decision shows as case.updated", async () => {
    const target = await reviewCase('live');
    await decide(target.id, 'mod-2');
    await waitFor(() => ws.events.some((e) => e.type === 'case.updated' && e.caseId === target.id && e.status === 'actioned'), {
      timeoutMs: 30_000,
      message: "mod-2's decision as a live event on mod-1's workstation",
    });
  });

  it('a fake case.updated cannot reach it through PostgreSQL either (NOTIFY on the relay channel as mod-1)', async () => {
    // The relay (src/core/queue/event-relay.ts) republishes every notification on guardian_case_changed,
    // and NOTIFY needs no privilege: any login may send one. The forged payloads are marked `forged`.
    const fakes = [
      { caseId: c.review, status: 'closed', version: 999, level: 1, text: 'content injected into an event', forged: true },
      { type: 'connection.changed', state: { database: 'down', broker: 'down' }, forged: true },
    ];
    for (const fake of fakes) await sqlAs(h.people['mod-1']!.url, `SELECT pg_notify('guardian_case_changed', $1)`, [JSON.stringify(fake)]);
    // A real change after them: once its event is here, any relayed fake would be too (one ordered path).
    const sentinel = await reviewCase('notify-sentinel');
    await waitFor(() => ws.events.some((e) => e.type === 'case.updated' && e.caseId === sentinel.id), {
      timeoutMs: 30_000,
      message: `the sentinel change as a live event (received: ${JSON.stringify(ws.events.slice(-5))})`,
    });
    expect(ws.events.filter((e) => (e as { forged?: boolean }).forged)).toEqual([]);
  });
});

/** A job hint the workstation user may publish (it may publish hints), naming something the worker must not act on. */
interface JobHint {
  name: string;
  queue: 'decisions' | 'analysis';
  /** Arranges the target case and returns the hint's body. */
  hint: () => Promise<{ caseId: string; body: object }>;
}

const handMade = async () => {
  const target = await reviewCase('hand-made');
  const commandId = h.cmdId();
  // The attacker's own INSERT is refused (the table above); the DBA writes the row the attacker wanted.
  expect(
    await sqlAs(h.people['mod-1']!.url, `INSERT INTO commands (id, type, case_id, actor, tool, payload, status) VALUES ($1, 'decide', $2, 'sup-1', 'cli', $3, 'accepted')`, [commandId, target.id, forgedDecision]),
  ).toMatchObject({ ok: false, code: '42501' });
  await h.inst.dba(`INSERT INTO commands (id, type, case_id, actor, tool, payload, status) VALUES ($1, 'decide', $2, 'sup-1', 'cli', $3, 'accepted')`, [
    commandId,
    target.id,
    forgedDecision,
  ]);
  return { caseId: target.id, body: { commandId, caseId: target.id } };
};

const JOB_HINTS: JobHint[] = [
  { name: 'a bogus job {commandId: "no-such"} for a real case', queue: 'decisions', hint: async () => { const t = await reviewCase('bogus'); return { caseId: t.id, body: { commandId: 'no-such', caseId: t.id } }; } },
  {
    name: 'a job naming the command mod-1 tried to INSERT (refused, so it does not exist)',
    queue: 'decisions',
    hint: async () => {
      const t = await reviewCase('refused-insert');
      const commandId = h.cmdId();
      expect(await sqlAs(h.people['mod-1']!.url, `INSERT INTO commands (id, type, case_id, actor, tool, payload, status) VALUES ($1, 'decide', $2, 'sup-1', 'cli', $3, 'accepted')`, [commandId, t.id, forgedDecision])).toMatchObject({ ok: false, code: '42501' });
      return { caseId: t.id, body: { commandId, caseId: t.id } };
    },
  },
  {
    name: "a job naming mod-1's own decision the database rejected",
    queue: 'decisions',
    hint: async () => {
      const commandId = h.cmdId();
      const out = await sqlAs(h.people['mod-1']!.url, `SELECT api.decide_case(p_case_id => $1, p_command_id => $2, p_decision => 'remove_and_ban', p_reason => 'at level 2', p_tool => 'cli') AS r`, [c.fourEyes, commandId]);
      expect(out).toMatchObject({ ok: true, rows: [{ r: { outcome: 'rejected' } }] });
      return { caseId: c.fourEyes, body: { commandId, caseId: c.fourEyes } };
    },
  },
  { name: "a job naming another case's applied decision", queue: 'decisions', hint: async () => { const t = await reviewCase('foreign'); return { caseId: t.id, body: { commandId: c.actionedCommand, caseId: t.id } }; } },
  { name: 'a job replaying an applied decision on its own case', queue: 'decisions', hint: async () => ({ caseId: c.actioned, body: { commandId: c.actionedCommand, caseId: c.actioned } }) },
  { name: 'an analysis job for a case awaiting review', queue: 'analysis', hint: async () => { const t = await reviewCase('reanalyse'); return { caseId: t.id, body: { caseId: t.id } }; } },
  { name: "a hand-made command (a supervisor's, the row inserted by the DBA) + its job", queue: 'decisions', hint: handMade },
];

describe('a job is a hint: published with the workstation broker user, the worker acts on none of these', () => {
  /** One case's row, commands (but the one the hint names), actions and audit, as the DBA. */
  async function caseState(caseId: string, hinted?: string) {
    const { rows } = await h.inst.dba(
      `SELECT (SELECT row_to_json(x)::text FROM cases x WHERE x.id = $1) AS row,
              (SELECT string_agg(x::text, '|' ORDER BY x.id) FROM commands x WHERE x.case_id = $1 AND x.id IS DISTINCT FROM $2) AS commands,
              (SELECT string_agg(x::text, '|' ORDER BY x.id) FROM actions x WHERE x.case_id = $1) AS actions,
              (SELECT string_agg(x::text, '|' ORDER BY x.id) FROM audit_events x WHERE x.case_id = $1) AS audit`,
      [caseId, hinted ?? null],
    );
    return rows[0];
  }
  const deadLetters = async () => (await h.core.bus.queueDepths()).find((d) => d.queue === 'guardian.dead')!.messages;

  it.each(JOB_HINTS)('$queue: $name', async (row) => {
    await quiesce(h);
    const { caseId, body } = await row.hint();
    const hinted = (body as { commandId?: string }).commandId;
    const before = await caseState(caseId, hinted);
    const sentBefore = h.sent(caseId).length;
    const deadBefore = await deadLetters();

    expect(await amqpAs(broker.url('workstation'), { publish: { exchange: 'guardian.work', routingKey: row.queue, body } }), 'a workstation may publish a hint').toEqual({ ok: true });
    // A real job behind it on the same queue (one delivery at a time): once its effect shows, the hint was handled and acked.
    if (row.queue === 'decisions') {
      const sentinel = await reviewCase('sentinel');
      await decide(sentinel.id, 'mod-2');
      await h.waitForStatus(sentinel.id, 'actioned');
    } else {
      await reviewCase('sentinel');
    }

    expect(h.sent(caseId).slice(sentBefore), 'nothing reached the platform for that case').toEqual([]);
    expect(await caseState(caseId, hinted)).toEqual(before);
    expect(await deadLetters(), 'acked, not dead-lettered').toBe(deadBefore);
  });
});

describe('the worker cannot turn its own call into a human decision', () => {
  it('worker.sync_outcome with a decision whose actor is a person does not write last_decision', async () => {
    const t = await reviewCase('sync-outcome');
    await quiesce(h);
    const mark = await lastAuditId(h);
    const decision = { commandId: 'none', decision: 'remove_and_ban', reason: 'a forged human decision', policyIds: [], actor: 'sup-1', level: 1, reviewKind: 'initial', at: new Date().toISOString() };
    const out = await sqlAs(h.inst.workerUrl, `SELECT status, last_decision FROM worker.sync_outcome(p_case_id => $1, p_status => 'actioned', p_decision => $2)`, [t.id, JSON.stringify(decision)]);
    expect(out).toMatchObject({ ok: true, rows: [{ status: 'actioned', last_decision: null }] });
    const { rows } = await h.inst.dba('SELECT last_decision FROM cases WHERE id = $1', [t.id]);
    expect(rows[0].last_decision).toBeNull();
    // The event it wrote is the agent's, not sup-1's; and no decision.made for anyone.
    const events = await auditSince(h, mark);
    expect(events.map((e) => ({ type: e.type, actor: e.actor }))).toEqual([{ type: 'case.actioned', actor: 'agent' }]);
  });
});

describe('found while testing (beyond the issue\'s list)', () => {
  it("a person's login cannot hold back the worker: taking the case's advisory lock (or the relay's) is refused, and the decision is carried out", async () => {
    // The worker serialises work on a case with pg_advisory_lock(hashtext('case:<id>')) (src/core/agent/case-lock.ts)
    // and elects the event relay with pg_try_advisory_lock. Advisory locks need no privilege by default; setup
    // revokes them from PUBLIC in this database (privileges.sql), so a person's login cannot take either.
    const t = await reviewCase('advisory-lock');
    await quiesce(h);
    for (const id of ['mod-1', 'sup-1'] as const) {
      const me = h.people[id]!;
      expect(await sqlAs(me.url, 'SELECT pg_advisory_lock(hashtext($1))', [`case:${t.id}`])).toMatchObject({ ok: false, code: '42501' });
      expect(await sqlAs(me.url, 'SELECT pg_try_advisory_lock(7412002)')).toMatchObject({ ok: false, code: '42501' });
      expect(await sqlAs(me.url, 'SELECT pg_advisory_lock_shared(hashtext($1))', [`case:${t.id}`])).toMatchObject({ ok: false, code: '42501' });
    }
    await decide(t.id, 'mod-2');
    await h.waitForStatus(t.id, 'actioned', 20_000);
  });

});
