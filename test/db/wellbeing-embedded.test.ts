/**
 * Wellbeing (issue 15) on standalone mode's embedded database (PGlite): the one local person sets their own
 * opt-outs and records a reveal through the same functions as on a server (text[] arguments included).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { setupDatabase } from '../../src/core/setup/db-setup.js';
import { readOwnWellbeing, recordReveal, setOwnWellbeing } from '../../src/core/services/wellbeing.js';
import { createDb, type Db } from '../../src/core/store/db.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/core/store/embedded.js';
import { waitFor } from '../support/isolation.js';

let dataDir: string;
let embedded: EmbeddedPostgres;
let db: Db;
beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-wellbeing-'));
  embedded = await startEmbeddedPostgres(dataDir, silentLogger);
  await setupDatabase({ url: embedded.connectionString, mode: 'standalone', logger: silentLogger, localPerson: 'solo' });
  db = createDb({ connectionString: embedded.connectionString, max: 1, reportVersion: 'session' });
  await waitFor(() => db.query('SELECT 1').then(() => true), { message: 'the embedded database to take a connection' });
});
afterAll(async () => {
  await db?.close();
  await embedded?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('standalone: wellbeing on the embedded database', () => {
  it('sets and reads the local person\'s own settings, and audits a reveal once per command id', async () => {
    expect(await readOwnWellbeing(db)).toEqual({ hiddenCategories: [], breakAfter: null });
    expect(await setOwnWellbeing(db, { commandId: `wb-${randomUUID()}`, hiddenCategories: ['self_harm', 'violence'], breakAfter: 5 })).toEqual({
      hiddenCategories: ['self_harm', 'violence'],
      breakAfter: 5,
    });
    expect(await readOwnWellbeing(db)).toEqual({ hiddenCategories: ['self_harm', 'violence'], breakAfter: 5 });

    const caseId = randomUUID();
    await db.query(
      `SELECT worker.ingest_content(p_case_id => $1, p_content_id => $2, p_author_id => 'author-1', p_text => 'reported text',
         p_url => NULL, p_reported_by => NULL, p_report_reason => NULL, p_priority => 'normal', p_submitted_at => now())`,
      [caseId, `content-${caseId}`],
    );
    const commandId = `reveal-${randomUUID()}`;
    const first = await recordReveal(db, { caseId, commandId, category: 'violence', tool: 'ui' });
    expect(first).toMatchObject({ duplicate: false, auditEventId: expect.any(Number) });
    expect(await recordReveal(db, { caseId, commandId, category: 'violence', tool: 'ui' })).toMatchObject({ duplicate: true });
    const { rows } = await db.query(`SELECT actor, payload FROM audit_events WHERE case_id = $1 AND type = 'content.revealed'`, [caseId]);
    expect(rows).toEqual([{ actor: 'solo', payload: { commandId, category: 'violence' } }]);
  });
});
