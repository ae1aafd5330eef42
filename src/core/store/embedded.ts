import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import lockfile from 'proper-lockfile';
import { GuardianError } from '../errors.js';
import type { Logger } from '../ports.js';
import { resourcesDir } from '../resources.js';
import { setupChecksum, setupDatabase } from '../setup/db-setup.js';
import { roleNames } from '../setup/roles.js';
import { ensurePrivateDir } from './private-dir.js';

export interface EmbeddedPostgres {
  connectionString: string;
  stop(): Promise<void>;
}

/**
 * PGlite creates its files 0666 whatever the umask (its file system sets the mode it was asked for):
 * tightened to 0600 (directories 0700) at open and at close. Files it creates in between sit inside the
 * 0700 pgdata directory, which no other local user can enter.
 */
function privatize(dir: string): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    try {
      if (e.isDirectory()) {
        fs.chmodSync(p, 0o700);
        privatize(p);
      } else if (e.isFile()) fs.chmodSync(p, 0o600);
    } catch {
      // gone meanwhile (a temporary file): nothing to protect
    }
  }
}

/**
 * Standalone mode's database: PGlite persisted in the data dir, served over a local socket so the very
 * same `pg` code (and LangGraph's PostgresSaver) runs against it. PGlite has one backend session, so the
 * pool must be `max: 1` (FACTS), and it has no lock of its own on the dir: two processes opening it lose
 * rows silently (FACTS), hence the lock file.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  logger: Logger,
  o: { lockWaitMs?: number; templateDir?: string } = {},
): Promise<EmbeddedPostgres> {
  const dir = path.join(dataDir, 'pgdata');
  // Moderated content and people's decisions: private to this OS user (issue 12: 0755 / 0666 before).
  ensurePrivateDir(dataDir);
  ensurePrivateDir(dir);
  const lockfilePath = path.join(dataDir, 'pgdata.lock');
  const lockOnce = () =>
    lockfile.lock(dir, {
      lockfilePath,
      stale: 15_000,
      update: 5_000,
      realpath: false,
      onCompromised: (err) => logger.error({ err: err.message }, 'data dir lock compromised'),
    });
  // Two commands started together (or a command while another finishes): the later one waits for the
  // lock, bounded, instead of failing at once (issue 12). A process that keeps the dir (the app, a
  // worker) still fails the other after the bound, with the message below.
  const deadline = Date.now() + (o.lockWaitMs ?? 20_000);
  let release: () => Promise<void>;
  for (let said = false; ; ) {
    try {
      release = await lockOnce();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
      if (Date.now() >= deadline)
        throw new GuardianError(
          'unavailable',
          `The data dir ${dataDir} is in use by another Guardian process (the workstation, a worker or a CLI command). ` +
            'Close it first, or set GUARDIAN_DATA_DIR to another folder.',
        );
      if (!said) logger.info({ dataDir }, 'the data dir is in use by another Guardian process: waiting for it');
      said = true;
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 200));
    }
  }
  fs.chmodSync(lockfilePath, 0o700);
  const started = Date.now();
  let from: 'existing' | 'template' | 'initdb' = 'existing';
  try {
    if (fs.readdirSync(dir).length === 0) from = copyTemplate(dir, o.templateDir ?? standaloneTemplateDir(), logger) ? 'template' : 'initdb';
    privatize(dir);
    const served = await serve(dir);
    logger.info({ dataDir, ms: Date.now() - started, from }, 'embedded database ready');
    return {
      connectionString: served.connectionString,
      async stop() {
        await served.stop();
        privatize(dir);
        await release().catch(() => {});
      },
    };
  } catch (err) {
    await release().catch(() => {});
    throw err;
  }
}

/**
 * PGlite's settings at every open. The defaults size shared memory for 100 connections and 128 MB of shared
 * buffers, all of it inside the WASM heap (which never shrinks): PGlite serves one session (FACTS), and the
 * standalone data set (a desk's cases) fits a smaller cache. Measured: RSS with PGlite open 367 → 244 MB
 * (bench/standalone.ts reports the whole app's).
 */
const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB', '-c', 'max_connections=10', '-c', 'min_wal_size=32MB', '-c', 'max_wal_size=256MB'];

/** PGlite on dir (initdb when the dir is empty), served over a local socket for `pg` (one connection). */
async function serve(dir: string): Promise<{ connectionString: string; db: PGlite; stop(): Promise<void> }> {
  const db = await PGlite.create({ dataDir: dir, startParams: START_PARAMS });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  try {
    await server.start();
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
  return {
    connectionString: `postgres://postgres@${server.getServerConn()}/postgres?sslmode=disable`,
    db,
    async stop() {
      await server.stop().catch(() => {});
      await db.close().catch(() => {});
    },
  };
}

// --- the pre-initialised data dir (issue 16) ---------------------------------------------------------------
//
// A first start used to run PGlite's initdb (~2 s, ~800 MB RSS peak: a second WASM instance) and then the whole
// setup. The build ships a data dir made by exactly that, once (scripts/build-standalone-template.ts): initdb,
// then setupDatabase in standalone mode (roles, migrations, LangGraph's tables, privileges, functions) — and no
// person, no login, no secret: the local person is created at first start. A first start copies it (a plain
// file copy, ~0.1 s) and opens it like an existing dir. Its stamp names what it was built from; a template of
// another PGlite, saver or setup is not used (initdb instead, logged), so a stale one is slow, never wrong.

export const TEMPLATE_FORMAT = 1;

export interface TemplateStamp {
  format: number;
  /** @electric-sql/pglite's version: its data dir format. */
  pglite: string;
  /** @langchain/langgraph-checkpoint-postgres's version: its tables (setupChecksum does not cover them). */
  saver: string;
  /** setupDatabase's checksum of migrations, function files, privileges and policies (standalone mode). */
  setup: string;
}

function packageVersion(name: string): string {
  const require = createRequire(import.meta.url);
  for (let dir = path.dirname(require.resolve(name)); ; dir = path.dirname(dir)) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      const p = JSON.parse(fs.readFileSync(pj, 'utf8')) as { name?: string; version?: string };
      if (p.name === name && p.version) return p.version;
    }
    if (path.dirname(dir) === dir) throw new Error(`cannot find the version of ${name}`);
  }
}

/** What a template built now from this code would be stamped with. */
export function currentTemplateStamp(): TemplateStamp {
  return {
    format: TEMPLATE_FORMAT,
    pglite: packageVersion('@electric-sql/pglite'),
    saver: packageVersion('@langchain/langgraph-checkpoint-postgres'),
    setup: setupChecksum(roleNames(undefined), 'standalone'),
  };
}

/**
 * The shipped template: GUARDIAN_STANDALONE_TEMPLATE, else `standalone-template/` beside the resources (the
 * packaged app: electron-builder's extraResources), else the build output `out/standalone-template/` (from
 * source).
 */
export function standaloneTemplateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GUARDIAN_STANDALONE_TEMPLATE) return path.resolve(env.GUARDIAN_STANDALONE_TEMPLATE);
  const res = resourcesDir(env);
  const packaged = path.join(res, 'standalone-template');
  return fs.existsSync(packaged) ? packaged : path.join(res, '..', 'out', 'standalone-template');
}

/** Why the template in dir cannot be used now (missing, or built from something else), or undefined. */
export function templateProblem(dir: string): string | undefined {
  let stamp: TemplateStamp;
  try {
    stamp = JSON.parse(fs.readFileSync(path.join(dir, 'stamp.json'), 'utf8')) as TemplateStamp;
  } catch {
    return `no template at ${dir} (scripts/build-standalone-template.ts builds it)`;
  }
  if (!fs.existsSync(path.join(dir, 'pgdata', 'PG_VERSION'))) return `the template at ${dir} has no data dir`;
  const now = currentTemplateStamp();
  const stale = (Object.keys(now) as Array<keyof TemplateStamp>).filter((k) => stamp[k] !== now[k]);
  return stale.length ? `the template at ${dir} is stale (${stale.map((k) => `${k}: built from ${String(stamp[k])}, now ${now[k]}`).join('; ')})` : undefined;
}

/** Copies the template's data dir into the empty dir; false (logged) when there is none fit to use. */
function copyTemplate(dir: string, templateDir: string, logger: Logger): boolean {
  const problem = templateProblem(templateDir);
  if (problem) {
    logger.info({ problem }, 'first start without a usable data-dir template: running initdb');
    return false;
  }
  // Into a sibling first: a start cut short mid-copy leaves no half data dir behind (the next start copies again).
  const tmp = `${dir}.template-${process.pid}`;
  // A copy cut short by an earlier crash (another pid) is removed too: the data dir's lock is held here.
  const parent = path.dirname(dir);
  const prefix = `${path.basename(dir)}.template-`;
  for (const f of fs.readdirSync(parent)) if (f.startsWith(prefix)) fs.rmSync(path.join(parent, f), { recursive: true, force: true });
  fs.cpSync(path.join(templateDir, 'pgdata'), tmp, { recursive: true });
  fs.rmdirSync(dir);
  fs.renameSync(tmp, dir);
  fs.chmodSync(dir, 0o700);
  return true;
}

/**
 * Builds the template into outDir (replaced): initdb and the standalone setup on a new data dir, without a
 * person, stamped. Used by scripts/build-standalone-template.ts and its test.
 */
export async function buildStandaloneTemplate(outDir: string, logger: Logger): Promise<TemplateStamp> {
  const tmp = `${outDir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(path.join(tmp, 'pgdata'), { recursive: true, mode: 0o700 });
  const served = await serve(path.join(tmp, 'pgdata'));
  try {
    await setupDatabase({ url: served.connectionString, mode: 'standalone', logger });
    await served.db.exec('CHECKPOINT');
  } finally {
    await served.stop();
  }
  const stamp = currentTemplateStamp();
  fs.writeFileSync(path.join(tmp, 'stamp.json'), `${JSON.stringify(stamp, null, 2)}\n`);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(outDir), { recursive: true });
  fs.renameSync(tmp, outDir);
  return stamp;
}
