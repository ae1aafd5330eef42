/**
 * Authentication is real (issue, must show 3): a private PostgreSQL cluster with scram-sha-256 (the shared
 * test server trusts every password, test/support/scram-cluster.ts), set up once by its superuser as a DBA
 * would (`setupDatabase`: roles, schema, functions, the first admin and a worker login with one-time
 * passwords). Then, against that server's real password checks:
 *   the admin's one-time password connects (in DATABASE_URL, and through PGPASSWORD) and api.whoami names her;
 *   a wrong, missing or unknown-login password is refused by the server and opens no session; the CLI says so;
 *   the admin adds a moderator with the CLI through her own login; the printed one-time password logs in as
 *     the moderator, and the database holds it only as its SCRAM verifier (not in any row, not in the audit);
 *   disabling the moderator ends her open session at once and refuses her next connection (and the CLI);
 *   logins that are not persons (the worker, a stray member of the moderator group) cannot act as one.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { declareBrokerTopology } from '../../src/core/setup/broker-setup.js';
import { setupDatabase, type DbSetupReport } from '../../src/core/setup/db-setup.js';
import { roleNames } from '../../src/core/setup/roles.js';
import { generatePassword, scramVerifier } from '../../src/core/setup/scram.js';
import { cleanEnv, guardian, type CliResult } from '../support/cli.js';
import { uniquePrefix } from '../support/installation.js';
import { createTestVhost, type TestVhost } from '../support/isolation.js';
import { scramClusterAvailable, startScramCluster, type ScramCluster } from '../support/scram-cluster.js';

const DB = 'guardian_auth';
const prefix = uniquePrefix();
const roles = roleNames(prefix);
const workerLogin = `${prefix}_worker1`;
const VERIFIER = /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/;

const avail = scramClusterAvailable();

describe.skipIf(!avail.ok)(`authentication against a private scram-sha-256 cluster${avail.ok ? '' : ` — skipped: ${avail.reason}`}`, () => {
  let cluster: ScramCluster;
  let vhost: TestVhost | undefined;
  let dba: pg.Pool;
  let setup: DbSetupReport;
  let ada: { login: string; password: string };
  let worker: { login: string; password: string };
  let mia: { id: string; login: string; password: string } | undefined;
  const open: pg.Client[] = [];

  /** DATABASE_URL for a login on the installation's database; no password leaves it out. */
  const url = (login: string, password?: string) => cluster.urlFor(login, password, DB);
  /** The superuser, for arranging and inspecting only (pg_authid, pg_stat_activity, every row). */
  const su = <R extends pg.QueryResultRow>(sql: string, params?: unknown[]) => dba.query<R>(sql, params as unknown[]);

  /** Sets (or, with undefined, removes) environment variables around fn, then restores them. */
  async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
    const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
    const apply = (v: Record<string, string | undefined>) => {
      for (const [k, x] of Object.entries(v)) {
        if (x === undefined) delete process.env[k];
        else process.env[k] = x;
      }
    };
    apply(vars);
    try {
      return await fn();
    } finally {
      apply(saved);
    }
  }

  /** Connects as pg does (PGPASSWORD and .pgpass only as given here); a refused connection leaves nothing open. */
  async function connect(connectionString: string, o: { pgpassword?: string; app?: string } = {}): Promise<pg.Client> {
    return withEnv({ PGPASSWORD: o.pgpassword, PGPASSFILE: '/nonexistent/pgpass' }, async () => {
      const client = new pg.Client({ connectionString, connectionTimeoutMillis: 10_000, application_name: o.app ?? 'auth-test' });
      try {
        await client.connect();
      } catch (err) {
        await client.end().catch(() => undefined);
        throw err;
      }
      open.push(client);
      return client;
    });
  }

  /** Connects, runs fn, closes. */
  async function as<T>(connectionString: string, fn: (c: pg.Client) => Promise<T>, o: { pgpassword?: string } = {}): Promise<T> {
    const c = await connect(connectionString, o);
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  }

  const whoami = (c: pg.Client) => c.query<{ me: Record<string, unknown>; u: string }>('SELECT api.whoami() AS me, session_user::text AS u').then((r) => r.rows[0]!);

  /** The connection error, for asserting on (a connection that opens fails the test). */
  async function refusal(connectionString: string, o: { pgpassword?: string; app?: string } = {}): Promise<Error & { code?: string }> {
    const c = await connect(connectionString, o).then(
      (client) => client,
      (err: Error & { code?: string }) => err,
    );
    if (c instanceof pg.Client) {
      await c.end();
      throw new Error(`${connectionString} was expected to be refused, and it connected`);
    }
    return c;
  }

  /** Backends of this installation's database whose application_name is app (none for a refused attempt). */
  const sessionsNamed = async (app: string) =>
    (await su<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = $2', [DB, app])).rows[0]!.n;

  /** The server's own log (pg_ctl -l, next to the data directory: test/support/scram-cluster.ts). */
  const serverLog = async () => {
    const dataDir = (await su<{ d: string }>(`SELECT current_setting('data_directory') AS d`)).rows[0]!.d;
    return readFile(join(dirname(dataDir), 'server.log'), 'utf8');
  };

  /** `guardian ARGS` with DATABASE_URL=dbUrl (and PGPASSWORD if given), nothing else from this shell. */
  const cli = (args: string[], dbUrl: string, pgpassword?: string): Promise<CliResult> => {
    const env = cleanEnv({ DATABASE_URL: dbUrl, AMQP_URL: vhost!.url, GUARDIAN_ROLE_PREFIX: prefix, PGPASSFILE: '/nonexistent/pgpass' });
    for (const k of Object.keys(env)) if (/^PG(PASSWORD|USER|HOST|PORT|DATABASE)$/.test(k)) delete env[k];
    if (pgpassword !== undefined) env.PGPASSWORD = pgpassword;
    return guardian(args, env);
  };

  beforeAll(async () => {
    const t0 = Date.now();
    cluster = await startScramCluster();
    const c = new pg.Client({ connectionString: cluster.adminUrl });
    await c.connect();
    await c.query(`CREATE DATABASE ${DB}`);
    await c.end();
    const dbaUrl = cluster.urlFor('postgres', cluster.adminPassword, DB);
    dba = new pg.Pool({ connectionString: dbaUrl, max: 2 });
    dba.on('error', () => {});
    [setup, vhost] = await Promise.all([
      setupDatabase({ url: dbaUrl, prefix, mode: 'connected', logger: silentLogger, admin: { id: 'ada', displayName: 'Ada Admin' }, workerLogin }),
      createTestVhost().then(async (v) => (await declareBrokerTopology(v.url), v)),
    ]);
    ada = { login: setup.admin!.login, password: setup.admin!.oneTimePassword! };
    worker = { login: setup.worker!.login, password: setup.worker!.oneTimePassword! };
    console.log(`scram cluster on port ${cluster.port} + setup + vhost in ${Date.now() - t0} ms`);
  }, 120_000);

  afterAll(async () => {
    for (const c of open) await c.end().catch(() => {});
    await dba?.end().catch(() => {});
    await vhost?.drop().catch(() => {});
    // The cluster is this file's alone: stopping it removes its roles and data with it.
    await cluster?.stop();
  });

  it('the server checks passwords: every pg_hba rule is scram-sha-256, and every stored password is a SCRAM verifier', async () => {
    const { rows: hba } = await su<{ auth_method: string }>('SELECT DISTINCT auth_method FROM pg_hba_file_rules');
    expect(hba.map((r) => r.auth_method)).toEqual(['scram-sha-256']);
    expect((await su<{ v: string }>(`SELECT current_setting('password_encryption') AS v`)).rows[0]!.v).toBe('scram-sha-256');
    expect(ada.login).toBe(`${prefix}.ada`);
    expect(ada.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(worker.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
  });

  it("the first admin's one-time password connects, in DATABASE_URL and through PGPASSWORD, and api.whoami names her", async () => {
    const inUrl = await as(url(ada.login, ada.password), whoami);
    expect(inUrl.u).toBe(ada.login);
    expect(inUrl.me).toEqual({ id: 'ada', displayName: 'Ada Admin', role: 'admin', login: ada.login, mode: 'connected' });

    const viaEnv = await as(url(ada.login), whoami, { pgpassword: ada.password });
    expect(viaEnv.me).toMatchObject({ id: 'ada', role: 'admin', login: ada.login });

    // The CLI as an operator runs it: the login in DATABASE_URL, the password in the URL or in PGPASSWORD.
    const [a, b] = await Promise.all([cli(['whoami', '--json'], url(ada.login, ada.password)), cli(['whoami', '--json'], url(ada.login), ada.password)]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(JSON.parse(a.stdout)).toMatchObject({ id: 'ada', role: 'admin', login: ada.login });
    expect(JSON.parse(b.stdout)).toMatchObject({ id: 'ada', role: 'admin', login: ada.login });
  });

  it('a wrong, missing or unknown-login password is refused by the server, and no session is opened', async () => {
    const wrong = await refusal(url(ada.login, `${ada.password}x`), { app: 'auth-wrong' });
    expect(wrong.code).toBe('28P01');
    expect(wrong.message).toBe(`password authentication failed for user "${ada.login}"`);

    // An unknown login is answered exactly like a wrong password (SCRAM's mock authentication).
    const unknown = await refusal(url(`${prefix}.nobody`, generatePassword()), { app: 'auth-unknown' });
    expect(unknown.code).toBe('28P01');
    expect(unknown.message).toBe(`password authentication failed for user "${prefix}.nobody"`);

    // No password at all (none in the URL, no PGPASSWORD, no .pgpass): the server asks for SCRAM and the
    // client has nothing to answer with — pg gives up before any password check, so there is no SQLSTATE.
    const missing = await refusal(url(ada.login), { app: 'auth-missing' });
    expect(missing.code).toBeUndefined();
    expect(missing.message).toBe('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string');

    // Nothing was opened: no backend of any of the refused attempts, only the server's refusal in its log.
    for (const app of ['auth-wrong', 'auth-unknown', 'auth-missing']) expect(await sessionsNamed(app)).toBe(0);
    const log = await serverLog();
    expect(log).toContain(`FATAL:  password authentication failed for user "${ada.login}"`);
    expect(log).toContain(`FATAL:  password authentication failed for user "${prefix}.nobody"`);
  });

  it('the CLI with a wrong or missing password exits 4 and says the login or password is wrong', async () => {
    const [wrong, missing] = await Promise.all([
      cli(['whoami', '--json'], url(ada.login, `${ada.password}x`)),
      cli(['whoami', '--json'], url(ada.login)),
    ]);
    expect(wrong.stdout).toBe('');
    expect({ code: wrong.code, stderr: wrong.stderr.trim() }).toMatchObject({
      code: 4,
      stderr: expect.stringMatching(/^forbidden: .*(wrong login or password|password authentication failed)/i),
    });
    expect(missing.stdout).toBe('');
    expect({ code: missing.code, stderr: missing.stderr.trim() }).toMatchObject({
      code: 4,
      stderr: expect.stringMatching(/^forbidden: .*(wrong login or password|password)/i),
    });
  });

  it("the admin adds a moderator with the CLI through her own login; the printed one-time password logs in as the moderator, and only its SCRAM verifier is stored", async () => {
    const add = await cli(['moderators', 'add', 'mia', '--role', 'moderator', '--name', 'Mia Moderator', '--json'], url(ada.login, ada.password));
    expect(add.code, add.stderr).toBe(0);
    const out = JSON.parse(add.stdout) as { id: string; role: string; login: string; oneTimePassword: string };
    expect(out).toEqual({ id: 'mia', role: 'moderator', login: roles.personLogin('mia'), oneTimePassword: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/) });
    mia = { id: out.id, login: out.login, password: out.oneTimePassword };

    const me = await as(url(mia.login, mia.password), whoami);
    expect(me.u).toBe(mia.login);
    expect(me.me).toEqual({ id: 'mia', displayName: 'Mia Moderator', role: 'moderator', login: mia.login, mode: 'connected' });
    expect((await refusal(url(mia.login, ada.password))).code).toBe('28P01');

    // pg_authid holds a SCRAM verifier of exactly that password (recomputed from its salt), never the password.
    const { rows: authid } = await su<{ rolname: string; rolpassword: string | null; rolcanlogin: boolean }>(
      'SELECT rolname, rolpassword, rolcanlogin FROM pg_authid WHERE rolname = ANY($1) ORDER BY rolname',
      [[ada.login, mia.login, worker.login]],
    );
    expect(authid.map((r) => r.rolname).sort()).toEqual([ada.login, mia.login, worker.login].sort());
    const secrets = new Map([
      [ada.login, ada.password],
      [mia.login, mia.password],
      [worker.login, worker.password],
    ]);
    for (const r of authid) {
      expect(r.rolcanlogin).toBe(true);
      expect(r.rolpassword).toMatch(VERIFIER);
      const [, iterations, salt] = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(r.rolpassword!)!;
      const pw = secrets.get(r.rolname)!;
      expect(scramVerifier(pw, { iterations: Number(iterations), salt: Buffer.from(salt!, 'base64') })).toBe(r.rolpassword);
      expect(r.rolpassword).not.toContain(pw);
    }
    // Every role of the cluster with a password has a SCRAM one (no md5, no plaintext).
    const { rows: others } = await su<{ rolname: string }>(`SELECT rolname FROM pg_authid WHERE rolpassword IS NOT NULL AND rolpassword NOT LIKE 'SCRAM-SHA-256$%'`);
    expect(others).toEqual([]);

    // The plaintexts are in no row of any table of the database (the audit included).
    const { rows: tables } = await su<{ t: string }>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')`,
    );
    expect(tables.map((t) => t.t)).toContain('public.audit_events');
    for (const { t } of tables) {
      for (const pw of secrets.values()) {
        const { rows } = await su<{ n: number }>(`SELECT count(*)::int AS n FROM ${t} x WHERE strpos(x::text, $1) > 0`, [pw]);
        expect(rows[0]!.n, `${t} holds a one-time password`).toBe(0);
      }
    }
    const { rows: audit } = await su<{ type: string; actor: string; tool: string; payload: Record<string, unknown> }>(
      `SELECT type, actor, tool, payload FROM audit_events WHERE type IN ('person.added', 'person.reset') ORDER BY id`,
    );
    expect(audit).toEqual([
      { type: 'person.added', actor: 'setup:postgres', tool: 'cli', payload: { id: 'ada', role: 'admin', displayName: 'Ada Admin', login: ada.login } },
      { type: 'person.added', actor: 'ada', tool: 'cli', payload: { id: 'mia', role: 'moderator', displayName: 'Mia Moderator', login: mia.login } },
    ]);
    // …nor in the server's log (the client sends only the verifier; SCRAM never sends the password).
    const log = await serverLog();
    for (const pw of secrets.values()) expect(log).not.toContain(pw);
  });

  it("disabling the moderator ends her open session at once, and her next connection is refused (the CLI as her exits 4)", async () => {
    expect(mia, 'the moderator of the previous test').toBeDefined();
    const m = mia!;
    const session = await connect(url(m.login, m.password), { app: 'auth-mia-open' });
    const ended = new Promise<{ error?: Error & { code?: string } }>((resolve) => {
      let error: (Error & { code?: string }) | undefined;
      session.on('error', (e: Error & { code?: string }) => (error ??= e));
      session.on('end', () => resolve({ error }));
    });
    expect((await whoami(session)).me).toMatchObject({ id: 'mia', role: 'moderator' });
    expect(await sessionsNamed('auth-mia-open')).toBe(1);

    const off = await cli(['moderators', 'disable', 'mia', '--json'], url(ada.login, ada.password));
    expect(off.code, off.stderr).toBe(0);
    expect(JSON.parse(off.stdout)).toMatchObject({ id: 'mia', login: m.login, active: false });

    // disable_person ends her sessions (pg_terminate_backend): the server closes the open one itself.
    const { error } = await ended;
    expect(error?.code).toBe('57P01');
    expect(error?.message).toBe('terminating connection due to administrator command');
    await expect(session.query('SELECT 1')).rejects.toThrow(/Connection terminated|not queryable/i);
    expect(await sessionsNamed('auth-mia-open')).toBe(0);

    // Her login is NOLOGIN now: the right password is still checked, then the login is refused.
    const { rows } = await su<{ rolcanlogin: boolean; active: boolean }>(
      'SELECT r.rolcanlogin, m.active FROM pg_roles r JOIN moderators m ON m.login = r.rolname WHERE r.rolname = $1',
      [m.login],
    );
    expect(rows).toEqual([{ rolcanlogin: false, active: false }]);
    const next = await refusal(url(m.login, m.password), { app: 'auth-mia-next' });
    expect(next.code).toBe('28000');
    expect(next.message).toBe(`role "${m.login}" is not permitted to log in`);
    expect(await sessionsNamed('auth-mia-next')).toBe(0);

    const cliAsMia = await cli(['whoami', '--json'], url(m.login, m.password));
    expect(cliAsMia.stdout).toBe('');
    expect({ code: cliAsMia.code, stderr: cliAsMia.stderr.trim() }).toMatchObject({ code: 4, stderr: expect.stringMatching(/^forbidden: /) });

    const { rows: audit } = await su<{ actor: string; tool: string; payload: unknown }>(`SELECT actor, tool, payload FROM audit_events WHERE type = 'person.disabled'`);
    expect(audit).toEqual([{ actor: 'ada', tool: 'cli', payload: { id: 'mia', login: m.login } }]);
  });

  it('a login that is not a person cannot act as one: the worker login, and a stray member of the moderator group', async () => {
    // The worker's own one-time password works: it connects, as itself…
    const w = await connect(url(worker.login, worker.password), { app: 'auth-worker' });
    expect((await w.query<{ u: string }>('SELECT session_user::text AS u')).rows[0]!.u).toBe(worker.login);
    // …but it may call none of the persons' functions (in schema api it may only read the change watermark).
    await expect(w.query('SELECT api.whoami()')).rejects.toMatchObject({ code: '42501', message: 'permission denied for function whoami' });
    await expect(w.query(`SELECT api.add_person('eve', 'admin', NULL, $1)`, [scramVerifier(generatePassword())])).rejects.toMatchObject({ code: '42501' });
    await w.end();
    const asWorker = await cli(['whoami', '--json'], url(worker.login, worker.password));
    expect(asWorker.stdout).toBe('');
    expect({ code: asWorker.code, stderr: asWorker.stderr.trim() }).toMatchObject({ code: 4, stderr: expect.stringMatching(/^forbidden: /) });

    // A login in the moderator group that no person has (made by a DBA by hand): the functions refuse it.
    const strayLogin = `${prefix}_stray`;
    const strayPassword = generatePassword();
    await su(`CREATE ROLE "${strayLogin}" LOGIN PASSWORD '${scramVerifier(strayPassword)}' IN ROLE "${roles.moderator}"`);
    const s = await connect(url(strayLogin, strayPassword));
    await expect(whoami(s)).rejects.toMatchObject({ code: 'GWFRB', message: `The login "${strayLogin}" is not an active person of this installation.` });
    const { rows } = await s.query<{ r: { outcome: string; error: { code: string } } }>(
      `SELECT api.add_person('eve', 'admin', NULL, $1) AS r`,
      [scramVerifier(generatePassword())],
    );
    expect(rows[0]!.r).toMatchObject({ outcome: 'rejected', error: { code: 'forbidden' } });
    await s.end();
    expect((await su('SELECT 1 FROM pg_roles WHERE rolname = $1', [roles.personLogin('eve')])).rowCount).toBe(0);
  });
});
