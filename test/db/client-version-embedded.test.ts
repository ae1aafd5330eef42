/**
 * The minimum client version on standalone mode's embedded database (PGlite over its socket): PGlite runs
 * one backend session, started before any client connects, so it ignores the startup packet's options and
 * the version must be set on the session as each connection opens (createDb reportVersion: 'session').
 * With it, the gate works there as on a server: an old client's command is refused update_required.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { setupDatabase } from '../../src/core/setup/db-setup.js';
import { createDb, type Db } from '../../src/core/store/db.js';
import { dbCall } from '../../src/core/store/db-errors.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/core/store/embedded.js';
import { GuardianError } from '../../src/core/errors.js';
import { waitFor } from '../support/isolation.js';

let dataDir: string;
let embedded: EmbeddedPostgres;
beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-client-version-'));
  embedded = await startEmbeddedPostgres(dataDir, silentLogger);
  await setupDatabase({ url: embedded.connectionString, mode: 'standalone', logger: silentLogger, localPerson: 'solo' });
});
afterAll(async () => {
  await embedded?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

/** One client at a time (PGlite's socket takes one connection): fn on a pool reporting `version`, then closed. */
async function asClient<T>(version: string, reportVersion: 'startup' | 'session', fn: (db: Db) => Promise<T>): Promise<T> {
  const db = createDb({ connectionString: embedded.connectionString, max: 1, clientVersion: version, reportVersion });
  try {
    // PGlite's socket takes the next connection only once it has let the last one go: until then it drops it.
    await waitFor(() => db.query('SELECT 1').then(() => true), { message: 'the embedded database to take a new connection' });
    return await fn(db);
  } finally {
    await db.close();
  }
}
const reported = (db: Db) => db.query(`SELECT current_setting('guardian.client_version', true) AS v`).then((r) => r.rows[0].v as string | null);

describe('standalone: the embedded database', () => {
  it('ignores the startup option (why the standalone pool reports by session), and takes the session setting', async () => {
    expect(await asClient('0.1.0', 'startup', reported)).not.toBe('0.1.0');
    expect(await asClient('0.1.0', 'session', reported)).toBe('0.1.0');
    // Each connection sets its own: the one backend session does not keep the previous client's.
    expect(await asClient('0.3.0', 'session', reported)).toBe('0.3.0');
  });

  it('refuses an old client\'s command once the local admin set a minimum; a current one goes through', async () => {
    const caseId = randomUUID();
    await asClient('0.2.0', 'session', async (db) => {
      await db.query(
        `SELECT worker.ingest_content(p_case_id => $1, p_content_id => $2, p_author_id => 'author-1', p_text => 'reported text',
           p_url => NULL, p_reported_by => NULL, p_report_reason => NULL, p_priority => 'normal', p_submitted_at => now())`,
        [caseId, `content-${caseId}`],
      );
      const { rows } = await db.query(`SELECT api.set_minimum_version('0.2.0', $1, 'cli') AS r`, [`minver-${randomUUID()}`]);
      expect(rows[0].r).toMatchObject({ outcome: 'applied', minimumVersion: '0.2.0' });
    });
    const note = (db: Db) =>
      dbCall(() => db.query(`SELECT api.add_note(p_case_id => $1, p_command_id => $2, p_text => 'hello', p_tool => 'cli') AS r`, [caseId, `note-${randomUUID()}`]));
    const refused = await asClient('0.1.0', 'session', (db) => note(db).then(() => undefined, (e: unknown) => e));
    expect(refused).toBeInstanceOf(GuardianError);
    expect((refused as GuardianError).code).toBe('update_required');
    expect((await asClient('0.2.0', 'session', note)).rows[0].r).toMatchObject({ outcome: 'applied' });
  });
});
