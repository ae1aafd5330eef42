import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, verifyAuditChain } from '../../src/core/store/audit-repo.js';
import { createDb, type Db } from '../../src/core/store/db.js';
import { migrate } from '../../src/core/store/migrate.js';
import { createTestDatabase, type TestDatabase } from '../support/isolation.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} } as never;

/**
 * The audit log is one hash chain per stream. Appends race from every worker and workstation; the
 * chain must never fork (two events with the same previous hash) and must stay verifiable.
 */
describe('audit hash chain under concurrent appends', () => {
  let tdb: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    tdb = await createTestDatabase('guardian_audit');
    db = createDb({ connectionString: tdb.url, max: 12 });
    await migrate(db, silent);
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('keeps one unforked chain per stream when many transactions append at once', async () => {
    const caseId = '00000000-0000-4000-8000-00000000a0d1';
    const writers = 10;
    const perWriter = 8;
    await Promise.all(
      Array.from({ length: writers }, (_, w) =>
        (async () => {
          for (let i = 0; i < perWriter; i++) {
            // Each append is its own transaction that also holds its lock across a second statement,
            // as the command path does (the change and its audit commit together).
            await db.tx(async (q) => {
              await appendAudit(q, { caseId, type: 'note.added', actor: `writer-${w}`, tool: 'cli', payload: { i, w } });
              await q.query('SELECT 1');
            });
            // And a second stream interleaved with it.
            await db.tx((q) => appendAudit(q, { caseId: null, type: 'system.tick', actor: `writer-${w}`, tool: 'worker', payload: { i } }));
          }
        })(),
      ),
    );

    const { rows } = await db.query<{ stream: string; n: number; distinct_prev: number; heads: number }>(
      `SELECT stream, count(*)::int AS n, count(DISTINCT prev_hash)::int AS distinct_prev,
              count(*) FILTER (WHERE prev_hash IS NULL)::int AS heads
         FROM audit_events GROUP BY stream ORDER BY stream`,
    );
    expect(rows).toEqual([
      // every event but the first has a distinct predecessor; exactly one event starts the chain
      { stream: `case:${caseId}`, n: writers * perWriter, distinct_prev: writers * perWriter - 1, heads: 1 },
      { stream: 'global', n: writers * perWriter, distinct_prev: writers * perWriter - 1, heads: 1 },
    ]);
    expect(await verifyAuditChain(db, caseId)).toBeNull();
    expect(await verifyAuditChain(db, null)).toBeNull();
  });

  it('detects an edited event', async () => {
    const caseId = '00000000-0000-4000-8000-00000000a0d2';
    for (const type of ['case.created', 'review.requested', 'decision.made'])
      await db.tx((q) => appendAudit(q, { caseId, type, actor: 'agent', tool: 'agent', payload: { type } }));
    expect(await verifyAuditChain(db, caseId)).toBeNull();
    // The table refuses UPDATE (append-only trigger); a tamperer with the trigger disabled is still caught.
    await expect(db.query(`UPDATE audit_events SET actor = 'someone' WHERE case_id = $1`, [caseId])).rejects.toThrow(/append-only/);
    const { rows } = await db.query<{ id: number }>(`SELECT id FROM audit_events WHERE case_id = $1 ORDER BY id LIMIT 1 OFFSET 1`, [caseId]);
    await db.tx(async (q) => {
      await q.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update');
      await q.query(`UPDATE audit_events SET payload = '{"type":"edited"}' WHERE id = $1`, [rows[0]!.id]);
      await q.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update');
    });
    expect(await verifyAuditChain(db, caseId)).toBe(rows[0]!.id);
  });
});
