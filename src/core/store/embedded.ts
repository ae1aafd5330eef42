import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import lockfile from 'proper-lockfile';
import { GuardianError } from '../errors.js';
import type { Logger } from '../ports.js';

export interface EmbeddedPostgres {
  connectionString: string;
  stop(): Promise<void>;
}

/**
 * Standalone mode's database: PGlite persisted in the data dir, served over a local socket so the very
 * same `pg` code (and LangGraph's PostgresSaver) runs against it. PGlite has one backend session, so the
 * pool must be `max: 1` (FACTS), and it has no lock of its own on the dir: two processes opening it lose
 * rows silently (FACTS), hence the lock file.
 */
export async function startEmbeddedPostgres(dataDir: string, logger: Logger): Promise<EmbeddedPostgres> {
  const dir = path.join(dataDir, 'pgdata');
  fs.mkdirSync(dir, { recursive: true });
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dir, {
      lockfilePath: path.join(dataDir, 'pgdata.lock'),
      stale: 15_000,
      update: 5_000,
      realpath: false,
      onCompromised: (err) => logger.error({ err: err.message }, 'data dir lock compromised'),
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED')
      throw new GuardianError(
        'unavailable',
        `The data dir ${dataDir} is in use by another Guardian process (the workstation, a worker or a CLI command). ` +
          'Close it first, or set GUARDIAN_DATA_DIR to another folder.',
      );
    throw err;
  }
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
      await release().catch(() => {});
    },
  };
}
