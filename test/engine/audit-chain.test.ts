import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/core/audit/verify.js';
import { GuardianError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/log.js';
import { createMemoryBus } from '../../src/core/queue/memory-bus.js';
import { createEventHub } from '../../src/core/runtime/events.js';
import { openPersonSession, type PersonSession } from '../../src/core/session/person-session.js';
import type { PersonRole } from '../../src/core/setup/roles.js';
import { createTestInstallation, type TestInstallation } from '../support/installation.js';

/**
 * The audit log is one hash chain per stream, appended inside the database by the command functions
 * (private.append_audit, under the stream's audit_heads row lock). Appends race from every person's
 * session, workstation and worker; the chain must never fork (two events with the same previous hash, or
 * two with one seq) and must stay verifiable by `guardian audit verify` (src/core/audit/verify.ts).
 */
describe('audit hash chain under concurrent appends through the command functions', () => {
  let inst: TestInstallation;
  const sessions: Record<string, PersonSession> = {};
  const PEOPLE: Array<[string, PersonRole]> = [
    ['mod-1', 'moderator'],
    ['mod-2', 'moderator'],
    ['sup-1', 'supervisor'],
    ['admin-1', 'admin'],
    ['admin-2', 'admin'],
  ];

  /** A case as content.submitted creates it (the worker's ingest function): its stream starts at case.created. */
  async function newCase(tag: string): Promise<string> {
    const worker = inst.pool(inst.workerUrl, 1);
    const caseId = randomUUID();
    await worker.query(
      `SELECT worker.ingest_content(p_case_id => $1, p_content_id => $2, p_author_id => 'a-1', p_text => 'some text', p_url => NULL,
              p_reported_by => NULL, p_report_reason => NULL, p_priority => 'normal', p_submitted_at => now())`,
      [caseId, `${tag}-${caseId}`],
    );
    return caseId;
  }

  /** Per stream: events, distinct predecessors, chain starts, seq range, and the head's position. */
  async function shape(stream: string) {
    const { rows } = await inst.dba<{ n: number; distinct_prev: number; starts: number; distinct_seq: number; min_seq: number; max_seq: number; head_seq: number; head_is_last: boolean }>(
      `SELECT count(*)::int AS n, count(DISTINCT e.prev_hash)::int AS distinct_prev,
              count(*) FILTER (WHERE e.prev_hash IS NULL)::int AS starts, count(DISTINCT e.seq)::int AS distinct_seq,
              min(e.seq)::int AS min_seq, max(e.seq)::int AS max_seq,
              (SELECT h.seq::int FROM audit_heads h WHERE h.stream = $1) AS head_seq,
              (SELECT h.head FROM audit_heads h WHERE h.stream = $1) = (SELECT x.hash FROM audit_events x WHERE x.stream = $1 ORDER BY x.seq DESC LIMIT 1) AS head_is_last
         FROM audit_events e WHERE e.stream = $1`,
      [stream],
    );
    return rows[0]!;
  }

  beforeAll(async () => {
    inst = await createTestInstallation();
    for (const [id, role] of PEOPLE) {
      const p = await inst.person(id, role);
      sessions[id] = await openPersonSession({
        mode: 'connected',
        connectionString: p.url,
        bus: createMemoryBus({ logger: silentLogger }),
        hub: createEventHub(silentLogger),
        logger: silentLogger,
        claimMinutes: 15,
        tool: 'cli',
      });
    }
  });
  afterAll(async () => {
    for (const s of Object.values(sessions)) await s.close().catch(() => {});
    await inst?.drop();
  });

  it('keeps one unforked, verifiable chain per stream when many sessions append at once', async () => {
    const caseId = await newCase('chain');
    const global0 = await shape('global');
    const lanes = 3; // concurrent statements per session (its pool holds 4 connections)
    const perLane = 6;
    const notes: string[] = [];
    const refusedRollbacks: string[] = [];
    const lane = async (fn: (i: number) => Promise<void>) => {
      for (let i = 0; i < perLane; i++) await fn(i);
    };
    await Promise.all([
      // Notes on one case from four people's sessions, each from several connections at once.
      ...['mod-1', 'mod-2', 'sup-1', 'admin-1'].flatMap((who) =>
        Array.from({ length: lanes }, (_, l) =>
          lane(async (i) => {
            const commandId = `note-${who}-${l}-${i}-${randomUUID().slice(0, 8)}`;
            const r = await sessions[who]!.execute({ type: 'note', caseId, commandId, text: `note ${i} of lane ${l} by ${who}` });
            expect(r.status).toBe('applied');
            notes.push(commandId);
          }),
        ),
      ),
      // Refusals are appended too (command.rejected): a moderator may not roll back.
      lane(async (i) => {
        const commandId = `rb-mod-2-${i}-${randomUUID().slice(0, 8)}`;
        await expect(sessions['mod-2']!.execute({ type: 'rollback', caseId, commandId, reason: 'not my call' })).rejects.toSatisfy(
          (e: unknown) => e instanceof GuardianError && e.code === 'forbidden',
        );
        refusedRollbacks.push(commandId);
      }),
      // And the global stream at the same time: two admins adding people, a moderator refused doing it.
      ...['admin-1', 'admin-2'].map((who) =>
        lane(async (i) => {
          await sessions[who]!.people.add({ id: `new-${who}-${i}`, role: 'moderator' });
        }),
      ),
      lane(async (i) => {
        await expect(sessions['mod-1']!.people.add({ id: `sneaky-${i}`, role: 'admin' })).rejects.toSatisfy(
          (e: unknown) => e instanceof GuardianError && e.code === 'forbidden',
        );
      }),
    ]);
    const notesWritten = 4 * lanes * perLane;
    expect(notes).toHaveLength(notesWritten);
    expect(refusedRollbacks).toHaveLength(perLane);

    // The case's stream: case.created, every note and every refusal, as one chain 1..n.
    const n = 1 + notesWritten + perLane;
    expect(await shape(`case:${caseId}`)).toEqual({ n, distinct_prev: n - 1, starts: 1, distinct_seq: n, min_seq: 1, max_seq: n, head_seq: n, head_is_last: true });
    // The global stream grew by every person added and every refusal, still one chain.
    const g = await shape('global');
    const added = 2 * perLane + perLane;
    expect(g).toEqual({
      n: global0.n + added,
      distinct_prev: global0.n + added - 1,
      starts: 1,
      distinct_seq: global0.n + added,
      min_seq: 1,
      max_seq: global0.n + added,
      head_seq: global0.n + added,
      head_is_last: true,
    });

    // Each event names the person whose login wrote it, never anyone else.
    const { rows: byActor } = await inst.dba<{ actor: string; type: string; n: number; logins: string[] }>(
      `SELECT actor, type, count(*)::int AS n, array_agg(DISTINCT db_login) AS logins FROM audit_events
        WHERE stream = $1 AND type <> 'case.created' GROUP BY actor, type ORDER BY actor, type`,
      [`case:${caseId}`],
    );
    const login = (id: string) => inst.roles.personLogin(id);
    expect(byActor).toEqual([
      { actor: 'admin-1', type: 'case.note', n: lanes * perLane, logins: [login('admin-1')] },
      { actor: 'mod-1', type: 'case.note', n: lanes * perLane, logins: [login('mod-1')] },
      { actor: 'mod-2', type: 'case.note', n: lanes * perLane, logins: [login('mod-2')] },
      { actor: 'mod-2', type: 'command.rejected', n: perLane, logins: [login('mod-2')] },
      { actor: 'sup-1', type: 'case.note', n: lanes * perLane, logins: [login('sup-1')] },
    ]);

    // `guardian audit verify`'s check, as a person reads the log: every chain intact.
    const one = await verifyAudit(sessions['sup-1']!.db, { caseId });
    expect(one).toMatchObject({ ok: true, streams: 1, events: n, problems: [] });
    const all = await verifyAudit(sessions['admin-2']!.db, { pageSize: 7 });
    expect(all.problems).toEqual([]);
    expect(all.ok).toBe(true);
    // And the case's timeline shows every note once.
    const timeline = (await sessions['mod-1']!.getCase(caseId)).timeline.filter((e) => e.type === 'case.note');
    expect(new Set(timeline.map((e) => (e.payload as { commandId: string }).commandId))).toEqual(new Set(notes));
  });

  it('no role may edit the log; an edit by a superuser is named by verify', async () => {
    const caseId = await newCase('edited');
    for (const text of ['first look', 'second look', 'third look'])
      await sessions['mod-1']!.execute({ type: 'note', caseId, commandId: randomUUID(), text });
    expect((await verifyAudit(sessions['mod-1']!.db, { caseId })).ok).toBe(true);
    // A person (even an admin) has no UPDATE on the table at all.
    await expect(sessions['admin-1']!.db.query(`UPDATE audit_events SET actor = 'someone' WHERE case_id = $1`, [caseId])).rejects.toThrow(/permission denied/);
    // A superuser gets past the append-only trigger by disabling it; the chain still shows the edit.
    const { rows } = await inst.dba<{ id: string; seq: number }>(`SELECT id, seq FROM audit_events WHERE stream = $1 ORDER BY seq OFFSET 2 LIMIT 1`, [`case:${caseId}`]);
    await expect(inst.dba(`UPDATE audit_events SET payload = '{"text":"edited"}' WHERE id = $1`, [rows[0]!.id])).rejects.toThrow(/append-only/);
    await inst.dba(
      `DO $$ BEGIN
         ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update;
         UPDATE audit_events SET payload = jsonb_set(payload, '{text}', '"edited"') WHERE id = ${Number(rows[0]!.id)};
         ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update;
       END $$`,
    );
    const report = await verifyAudit(sessions['mod-1']!.db, { caseId });
    expect(report.ok).toBe(false);
    expect(report.firstBroken).toMatchObject({ stream: `case:${caseId}`, eventId: Number(rows[0]!.id), seq: Number(rows[0]!.seq), kind: 'edited' });
  });
});
