/**
 * A test installation of the trust model (DESIGN §10): its own database on the shared server, set up by
 * `setupDatabase` as the DBA (the shared server's superuser) with a role prefix of its own, because roles
 * are cluster-wide. People and the worker then connect with their own logins. The shared server uses
 * trust authentication, so passwords are not checked there (test/support/scram-cluster.ts for that):
 * what is tested here is the identity and the privileges of each login.
 *
 *   const inst = await createTestInstallation();
 *   const alice = await inst.person('alice', 'moderator');   // { id, login, url, password }
 *   const pool = inst.pool(alice.url);                         // closed by inst.drop()
 *   afterAll(() => inst.drop());                              // drops the database, then the roles
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { silentLogger } from '../../src/core/log.js';
import { setupDatabase, type DbSetupReport } from '../../src/core/setup/db-setup.js';
import { roleNames, type PersonRole, type RoleNames } from '../../src/core/setup/roles.js';
import { generatePassword, scramVerifier } from '../../src/core/setup/scram.js';
import { createTestDatabase, pgAdminUrl, type TestDatabase } from './isolation.js';

export interface TestPerson {
  id: string;
  role: PersonRole;
  login: string;
  password: string;
  /** DATABASE_URL for this person. */
  url: string;
}

export interface TestInstallation {
  db: TestDatabase;
  roles: RoleNames;
  setup: DbSetupReport;
  /** The DBA (superuser) URL of the installation's database: for arranging and inspecting, never as an actor. */
  dbaUrl: string;
  /** The worker login's DATABASE_URL. */
  workerUrl: string;
  workerLogin: string;
  /** DATABASE_URL for any login (the password is ignored by the trust-auth shared server). */
  urlFor(login: string, password?: string): string;
  /** Creates a person (as the DBA, through the same function setup uses for the first admin). */
  person(id: string, role: PersonRole, displayName?: string): Promise<TestPerson>;
  /** A pool closed by drop(). */
  pool(url: string, max?: number): pg.Pool;
  /** Runs one query as the DBA. */
  dba<R extends pg.QueryResultRow = any>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  drop(): Promise<void>;
}

/** A role prefix unique to this run: `gt<time><random>` (lower-case, short: logins are <prefix>.<id>). */
export function uniquePrefix(): string {
  return `gt${Date.now().toString(36).slice(-5)}${randomBytes(3).toString('hex')}`;
}

/**
 * `adminUrl`: the superuser URL of another server (a private cluster a fault test stops and starts);
 * default the shared server's (TEST_PG_ADMIN_URL or 127.0.0.1:5432).
 */
export async function createTestInstallation(o: { mode?: 'connected' | 'standalone'; adminUrl?: string } = {}): Promise<TestInstallation> {
  const adminUrl = o.adminUrl ?? pgAdminUrl();
  const db = await createTestDatabase('gw', adminUrl);
  const prefix = uniquePrefix();
  const roles = roleNames(prefix);
  const workerLogin = `${prefix}_worker1`;
  const pools: pg.Pool[] = [];
  const urlFor = (login: string, password?: string) => {
    const u = new URL(db.url);
    u.username = encodeURIComponent(login);
    u.password = password ? encodeURIComponent(password) : '';
    return u.toString();
  };
  let setup: DbSetupReport;
  try {
    setup = await setupDatabase({ url: db.url, prefix, mode: o.mode ?? 'connected', logger: silentLogger, workerLogin });
  } catch (err) {
    await db.drop().catch(() => {});
    await dropRoles(prefix, adminUrl).catch(() => {});
    throw err;
  }
  const dbaPool = new pg.Pool({ connectionString: db.url, max: 2 });
  // The drop terminates this database's sessions; an idle one's FATAL must not be an unhandled error.
  dbaPool.on('error', () => {});
  pools.push(dbaPool);
  return {
    db,
    roles,
    setup,
    dbaUrl: db.url,
    workerUrl: urlFor(workerLogin, setup.worker?.oneTimePassword),
    workerLogin,
    urlFor,
    async person(id, role, displayName) {
      const password = generatePassword();
      await dbaPool.query('SELECT private.bootstrap_person($1, $2, $3, $4)', [id, role, displayName ?? null, scramVerifier(password)]);
      const login = roles.personLogin(id);
      return { id, role, login, password, url: urlFor(login, password) };
    },
    pool(url, max = 2) {
      const p = new pg.Pool({ connectionString: url, max });
      p.on('error', () => {});
      pools.push(p);
      return p;
    },
    dba: (sql, params) => dbaPool.query(sql, params as unknown[]),
    async drop() {
      await Promise.all(pools.map((p) => p.end().catch(() => {})));
      await db.drop().catch(() => {});
      await dropRoles(prefix, adminUrl);
    },
  };
}

/** Drops every role of a test prefix (after its database is gone, nothing depends on them). */
export async function dropRoles(prefix: string, adminUrl = pgAdminUrl()): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    const { rows } = await c.query<{ rolname: string }>(
      `SELECT rolname FROM pg_roles WHERE rolname LIKE $1 || '%' ORDER BY rolname LIKE '%\\_owner' , rolname`,
      [prefix],
    );
    for (const { rolname } of rows) {
      await c.query(`DROP ROLE IF EXISTS "${rolname.replace(/"/g, '""')}"`).catch(() => {});
    }
  } finally {
    await c.end().catch(() => {});
  }
}
