import { runner } from 'node-pg-migrate';
import type { Logger } from '../ports.js';
import { resourcePath } from '../resources.js';
import type { Db } from './db.js';

/** Applies pending versioned migrations (node-pg-migrate; it serialises concurrent runs with an advisory lock). */
export async function migrate(db: Db, logger: Logger): Promise<string[]> {
  const client = await db.pool.connect();
  try {
    const ran = await runner({
      dbClient: client,
      dir: resourcePath('db', 'migrations'),
      direction: 'up',
      migrationsTable: 'guardian_migrations',
      checkOrder: true,
      log: (msg: string) => logger.debug({ part: 'migrate' }, msg),
      noLock: false,
    });
    if (ran.length) logger.info({ migrations: ran.map((m) => m.name) }, 'database migrated');
    return ran.map((m) => m.name);
  } finally {
    client.release();
  }
}
