/**
 * Support for the bypass table (test/trust/bypasses.test.ts): attempts with an attacker's own credentials
 * (one PostgreSQL statement on a login's own connection, one RabbitMQ operation as a broker user), the
 * DBA's view of everything an attempt could have changed, and the broker's least-privilege users.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import amqplib, { type ConfirmChannel, type Options } from 'amqplib';
import pg from 'pg';
import { brokerDefinitions, brokerUsers, type BrokerPrincipal } from '../../src/core/setup/broker-setup.js';
import type { Harness } from '../support/harness.js';
import { waitFor } from '../support/isolation.js';

const execFileAsync = promisify(execFile);

export async function rabbitmqctl(args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(process.env.TEST_RABBITMQCTL || 'rabbitmqctl', args, { timeout: 60_000 });
  return stdout;
}

// ---------------------------------------------------------------------------------------------------------
// PostgreSQL

/** What PostgreSQL answered one statement: its rows, or its refusal (SQLSTATE and message). */
export type SqlOutcome = { ok: true; rows: Array<Record<string, unknown>> } | { ok: false; code: string; message: string };

/** Runs one statement on a connection of its own as the login of `url` (the attacker's own credentials). */
export async function sqlAs(url: string, sql: string, params: unknown[] = []): Promise<SqlOutcome> {
  const c = new pg.Client({ connectionString: url, application_name: 'guardian-bypass-test' });
  c.on('error', () => {});
  await c.connect();
  try {
    const r = await c.query(sql, params);
    return { ok: true, rows: r.rows };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return { ok: false, code: e.code ?? 'none', message: e.message ?? String(err) };
  } finally {
    await c.end().catch(() => {});
  }
}

/**
 * Everything an attacker could want to change, each as one digest, read as the DBA: every table's rows,
 * the installation's roles (with their attributes and passwords), role memberships, ownership, grants,
 * row-level security, triggers and functions of the application schemas. Two equal states = nothing changed.
 */
export async function dbState(h: Harness): Promise<Record<string, string>> {
  const tables = [
    'cases', 'commands', 'actions', 'audit_events', 'audit_heads', 'moderators', 'platform_sim_actions', 'guardian_migrations',
    'checkpoints', 'checkpoint_blobs', 'checkpoint_writes', 'private.installation', 'private.applied_functions',
  ];
  const parts = tables.map((t) => `SELECT '${t}' AS k, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS v FROM ${t} x`);
  const schemas = `n.nspname IN ('public', 'private', 'api', 'worker')`;
  parts.push(
    // Roles of this installation, plus anything an attacker may have tried to create (names in the test use the prefix).
    `SELECT 'roles', md5(coalesce(string_agg(concat_ws(',', rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin,
            rolreplication, rolbypassrls, rolpassword, rolvaliduntil), '|' ORDER BY rolname), '')) FROM pg_authid WHERE rolname LIKE $1 || '%'`,
    `SELECT 'memberships', md5(coalesce(string_agg(concat_ws(',', r.rolname, m.rolname, a.admin_option), '|' ORDER BY r.rolname, m.rolname), ''))
       FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
      WHERE r.rolname LIKE $1 || '%' OR m.rolname LIKE $1 || '%'`,
    `SELECT 'relations', md5(coalesce(string_agg(concat_ws(',', n.nspname, c.relname, c.relkind, c.relowner::regrole, c.relacl::text,
            c.relrowsecurity, c.relforcerowsecurity), '|' ORDER BY n.nspname, c.relname), ''))
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${schemas} OR c.relpersistence = 't'`,
    `SELECT 'triggers', md5(coalesce(string_agg(concat_ws(',', tgrelid::regclass, tgname, tgenabled), '|' ORDER BY tgrelid::regclass::text, tgname), ''))
       FROM pg_trigger WHERE NOT tgisinternal`,
    `SELECT 'policies', md5(coalesce(string_agg(concat_ws(',', polrelid::regclass, polname, polcmd, polroles::text, pg_get_expr(polqual, polrelid)), '|'
            ORDER BY polrelid::regclass::text, polname), '')) FROM pg_policy`,
    `SELECT 'functions', md5(coalesce(string_agg(concat_ws(',', n.nspname, p.oid::regprocedure, p.proowner::regrole, p.proacl::text,
            p.prosecdef, p.proconfig::text, md5(p.prosrc)), '|' ORDER BY p.oid::regprocedure::text), ''))
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${schemas}`,
    `SELECT 'schemas', md5(coalesce(string_agg(concat_ws(',', nspname, nspowner::regrole, nspacl::text), '|' ORDER BY nspname), ''))
       FROM pg_namespace n WHERE ${schemas}`,
    `SELECT 'database', md5(concat_ws(',', datdba::regrole, datacl::text)) FROM pg_database WHERE datname = current_database()`,
  );
  const { rows } = await h.inst.dba<{ k: string; v: string }>(parts.join('\nUNION ALL\n'), [h.inst.roles.prefix]);
  return Object.fromEntries(rows.map((r) => [r.k, r.v]));
}

export interface AuditRow {
  stream: string;
  type: string;
  actor: string;
  tool: string;
  db_login: string;
  payload: Record<string, unknown>;
}

export async function lastAuditId(h: Harness): Promise<number> {
  const { rows } = await h.inst.dba<{ id: string | null }>('SELECT max(id) AS id FROM audit_events');
  return Number(rows[0]?.id ?? 0);
}

/** The audit events appended after `afterId`, in order. */
export async function auditSince(h: Harness, afterId: number): Promise<AuditRow[]> {
  const { rows } = await h.inst.dba<AuditRow>(
    'SELECT stream, type, actor, tool, db_login, payload FROM audit_events WHERE id > $1 ORDER BY id',
    [afterId],
  );
  return rows;
}

export async function caseRow(h: Harness, caseId: string) {
  const { rows } = await h.inst.dba('SELECT id, status, version, level, last_decision, failure_reason, last_command_id FROM cases WHERE id = $1', [caseId]);
  return rows[0] as { id: string; status: string; version: number; level: number; last_decision: unknown; failure_reason: string | null } | undefined;
}

// ---------------------------------------------------------------------------------------------------------
// RabbitMQ

export interface QueueTotals {
  /** ready + unacknowledged: 0 means every message was taken and acked (ack-after-commit). */
  messages: number;
  unacked: number;
  consumers: number;
}

/** The broker's own count per queue (rabbitmqctl), which, unlike a passive declare, includes unacked deliveries. */
export async function queueTotals(vhost: string): Promise<Record<string, QueueTotals>> {
  const out = await rabbitmqctl(['-q', 'list_queues', '-p', vhost, '--no-table-headers', 'name', 'messages', 'messages_unacknowledged', 'consumers']);
  const totals: Record<string, QueueTotals> = {};
  for (const line of out.split('\n')) {
    const [name, messages, unacked, consumers] = line.trim().split(/\s+/);
    if (name) totals[name] = { messages: Number(messages), unacked: Number(unacked), consumers: Number(consumers) };
  }
  return totals;
}

/**
 * Waits until the installation is at rest: no case being analysed or executed, and every work queue
 * empty including unacked deliveries (so a message published before this has been handled and acked).
 */
export async function quiesce(h: Harness, o: { broker?: boolean; timeoutMs?: number } = {}): Promise<void> {
  await waitFor(
    async () => {
      const { rows } = await h.inst.dba<{ n: number }>(`SELECT count(*)::int AS n FROM cases WHERE status IN ('analyzing', 'executing')`);
      if (rows[0]!.n > 0) return false;
      if (o.broker === false) return (await h.core.bus.queueDepths()).every((q) => q.queue === 'guardian.dead' || q.messages === 0);
      const q = await queueTotals(h.vhost.vhost);
      return Object.entries(q).every(([name, t]) => name === 'guardian.dead' || !name.startsWith('guardian.') || t.messages === 0);
    },
    { timeoutMs: o.timeoutMs ?? 60_000, intervalMs: 100, message: 'the installation at rest (no work in flight)' },
  );
}

/** Least-privilege broker users for the harness vhost (broker-setup's definitions, imported with rabbitmqctl). */
export async function createBrokerPrincipals(vhost: string, prefix: string) {
  const users = brokerUsers(`${prefix}-${Date.now().toString(36)}`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'guardian-broker-'));
  const file = path.join(dir, 'definitions.json');
  try {
    // rabbitmqctl reads the file as the broker's own OS user (its wrapper su's to rabbitmq): readable, not
    // secret (salted hashes of throw-away test users), and removed right after the import.
    await chmod(dir, 0o755);
    await writeFile(file, JSON.stringify(brokerDefinitions(vhost, users)), { mode: 0o644 });
    await rabbitmqctl(['-q', 'import_definitions', file]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const base = new URL(process.env.TEST_AMQP_BASE_URL || 'amqp://guest:guest@127.0.0.1:5672');
  const byPrincipal = Object.fromEntries(users.map((u) => [u.principal, u])) as Record<BrokerPrincipal, (typeof users)[number]>;
  return {
    users: byPrincipal,
    url(principal: BrokerPrincipal): string {
      const u = new URL(base.toString());
      u.username = encodeURIComponent(byPrincipal[principal].name);
      u.password = encodeURIComponent(byPrincipal[principal].password);
      u.pathname = `/${encodeURIComponent(vhost)}`;
      return u.toString();
    },
    async drop() {
      for (const u of users) await rabbitmqctl(['-q', 'delete_user', u.name]).catch(() => {});
    },
  };
}

export type BrokerPrincipals = Awaited<ReturnType<typeof createBrokerPrincipals>>;

/** One operation a broker user may try. */
export type AmqpAttempt =
  | { publish: { exchange: string; routingKey: string; body: unknown; props?: Options.Publish } }
  | { consume: string }
  /** Binds a queue of its own (server-named, exclusive) to an exchange: reading what flows through it. */
  | { bind: { exchange: string; routingKey: string } };

/** What the broker answered: done (a publish confirmed, a consumer or binding in place), or the channel closed with a code. */
export type AmqpOutcome = { ok: true } | { ok: false; code: number; message: string };

export async function amqpAs(url: string, attempt: AmqpAttempt): Promise<AmqpOutcome> {
  const conn = await amqplib.connect(url);
  conn.on('error', () => {});
  try {
    const ch: ConfirmChannel = await conn.createConfirmChannel();
    const refused = new Promise<AmqpOutcome>((resolve) =>
      ch.once('error', (e: { code?: number; message?: string }) => resolve({ ok: false, code: e.code ?? 0, message: e.message ?? String(e) })),
    );
    const op = async (): Promise<AmqpOutcome> => {
      if ('publish' in attempt) {
        const { exchange, routingKey, body, props } = attempt.publish;
        await new Promise<void>((resolve, reject) =>
          ch.publish(exchange, routingKey, Buffer.from(JSON.stringify(body)), { contentType: 'application/json', persistent: true, ...props }, (err) =>
            err ? reject(err) : resolve(),
          ),
        );
      } else if ('consume' in attempt) {
        await ch.consume(attempt.consume, () => {}, { noAck: false });
      } else {
        const q = await ch.assertQueue('', { exclusive: true, autoDelete: true });
        await ch.bindQueue(q.queue, attempt.bind.exchange, attempt.bind.routingKey);
      }
      return { ok: true };
    };
    // A refusal closes the channel (and rejects the operation): the close's code is the answer.
    return await Promise.race([refused, op().catch(() => refused)]);
  } finally {
    await conn.close().catch(() => {});
  }
}
