// Issue 16 ("our own cost per case"): a content.submitted message costs the ingest handler one database round
// trip whatever it turns out to be — a new case, a redelivery, an edit, another author's contentId — because
// worker.ingest_content decides duplicates and edits in the same call (it used to take a second one,
// worker.edit_content, for every known contentId). Real PostgreSQL, the worker login.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { PermanentError, type Delivery, type WorkQueue } from '../../src/core/queue/bus.js';
import { createIngestHandler } from '../../src/core/services/ingest.js';
import type { CaseRow } from '../../src/core/store/cases-repo.js';
import { createDb, type Db } from '../../src/core/store/db.js';
import { contentMessage } from '../support/harness.js';
import { createTestInstallation, type TestInstallation } from '../support/installation.js';

let inst: TestInstallation;
let db: Db;
const statements: string[] = [];
const jobs: Array<{ queue: WorkQueue; body: object }> = [];
const changed: CaseRow[] = [];
let handle: (d: Delivery) => Promise<void>;

beforeAll(async () => {
  inst = await createTestInstallation();
  db = createDb({ connectionString: inst.workerUrl, max: 2 });
  // Every statement the handler sends goes through db.query: counted on the way.
  const counting = Object.assign(Object.create(db) as Db, {
    query: (text: string, params?: unknown[]) => {
      statements.push(text);
      return db.query(text, params as never);
    },
  });
  handle = createIngestHandler({
    db: counting,
    logger: silentLogger,
    publishJob: async (queue, body) => void jobs.push({ queue, body }),
    onCaseChanged: (row) => void changed.push(row),
  });
});
afterAll(async () => {
  await db?.close();
  await inst?.drop();
});

const delivery = (msg: object): Delivery => ({ body: Buffer.from(JSON.stringify(msg)), routingKey: 'content.submitted', attempts: 1 });

/** Runs one message through the handler; returns the statements it sent. */
async function ingest(msg: object): Promise<string[]> {
  statements.length = 0;
  await handle(delivery(msg));
  return [...statements];
}

it('new content, a redelivery, an edit and a stale message: one statement each, the same outcomes as before', async () => {
  const first = contentMessage('rt-1', 'Had a lovely walk by the river', { submittedAt: '2026-01-01T10:00:00.000Z' });
  expect(await ingest(first)).toHaveLength(1);
  expect(changed.map((c) => [c.content_id, c.status])).toEqual([['rt-1', 'analyzing']]);
  expect(jobs).toHaveLength(1);

  // Redelivered before its analysis: still one statement, and the (idempotent) job is published again.
  expect(await ingest(first)).toHaveLength(1);
  expect(changed).toHaveLength(1);
  expect(jobs).toHaveLength(2);

  // An edit by the author: recorded in the same call, the case is analysed again.
  const edit = contentMessage('rt-1', 'Had a lovely walk by the river (edited)', { submittedAt: '2026-01-01T11:00:00.000Z' });
  expect(await ingest(edit)).toHaveLength(1);
  expect(changed).toHaveLength(2);
  expect(changed[1]).toMatchObject({ content_id: 'rt-1', status: 'analyzing', version: 2 });
  const { rows: events } = await inst.dba(`SELECT type FROM audit_events WHERE case_id = $1 ORDER BY seq`, [changed[0]!.id]);
  expect(events.map((e) => e.type)).toEqual(['case.created', 'content.edited']);

  // An older message than the case's text: ignored, one statement.
  const stale = contentMessage('rt-1', 'an older text', { submittedAt: '2026-01-01T09:00:00.000Z' });
  expect(await ingest(stale)).toHaveLength(1);
  expect(changed).toHaveLength(2);
  const { rows } = await inst.dba(`SELECT text, version FROM cases WHERE content_id = 'rt-1'`);
  expect(rows).toEqual([{ text: 'Had a lovely walk by the river (edited)', version: 2 }]);
});

it("another author's contentId is refused permanently (dead-lettered with the reason) after one statement", async () => {
  await ingest(contentMessage('rt-2', 'mine', { authorId: 'author-a' }));
  statements.length = 0;
  await expect(handle(delivery(contentMessage('rt-2', 'not yours', { authorId: 'author-b' })))).rejects.toThrow(PermanentError);
  await expect(handle(delivery(contentMessage('rt-2', 'not yours', { authorId: 'author-b' })))).rejects.toThrow(/authorId: content rt-2 is another author's/);
  expect(statements).toHaveLength(2);
});

it('against a database whose worker.ingest_content predates the one-call edit (a rolling upgrade), an edit is still recorded (two calls)', async () => {
  await ingest(contentMessage('rt-3', 'first words', { submittedAt: '2026-01-01T10:00:00.000Z' }));
  const sig = 'uuid, text, text, text, text, text, text, text, timestamptz';
  // The older function's answer for a known contentId: created false and the case, no outcome.
  await inst.dba(`ALTER FUNCTION worker.ingest_content(${sig}) RENAME TO ingest_content_current`);
  try {
    await inst.dba(`CREATE FUNCTION worker.ingest_content(p_case_id uuid, p_content_id text, p_author_id text, p_text text, p_url text,
        p_reported_by text, p_report_reason text, p_priority text, p_submitted_at timestamptz) RETURNS jsonb
      LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp
      AS $$ SELECT CASE WHEN (r->>'created')::boolean THEN r
                        ELSE jsonb_build_object('created', false, 'case', private.case_json((SELECT c FROM cases c WHERE c.content_id = p_content_id))) END
              FROM (SELECT worker.ingest_content_current(p_case_id, p_content_id, p_author_id, 'first words', p_url, p_reported_by,
                                                         p_report_reason, p_priority, '2026-01-01T10:00:00Z') AS r) x $$`);
    await inst.dba(`GRANT EXECUTE ON FUNCTION worker.ingest_content(${sig}) TO ${inst.roles.worker}`);
    const before = changed.length;
    const sent = await ingest(contentMessage('rt-3', 'first words, edited', { submittedAt: '2026-01-01T11:00:00.000Z' }));
    expect(sent).toHaveLength(2);
    expect(sent[1]).toMatch(/worker\.edit_content/);
    expect(changed.length).toBe(before + 1);
    const { rows } = await inst.dba(`SELECT text, version FROM cases WHERE content_id = 'rt-3'`);
    expect(rows).toEqual([{ text: 'first words, edited', version: 2 }]);
  } finally {
    await inst.dba(`DROP FUNCTION IF EXISTS worker.ingest_content(${sig})`);
    await inst.dba(`ALTER FUNCTION worker.ingest_content_current(${sig}) RENAME TO ingest_content`);
  }
});
