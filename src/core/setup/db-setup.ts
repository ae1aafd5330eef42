// `guardian setup`, database part (DESIGN §10): run once, and again after every upgrade, by a DBA login
// (a superuser, or a role with CREATEROLE that owns the database). It creates the installation's roles,
// migrates as the NOLOGIN owner, applies the command functions (by checksum) and the privileges, and
// creates the first admin and a worker login with one-time passwords. Clients never migrate: they check
// the schema (schema-check.ts) and say what to run.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../ports.js';
import { resourcePath } from '../resources.js';
import { mapRoleNames, roleNames, type PersonRole, type RoleNames } from './roles.js';
import { generatePassword, scramVerifier } from './scram.js';

export interface DbSetupOptions {
  /** A DBA connection (superuser, or CREATEROLE + owner of the database). */
  url: string;
  prefix?: string;
  mode: 'connected' | 'standalone';
  logger: Logger;
  /** Create this person as the first admin (once; an existing one is left as it is). */
  admin?: { id: string; displayName?: string };
  /** Create this worker login (once; an existing one is left as it is). */
  workerLogin?: string;
  /** Standalone: the one local person, mapped to the DBA login itself (the embedded database's superuser). */
  localPerson?: string;
  /** Report progress (stderr in the CLI). */
  progress?: (step: string) => void;
}

export interface DbSetupReport {
  roles: RoleNames;
  migrations: string[];
  functions: { applied: string[]; unchanged: number };
  admin?: { id: string; login: string; oneTimePassword?: string; existed: boolean };
  worker?: { login: string; oneTimePassword?: string; existed: boolean };
}

// Our tables and LangGraph's: an upgraded installation may have them owned by the old application user.
const OWNED_TABLES = [
  'moderators', 'cases', 'commands', 'actions', 'audit_events', 'platform_sim_actions', 'guardian_migrations',
  'checkpoints', 'checkpoint_blobs', 'checkpoint_writes', 'checkpoint_migrations',
];
const MIGRATIONS_TABLE = 'guardian_migrations';
// Function folders in the order they are applied, with the role that owns what they create.
const FUNCTION_DIRS: Array<{ dir: string; owner: 'owner' | 'roleManager' }> = [
  { dir: 'private', owner: 'owner' },
  { dir: 'api', owner: 'owner' },
  { dir: 'worker', owner: 'owner' },
  { dir: 'people', owner: 'roleManager' },
];
// Any two setups (or a standalone start and a setup) take turns; advisory locks are per database.
const SETUP_LOCK = 7_412_001;

const q = (id: string) => `"${id.replace(/"/g, '""')}"`;
const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The function files, with their SQL mapped to this installation's role names and a checksum each. */
export function functionFiles(names: RoleNames): Array<{ file: string; owner: 'owner' | 'roleManager'; sql: string; checksum: string }> {
  const root = resourcePath('db', 'functions');
  return FUNCTION_DIRS.flatMap(({ dir, owner }) =>
    fs
      .readdirSync(path.join(root, dir))
      .filter((f) => f.endsWith('.sql'))
      .sort()
      .map((f) => {
        const sql = mapRoleNames(fs.readFileSync(path.join(root, dir, f), 'utf8'), names);
        return { file: `${dir}/${f}`, owner, sql, checksum: createHash('sha256').update(sql).digest('hex') };
      }),
  );
}

export function migrationNames(): string[] {
  return fs
    .readdirSync(resourcePath('db', 'migrations'))
    .filter((f) => f.endsWith('.sql'))
    .map((f) => f.replace(/\.sql$/, ''))
    .sort();
}

async function ensureRoles(c: pg.Client, r: RoleNames) {
  const create = async (name: string, attrs: string) => {
    const { rowCount } = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
    if (!rowCount) {
      // A concurrent setup on another database of the cluster may create it first.
      await c.query(`CREATE ROLE ${q(name)} ${attrs}`).catch((err: { code?: string }) => {
        if (err.code !== '42710' && err.code !== '23505') throw err;
      });
    }
    await c.query(`ALTER ROLE ${q(name)} ${attrs}`);
  };
  await create(r.owner, 'NOLOGIN NOCREATEROLE NOCREATEDB NOSUPERUSER');
  await create(r.roleManager, 'NOLOGIN CREATEROLE NOCREATEDB NOSUPERUSER');
  for (const g of [r.moderator, r.supervisor, r.admin, r.worker]) await create(g, 'NOLOGIN NOCREATEROLE NOCREATEDB NOSUPERUSER INHERIT');
  // moderator ⊂ supervisor ⊂ admin: a supervisor has every moderator privilege, an admin every supervisor's.
  await c.query(`GRANT ${q(r.moderator)} TO ${q(r.supervisor)}`);
  await c.query(`GRANT ${q(r.supervisor)} TO ${q(r.admin)}`);
  // The role manager grants exactly these, and ends a disabled person's sessions. It must not hold the
  // groups' privileges itself: PostgreSQL 15 lets CREATEROLE grant them without membership (a membership
  // left by an earlier setup is revoked); 16+ needs ADMIN OPTION, given without INHERIT or SET.
  const groups = `${q(r.moderator)}, ${q(r.supervisor)}, ${q(r.admin)}`;
  const { rows: ver } = await c.query<{ v: number }>(`SELECT current_setting('server_version_num')::int AS v`);
  if ((ver[0]?.v ?? 0) >= 160000) await c.query(`GRANT ${groups} TO ${q(r.roleManager)} WITH ADMIN OPTION, INHERIT FALSE, SET FALSE`);
  else await c.query(`REVOKE ${groups} FROM ${q(r.roleManager)}`);
  await c.query(`GRANT pg_signal_backend TO ${q(r.roleManager)}`);
  // The change watermark (api.change_watermark) sees every session's transaction start.
  await c.query(`GRANT pg_read_all_stats TO ${q(r.owner)}`);
  // The DBA acts as the owner and the role manager while it migrates (SET ROLE).
  await c.query(`GRANT ${q(r.owner)}, ${q(r.roleManager)} TO ${q((await c.query('SELECT session_user AS u')).rows[0].u)}`);
}

async function migrateAsOwner(c: pg.Client, r: RoleNames, logger: Logger): Promise<string[]> {
  // Loaded when a setup runs (not at every standalone start, where nothing changed: issue 16).
  const { runner } = await import('node-pg-migrate');
  await c.query(`SET ROLE ${q(r.owner)}`);
  try {
    const ran = await runner({
      dbClient: c,
      dir: resourcePath('db', 'migrations'),
      direction: 'up',
      migrationsTable: MIGRATIONS_TABLE,
      checkOrder: true,
      log: (msg: string) => logger.debug({ part: 'migrate' }, msg),
      // setup already holds its own lock (SETUP_LOCK)
      noLock: true,
    });
    return ran.map((m) => m.name);
  } finally {
    await c.query('RESET ROLE');
  }
}

async function applyFunctions(c: pg.Client, r: RoleNames): Promise<{ applied: string[]; unchanged: number }> {
  const files = functionFiles(r);
  const { rows } = await c.query<{ file: string; checksum: string }>('SELECT file, checksum FROM private.applied_functions');
  const known = new Map(rows.map((x) => [x.file, x.checksum]));
  const applied: string[] = [];
  for (const f of files) {
    if (known.get(f.file) === f.checksum) continue;
    await c.query('BEGIN');
    try {
      await c.query(`SET LOCAL ROLE ${q(f.owner === 'owner' ? r.owner : r.roleManager)}`);
      // Bodies refer to functions of other files: check them when they run, as pg_dump does.
      await c.query('SET LOCAL check_function_bodies = off');
      await c.query(f.sql);
      await c.query('RESET ROLE');
      await c.query(
        `INSERT INTO private.applied_functions (file, checksum) VALUES ($1, $2)
         ON CONFLICT (file) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now()`,
        [f.file, f.checksum],
      );
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK');
      throw new Error(`resources/db/functions/${f.file}: ${(err as Error).message}`, { cause: err });
    }
    applied.push(f.file);
  }
  return { applied, unchanged: files.length - applied.length };
}

/** Creates a login with a one-time password (printed once by the caller), or leaves an existing one. */
async function ensureWorkerLogin(c: pg.Client, r: RoleNames, login: string): Promise<DbSetupReport['worker']> {
  const { rowCount } = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [login]);
  if (rowCount) {
    await c.query(`GRANT ${q(r.worker)} TO ${q(login)}`);
    return { login, existed: true };
  }
  const password = generatePassword();
  await c.query(`CREATE ROLE ${q(login)} LOGIN PASSWORD ${lit(scramVerifier(password))} IN ROLE ${q(r.worker)}`);
  return { login, oneTimePassword: password, existed: false };
}

/** Everything a setup applies, as one checksum: an installation that has it needs nothing re-applied. */
export function setupChecksum(r: RoleNames, mode: string): string {
  const h = createHash('sha256').update(`${r.prefix}\n${mode}\n`);
  for (const m of migrationNames()) h.update(m).update(fs.readFileSync(resourcePath('db', 'migrations', `${m}.sql`)));
  for (const f of functionFiles(r)) h.update(f.file).update(f.checksum);
  for (const f of ['privileges.sql', 'policies.sql']) h.update(fs.readFileSync(resourcePath('db', f)));
  return h.digest('hex');
}

export async function setupDatabase(o: DbSetupOptions): Promise<DbSetupReport> {
  const r = roleNames(o.prefix);
  const step = o.progress ?? (() => {});
  const c = new pg.Client({ connectionString: o.url, application_name: 'guardian-setup' });
  await c.connect();
  try {
    await c.query('SELECT pg_advisory_lock($1)', [SETUP_LOCK]);
    const db = (await c.query<{ db: string }>('SELECT current_database() AS db')).rows[0]!.db;
    const existing = await c
      .query<{ role_prefix: string; mode: string; setup_checksum: string | null }>('SELECT role_prefix, mode, setup_checksum FROM private.installation')
      .then((x) => x.rows[0])
      .catch(() => undefined);
    if (existing && existing.role_prefix !== r.prefix)
      throw new Error(`This database was set up with the role prefix "${existing.role_prefix}", not "${r.prefix}": run setup with --role-prefix ${existing.role_prefix}.`);
    const checksum = setupChecksum(r, o.mode);
    const report: DbSetupReport = { roles: r, migrations: [], functions: { applied: [], unchanged: functionFiles(r).length } };
    // A shared installation is always set up whole (setup repairs what a DBA changed by hand); the embedded
    // database, set up at every start, only when something changed.
    if (o.mode === 'connected' || existing?.setup_checksum !== checksum) await applyAll(c, r, o, db, report);
    // Written only when it changed: an unchanged embedded database opens without a write (issue 16).
    if (existing?.setup_checksum !== checksum) await c.query('UPDATE private.installation SET setup_checksum = $1', [checksum]);

    if (o.workerLogin) {
      step('worker login');
      report.worker = await ensureWorkerLogin(c, r, o.workerLogin);
    }
    if (o.admin) {
      step('first admin');
      report.admin = await ensurePerson(c, r, o.admin.id, 'admin', o.admin.displayName);
    }
    if (o.localPerson) await c.query('SELECT private.ensure_local_person($1)', [o.localPerson]);
    return report;
  } finally {
    await c.query('SELECT pg_advisory_unlock_all()').catch(() => {});
    await c.end().catch(() => {});
  }
}


/** The whole setup: roles, ownership, migrations, LangGraph's tables, privileges, functions, policies. */
async function applyAll(c: pg.Client, r: RoleNames, o: DbSetupOptions, db: string, report: DbSetupReport): Promise<void> {
  const step = o.progress ?? (() => {});
    step('roles');
    await ensureRoles(c, r);
    await c.query(`GRANT CREATE, CONNECT ON DATABASE ${q(db)} TO ${q(r.owner)}`);
    await c.query(`GRANT CREATE, USAGE ON SCHEMA public TO ${q(r.owner)}`);
    // An installation from before the trust model: its tables belong to the old application login.
    const { rows: foreign } = await c.query<{ t: string }>(
      `SELECT c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S') AND c.relname = ANY($1)
          AND pg_get_userbyid(c.relowner) <> $2`,
      [[...OWNED_TABLES, ...OWNED_TABLES.map((t) => `${t}_id_seq`)], r.owner],
    );
    for (const { t } of foreign) await c.query(`ALTER TABLE public.${q(t)} OWNER TO ${q(r.owner)}`);
    const { rows: oldFns } = await c.query<{ f: string }>(
      `SELECT p.oid::regprocedure::text AS f FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND p.proname = 'audit_events_append_only' AND pg_get_userbyid(p.proowner) <> $1`,
      [r.owner],
    );
    for (const { f } of oldFns) await c.query(`ALTER FUNCTION ${f} OWNER TO ${q(r.owner)}`);

    step('migrations');
    report.migrations = await migrateAsOwner(c, r, o.logger);
    await c.query(
      `INSERT INTO private.installation (role_prefix, mode) VALUES ($1, $2) ON CONFLICT (singleton) DO UPDATE SET mode = EXCLUDED.mode`,
      [r.prefix, o.mode],
    );

    step('checkpoint tables');
    // LangGraph's own tables, created by its own setup() as the owner (FACTS: the official saver), on this
    // one connection (the embedded database serves one connection at a time).
    const { PostgresSaver } = await import('@langchain/langgraph-checkpoint-postgres');
    await c.query(`SET ROLE ${q(r.owner)}`);
    try {
      const onThisClient = { connect: async () => ({ query: (text: string, values?: unknown[]) => c.query(text, values), release: () => {} }) };
      await new PostgresSaver(onThisClient as unknown as pg.Pool).setup();
    } finally {
      await c.query('RESET ROLE');
    }

    step('privileges');
    const sqlFile = (name: string) => mapRoleNames(fs.readFileSync(resourcePath('db', name), 'utf8'), r);
    await c.query(sqlFile('privileges.sql'));
    step('functions');
    report.functions = await applyFunctions(c, r);
    await c.query(sqlFile('policies.sql'));

}

async function ensurePerson(c: pg.Client, r: RoleNames, id: string, role: PersonRole, displayName?: string): Promise<NonNullable<DbSetupReport['admin']>> {
  const login = r.personLogin(id);
  const { rowCount } = await c.query('SELECT 1 FROM moderators WHERE id = $1 AND active', [id]);
  if (rowCount) return { id, login, existed: true };
  const password = generatePassword();
  await c.query('SELECT private.bootstrap_person($1, $2, $3, $4)', [id, role, displayName ?? null, scramVerifier(password)]);
  return { id, login, oneTimePassword: password, existed: false };
}
