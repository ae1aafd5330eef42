/**
 * `guardian audit verify` against a real installation of the trust model: events are made through the
 * database's own functions as the real logins (the worker ingests, a moderator adds notes), then the DBA
 * (superuser, the only one who can) tampers with them the way an attacker with the server would.
 * Each test uses a case of its own and verifies only that case's stream, so the tests do not interfere;
 * truncation gets an installation of its own.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAnchor, auditHashV2, formatVerifyReport, readAnchor, verifyAudit } from '../../src/core/audit/verify.js';
import { canonicalJson } from '../../src/core/store/audit-repo.js';
import type { Queryable } from '../../src/core/store/db.js';
import { createTestInstallation, type TestInstallation, type TestPerson } from '../support/installation.js';

const AT_US = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;
let inst: TestInstallation;
let worker: pg.Pool;
let alice: TestPerson;
let mod: pg.Pool;
let dba: pg.Pool;
let dir: string;
/** The verifier runs as a moderator: reading audit_events and audit_heads is all it needs. */
let reader: Queryable;
let n = 0;

const queryable = (p: pg.Pool): Queryable => ({ query: (text, params) => p.query(text, params as unknown[]) });

/** A case made for real: 'case.created' by the worker, then `notes` notes by alice. */
async function newCase(notes: number): Promise<{ caseId: string; stream: string; events: Array<{ id: number; seq: number; hash: string }> }> {
  const caseId = randomUUID();
  await worker.query(
    `SELECT worker.ingest_content(p_case_id => $1, p_content_id => $2, p_author_id => $3, p_text => $4, p_url => null,
       p_reported_by => null, p_report_reason => null, p_priority => 'normal', p_submitted_at => now())`,
    [caseId, `content-${caseId}`, 'author-1', 'some reported text'],
  );
  for (let i = 0; i < notes; i++) {
    const { rows } = await mod.query('SELECT api.add_note(p_case_id => $1, p_command_id => $2, p_text => $3, p_tool => \'cli\') AS r', [
      caseId, `note-cmd-${++n}-${caseId}`, `note ${i + 1} ✓ ünïcode`,
    ]);
    expect(rows[0].r.outcome).toBe('applied');
  }
  const stream = `case:${caseId}`;
  const { rows } = await dba.query('SELECT id::int, seq::int, hash FROM audit_events WHERE stream = $1 ORDER BY seq', [stream]);
  expect(rows).toHaveLength(notes + 1);
  return { caseId, stream, events: rows };
}

/** Runs fn as the superuser with the append-only triggers off, in one transaction (DDL is transactional). */
async function tamper(fn: (c: pg.PoolClient) => Promise<unknown>, pool = dba): Promise<void> {
  const c = await pool.connect();
  const triggers = ['audit_events audit_events_no_update', 'audit_events audit_events_no_truncate', 'audit_heads audit_heads_no_truncate'];
  try {
    await c.query('BEGIN');
    for (const t of triggers) await c.query(`ALTER TABLE ${t.replace(' ', ' DISABLE TRIGGER ')}`);
    await fn(c);
    for (const t of triggers) await c.query(`ALTER TABLE ${t.replace(' ', ' ENABLE TRIGGER ')}`);
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK');
    throw err;
  } finally {
    c.release();
  }
}

beforeAll(async () => {
  inst = await createTestInstallation();
  worker = inst.pool(inst.workerUrl);
  alice = await inst.person('alice', 'moderator');
  mod = inst.pool(alice.url);
  dba = inst.pool(inst.dbaUrl, 1);
  reader = queryable(mod);
  dir = await mkdtemp(join(tmpdir(), 'audit-verify-'));
});
afterAll(async () => {
  await inst?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the v2 hash', () => {
  it('is computed in TypeScript exactly as private.audit_hash computes it in the database', async () => {
    // Passed as text so that jsonb, not JavaScript, normalises the numbers and orders the keys.
    const payload = '{"z": {"b": [1.0, 1e3, -0.5e-3, 12345678901234567890.10], "a": "ünï 😀 \\" \\n \\u00e9"}, "a": null, "é": true, "1e3": 1E+3, "": {}}';
    const cases: Array<[string | null, string | null]> = [[null, null], ['ab'.repeat(32), 'gt_someone.alice']];
    for (const [prev, login] of cases) {
      const { rows: [r] } = await dba.query(
        `SELECT private.audit_hash($1, 'case:x', 42, 'case.note', 'alice', 'cli', $2, $3::timestamptz, $4::jsonb) AS hash,
                $4::jsonb::text AS payload_text, to_char($3::timestamptz AT TIME ZONE 'UTC', ${AT_US}) AS at_us`,
        [prev, login, '2025-03-04 05:06:07.123456+02', payload],
      );
      expect(r.payload_text).toContain('1.0'); // jsonb keeps 1.0 and turns 1e3 into 1000: hashed as stored
      expect(r.at_us).toBe('2025-03-04T03:06:07.123456Z');
      const ts = auditHashV2({ prev_hash: prev, stream: 'case:x', seq: 42, type: 'case.note', actor: 'alice', tool: 'cli', db_login: login, at_us: r.at_us, payload_text: r.payload_text });
      expect(ts).toBe(r.hash);
    }
  });
});

describe('verifyAudit', () => {
  it('(a) an intact installation verifies, as a whole, in tiny pages and per case', async () => {
    const a = await newCase(3);
    await newCase(2);
    const { rows: [count] } = await dba.query('SELECT count(*)::int AS events, count(DISTINCT stream)::int AS streams FROM audit_events');
    const whole = await verifyAudit(reader);
    expect(whole).toMatchObject({ ok: true, problems: [], events: count.events, streams: count.streams });
    expect(whole.firstBroken).toBeUndefined();
    // Pages of 2 rows: streams cross page boundaries, the keyset must neither skip nor repeat a row.
    expect(await verifyAudit(reader, { pageSize: 2 })).toEqual(whole);
    const one = await verifyAudit(reader, { caseId: a.caseId });
    expect(one).toMatchObject({ ok: true, streams: 1, events: 4 });
    expect(formatVerifyReport(one)).toBe('audit intact: 1 stream, 4 events');
  });

  it('(a) verifies hash_version 1 events written by older installations, followed by v2 ones', async () => {
    const caseId = randomUUID(), stream = `case:${caseId}`;
    // The application's former hash: millisecond time, canonical JSON, no seq, no login.
    const v1 = (prev: string | null, type: string, at: string, payload: unknown) =>
      createHash('sha256').update([prev ?? '', stream, type, 'bob', 'ui', at, canonicalJson(payload)].join('\n')).digest('hex');
    const h1 = v1(null, 'case.created', '2024-01-02T03:04:05.678Z', { b: 1, a: [true, 'x'] });
    const h2 = v1(h1, 'case.note', '2024-01-02T03:05:00.001Z', { text: 'old ü' });
    await dba.query(
      `INSERT INTO audit_events (stream, case_id, seq, type, actor, tool, payload, prev_hash, hash, hash_version, created_at) VALUES
         ($1, $2, 1, 'case.created', 'bob', 'ui', '{"b":1,"a":[true,"x"]}', NULL, $3, 1, '2024-01-02T03:04:05.678Z'),
         ($1, $2, 2, 'case.note', 'bob', 'ui', '{"text":"old ü"}', $3, $4, 1, '2024-01-02T03:05:00.001Z')`,
      [stream, caseId, h1, h2],
    );
    await dba.query('INSERT INTO audit_heads (stream, seq, head) VALUES ($1, 2, $2)', [stream, h2]);
    await dba.query(`SELECT private.append_audit($1, 'case.note', 'carol', 'cli', '{"text":"new"}')`, [caseId]);
    expect(await verifyAudit(reader, { caseId })).toMatchObject({ ok: true, events: 3 });
  });

  it('(b) an edited payload is found at that event', async () => {
    const c = await newCase(4);
    const victim = c.events[2]!;
    await tamper((q) => q.query(`UPDATE audit_events SET payload = '{"text":"nothing to see"}' WHERE id = $1`, [victim.id]));
    const r = await verifyAudit(reader, { caseId: c.caseId });
    expect(r.ok).toBe(false);
    expect(r.firstBroken).toMatchObject({ stream: c.stream, eventId: victim.id, seq: 3, kind: 'edited' });
    expect(r.problems).toHaveLength(1); // the next event still links to the stored hash: reported once
    expect(formatVerifyReport(r)).toMatch(new RegExp(`^audit BROKEN: ${c.stream} event ${victim.id} \\(seq 3\\) edited: `));
  });

  it('(b) an edit whose hash was recomputed breaks the link of the event after it', async () => {
    const c = await newCase(4);
    const victim = c.events[1]!;
    await tamper((q) => q.query(
      `UPDATE audit_events SET payload = '{"text":"rewritten"}',
              hash = private.audit_hash(prev_hash, stream, seq, type, actor, tool, db_login, created_at, '{"text":"rewritten"}')
        WHERE id = $1`, [victim.id]));
    const r = await verifyAudit(reader, { caseId: c.caseId });
    expect(r.firstBroken).toMatchObject({ eventId: c.events[2]!.id, seq: 3, kind: 'inserted' });
  });

  it('(c) a deleted middle event is found at the gap', async () => {
    const c = await newCase(4);
    await tamper((q) => q.query('DELETE FROM audit_events WHERE id = $1', [c.events[2]!.id]));
    const r = await verifyAudit(reader, { caseId: c.caseId });
    expect(r.problems).toEqual([expect.objectContaining({ eventId: c.events[3]!.id, seq: 4, kind: 'deleted', message: expect.stringContaining('seq 3 missing') })]);
  });

  it('(d) a deleted tail: seen through audit_heads; with audit_heads moved back only through an anchor', async () => {
    // An attacker who deletes the tail but leaves audit_heads alone.
    const plain = await newCase(5);
    await tamper((q) => q.query('DELETE FROM audit_events WHERE stream = $1 AND seq > 4', [plain.stream]));
    expect((await verifyAudit(reader, { caseId: plain.caseId })).firstBroken).toMatchObject({ eventId: null, seq: 5, kind: 'tail_deleted' });

    // A careful one: audit_heads moved to the new last event. The chain alone is consistent again.
    const c = await newCase(5);
    const file = join(dir, 'd.anchor.jsonl');
    await appendAnchor(reader, file);
    await tamper(async (q) => {
      await q.query('DELETE FROM audit_events WHERE stream = $1 AND seq > 4', [c.stream]);
      await q.query('UPDATE audit_heads SET seq = 4, head = $2 WHERE stream = $1', [c.stream, c.events[3]!.hash]);
    });
    expect(await verifyAudit(reader, { caseId: c.caseId })).toMatchObject({ ok: true, events: 4 });
    const anchor = await readAnchor(file);
    const r = await verifyAudit(reader, { caseId: c.caseId, anchor, anchorFile: file });
    expect(r.firstBroken).toMatchObject({ stream: c.stream, eventId: null, seq: 5, kind: 'tail_deleted' });
    expect(r.anchor).toEqual({ file, entries: 1, checked: 1 });

    // Even more careful: the tail re-appended through the database's own function. Only the anchor knows.
    await dba.query(`SELECT private.append_audit($1, 'case.note', 'alice', 'cli', '{"text":"forged"}') FROM generate_series(1, 2)`, [c.caseId]);
    expect((await verifyAudit(reader, { caseId: c.caseId })).ok).toBe(true);
    const again = await verifyAudit(reader, { caseId: c.caseId, anchor });
    expect(again.problems).toEqual([expect.objectContaining({ eventId: expect.any(Number), seq: 6, kind: 'rewritten' })]);
  });

  it('(d) a deleted stream: seen through audit_heads, and with its head gone too through an anchor', async () => {
    const c = await newCase(2);
    const file = join(dir, 'stream.anchor.jsonl');
    await appendAnchor(reader, file);
    await tamper((q) => q.query('DELETE FROM audit_events WHERE stream = $1', [c.stream]));
    expect((await verifyAudit(reader, { caseId: c.caseId })).problems).toEqual([expect.objectContaining({ kind: 'stream_deleted', eventId: null })]);
    await dba.query('DELETE FROM audit_heads WHERE stream = $1', [c.stream]);
    expect((await verifyAudit(reader, { caseId: c.caseId })).ok).toBe(true);
    const r = await verifyAudit(reader, { caseId: c.caseId, anchor: await readAnchor(file) });
    expect(r.problems).toEqual([expect.objectContaining({ stream: c.stream, kind: 'stream_deleted', message: expect.stringContaining('seq 3') })]);
  });

  it('(f) a forged event inserted in the middle (the events after it renumbered) is found where the chain breaks', async () => {
    const c = await newCase(4);
    await tamper(async (q) => {
      await q.query('UPDATE audit_events SET seq = -seq WHERE stream = $1 AND seq >= 3', [c.stream]);
      await q.query('UPDATE audit_events SET seq = 1 - seq WHERE stream = $1 AND seq < 0', [c.stream]);
      // A valid event in itself: it links to seq 2 and its hash is the database's own.
      await q.query(
        `INSERT INTO audit_events (stream, case_id, seq, type, actor, tool, db_login, payload, prev_hash, hash, hash_version, created_at)
         SELECT $1, $2, 3, 'case.note', 'alice', 'cli', $3, '{"text":"forged"}', $4,
                private.audit_hash($4, $1, 3, 'case.note', 'alice', 'cli', $3, now(), '{"text":"forged"}'), 2, now()`,
        [c.stream, c.caseId, alice.login, c.events[1]!.hash],
      );
      await q.query('UPDATE audit_heads SET seq = 6 WHERE stream = $1', [c.stream]);
    });
    const r = await verifyAudit(reader, { caseId: c.caseId });
    // The event that was seq 3 no longer links (and its seq, part of its hash, changed).
    expect(r.firstBroken).toMatchObject({ eventId: c.events[2]!.id, seq: 4, kind: 'inserted' });
    expect(r.problems.map((p) => p.kind)).toEqual(['inserted', 'edited', 'edited', 'edited']);
  });

  it('the whole installation: every broken stream listed, firstBroken the lowest event id', async () => {
    const [a, b] = [await newCase(2), await newCase(2)];
    await tamper(async (q) => {
      await q.query(`UPDATE audit_events SET actor = 'mallory' WHERE id = $1`, [b.events[1]!.id]);
      await q.query('DELETE FROM audit_events WHERE id = $1', [a.events[2]!.id]); // a's tail: audit_heads still says 3
    });
    const r = await verifyAudit(reader, { pageSize: 3 });
    expect(r.problems).toEqual(expect.arrayContaining([
      expect.objectContaining({ stream: a.stream, eventId: null, seq: 3, kind: 'tail_deleted' }),
      expect.objectContaining({ stream: b.stream, eventId: b.events[1]!.id, kind: 'edited' }),
    ]));
    const ids = r.problems.map((p) => p.eventId).filter((id): id is number => id !== null);
    expect(r.firstBroken!.eventId).toBe(Math.min(...ids));
    expect(formatVerifyReport(r).split('\n')).toHaveLength(2 + r.problems.length);
  });

  it('(d) a tail seen both by audit_heads and by the anchor is one problem', async () => {
    const c = await newCase(3);
    const file = join(dir, 'both.anchor.jsonl');
    await appendAnchor(reader, file);
    await tamper((q) => q.query('DELETE FROM audit_events WHERE stream = $1 AND seq = 4', [c.stream]));
    const r = await verifyAudit(reader, { caseId: c.caseId, anchor: await readAnchor(file) });
    expect(r.problems).toEqual([expect.objectContaining({ seq: 4, kind: 'tail_deleted' })]);
    expect(r.anchor?.checked).toBe(1);
  });

  it('(g) a moderator cannot change the audit log', async () => {
    const c = await newCase(1);
    const id = c.events[0]!.id;
    const attempts: Array<[string, unknown[]]> = [
      ['UPDATE audit_events SET actor = actor WHERE id = $1', [id]],
      ['DELETE FROM audit_events WHERE id = $1', [id]],
      ['TRUNCATE audit_events', []],
      ['UPDATE audit_heads SET seq = seq WHERE stream = $1', [c.stream]],
      ['DELETE FROM audit_heads WHERE stream = $1', [c.stream]],
      [`SELECT private.append_audit($1, 'case.note', 'alice', 'cli', '{}')`, [c.caseId]],
    ];
    for (const [sql, params] of attempts) {
      await expect(mod.query(sql, params), sql).rejects.toMatchObject({ code: '42501' });
    }
    expect((await verifyAudit(reader, { caseId: c.caseId })).ok).toBe(true);
  });
});

describe('anchors', () => {
  it('are appended one line per run, owner-only', async () => {
    const file = join(dir, 'append.anchor.jsonl');
    const first = await appendAnchor(reader, file);
    await appendAnchor(reader, file);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const all = await readAnchor(file);
    expect(all).toHaveLength(2);
    expect(all[0]).toEqual(first);
    expect(first.database).toBe(inst.db.name);
    expect(first.heads.length).toBeGreaterThan(0);
  });

  it('(h) a malformed line is named by its number', async () => {
    const file = join(dir, 'bad.anchor.jsonl');
    const good = JSON.stringify({ at: new Date().toISOString(), database: 'x', heads: [{ stream: 'global', seq: 1, hash: 'ab' }] });
    await writeFile(file, `${good}\n\n{"at": "oops"\n`);
    await expect(readAnchor(file)).rejects.toThrow(`${file}: line 3 is not an audit anchor: invalid JSON`);
    await writeFile(file, `${good}\n{"at": "t", "database": "x", "heads": [{"stream": "global", "seq": "1", "hash": "ab"}]}\n`);
    await expect(readAnchor(file)).rejects.toThrow(/line 2 is not an audit anchor: heads\[0\] needs/);
  });

  it('(e) truncating both tables is found against the anchor', async () => {
    const other = await createTestInstallation();
    try {
      const w = other.pool(other.workerUrl);
      for (const caseId of [randomUUID(), randomUUID()]) {
        await w.query(`SELECT worker.ingest_content($1, $2, 'a', 't', null, null, null, 'normal', now())`, [caseId, `c-${caseId}`]);
      }
      const su = other.pool(other.dbaUrl, 1);
      const file = join(dir, 'e.anchor.jsonl');
      const entry = await appendAnchor(queryable(su), file);
      await tamper((q) => q.query('TRUNCATE audit_events, audit_heads'), su);
      expect(await verifyAudit(queryable(su))).toMatchObject({ ok: true, events: 0, streams: 0 });
      const r = await verifyAudit(queryable(su), { anchor: await readAnchor(file) });
      expect(r.ok).toBe(false);
      expect(r.problems).toHaveLength(entry.heads.length);
      expect(r.problems.every((p) => p.kind === 'stream_deleted' && p.message.includes('truncated'))).toBe(true);
      expect(formatVerifyReport(r)).toContain('stream_deleted: the anchor recorded seq 1, the audit log is empty (truncated?)');
    } finally {
      await other.drop();
    }
  });
});
