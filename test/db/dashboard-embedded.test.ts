/**
 * The supervisor dashboard in standalone mode: api.dashboard runs on the embedded database (PGlite), where
 * the one local person holds every role, over the same seeded history as on a server (the fixture writes as
 * that database's superuser).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { setupDatabase } from '../../src/core/setup/db-setup.js';
import { createDb } from '../../src/core/store/db.js';
import { readDashboard } from '../../src/core/store/dashboard-repo.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/core/store/embedded.js';
import { seedDashboard } from '../support/dashboard-seed.js';
import { waitFor } from '../support/isolation.js';

let dataDir: string;
let embedded: EmbeddedPostgres;
beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-dashboard-'));
  embedded = await startEmbeddedPostgres(dataDir, silentLogger);
  await setupDatabase({ url: embedded.connectionString, mode: 'standalone', logger: silentLogger, localPerson: 'solo' });
});
afterAll(async () => {
  await embedded?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

it('standalone: the local person reads the dashboard of the seeded days from the embedded database', async () => {
  const seed = await seedDashboard(embedded.connectionString, { open: true, people: { mod: ['solo', 'solo'], sup: ['solo', 'solo'] } });
  const db = createDb({ connectionString: embedded.connectionString, max: 1 });
  try {
    await waitFor(() => db.query('SELECT 1').then(() => true), { message: 'the embedded database to take a new connection' });
    const d = await readDashboard(db, { window: '30d', slaMinutes: 60 });
    expect(d.buckets).toHaveLength(30);
    expect(d.buckets.reduce((n, b) => n + b.intake, 0)).toBe(seed.caseIds.length);
    expect(d.buckets.reduce((n, b) => n + b.appealsDecided, 0)).toBe(seed.counts.appeal);
    expect(d.buckets.at(-1)).toMatchObject({ backlog: 2, slaBreached: 1 });
    expect(d.moderators).toEqual([expect.objectContaining({ actor: 'solo', decisions: seed.counts.review + 3 * seed.counts.appeal })]);
  } finally {
    await db.close();
  }
});
