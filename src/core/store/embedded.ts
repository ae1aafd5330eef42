import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import lockfile from 'proper-lockfile';
import { GuardianError } from '../errors.js';
import type { Logger } from '../ports.js';
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
export async function startEmbeddedPostgres(dataDir: string, logger: Logger, o: { lockWaitMs?: number } = {}): Promise<EmbeddedPostgres> {
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
  privatize(dir);
  const started = Date.now();
  const db = await PGlite.create({ dataDir: dir });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  await server.start();
  const conn = server.getServerConn();
  logger.info({ dataDir, ms: Date.now() - started }, 'embedded database ready');
  return {
    connectionString: `postgres://postgres@${conn}/postgres?sslmode=disable`,
    async stop() {
      await server.stop().catch(() => {});
      await db.close().catch(() => {});
      privatize(dir);
      await release().catch(() => {});
    },
  };
}
