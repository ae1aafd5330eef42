import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRulesClassifier } from '../../src/core/classify/rules.js';
import { contentMessage, plainPublisher, startHarness, TEXT, USERS, type Harness } from '../support/harness.js';
import { waitFor } from '../support/isolation.js';

/**
 * The worker's pool, a person's session (UI/CLI reads and commands, their own login) and that session's
 * connectivity probe use separate connections: a saturated worker pool must not make reads wait nor make a
 * healthy database look "down" (BENCHMARKS.md, part 4: both happened under ingest load with a workstation
 * open).
 */
let h: Harness;
let watcher: pg.Client;

beforeAll(async () => {
  // A worker core with no work to do (nothing is published), prefetch 1 so its pool is small (10).
  h = await startHarness({ worker: true, env: { GUARDIAN_PREFETCH: '1' } });
  watcher = new pg.Client({ connectionString: h.inst.dbaUrl });
  await watcher.connect();
});
afterAll(async () => {
  await watcher?.end();
  await h?.close();
});

it('with every worker connection busy, reads still answer and the database still reads as up', async () => {
  const pool = h.core.db.pool;
  const session = await h.as(USERS.mod1);
  const held = await Promise.all(Array.from({ length: pool.options.max }, () => pool.connect()));
  try {
    expect(pool.idleCount).toBe(0);
    // A person's read goes through their session's own pool (their own login).
    await expect(session.listCases({ status: ['awaiting_review'], limit: 10 })).resolves.toEqual([]);

    // Watch the probe answer four times on its own connection (≥ 3 s: on the shared pool it used to
    // report "down" after 2 s of waiting for a connection).
    const probes = new Set<string>();
    await waitFor(
      async () => {
        const { rows } = await watcher.query<{ query_start: string; state: string }>(
          `SELECT query_start::text, state FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'guardian-probe'`,
        );
        for (const r of rows) if (r.state === 'idle') probes.add(r.query_start);
        return probes.size >= 4;
      },
      { timeoutMs: 20_000, intervalMs: 200, message: 'four probe queries answered' },
    );
    expect(session.connection().database).toBe('up');

    const { rows } = await watcher.query<{ application_name: string; usename: string }>(
      `SELECT DISTINCT application_name, usename FROM pg_stat_activity
        WHERE datname = current_database() AND application_name IN ('guardian-core', 'guardian-person', 'guardian-probe') ORDER BY 1, 2`,
    );
    // The worker's pool is the worker login's; the session and its probe are the person's login.
    expect(rows).toEqual([
      { application_name: 'guardian-core', usename: h.inst.workerLogin },
      { application_name: 'guardian-person', usename: h.people[USERS.mod1]!.login },
      { application_name: 'guardian-probe', usename: h.people[USERS.mod1]!.login },
    ]);
  } finally {
    for (const c of held) c.release();
  }
});

it('survives the server ending its idle connections (restart, failover, pg_terminate_backend) and goes on working', async () => {
  const w = await startHarness({ worker: true });
  const pub = await plainPublisher(w.vhost.url);
  const admin = new pg.Client({ connectionString: w.inst.dbaUrl });
  try {
    // Work through every pool first (graph, locks, a person's session and its probe), so each holds an
    // idle connection; the event relay holds its LISTEN connection.
    await pub.publish('content.submitted', contentMessage('idle-1', TEXT.threat));
    await w.waitForCase('idle-1', 'awaiting_review');
    const session = await w.as(USERS.mod1);
    await session.listCases({ limit: 1 });
    await admin.connect();
    await waitFor(
      async () =>
        (await admin.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'guardian-probe' AND state = 'idle'`)).rowCount,
      { message: 'the probe connected' },
    );
    const { rows } = await admin.query<{ pools: string[] }>(
      // Select first, terminate in the target list: a volatile call in WHERE may run before the other
      // conditions (it once ended other test files' sessions in other databases).
      `SELECT array_agg(DISTINCT s.application_name ORDER BY s.application_name) AS pools, bool_and(pg_terminate_backend(s.pid)) AS ok
         FROM (SELECT pid, application_name FROM pg_stat_activity
                WHERE datname = current_database() AND application_name LIKE 'guardian-%' AND state = 'idle' OFFSET 0) s`,
    );
    expect(rows[0]!.pools).toEqual(expect.arrayContaining(['guardian-core', 'guardian-event-relay', 'guardian-locks', 'guardian-person', 'guardian-probe']));
    // Still alive (an unhandled pool 'error' would have ended this process) and still working: the worker
    // takes new work, the person still reads and decides, and the live events still come (the relay
    // listens again).
    const events: string[] = [];
    const off = session.onEvent((e) => e.type === 'case.updated' && events.push(`${e.caseId}:${e.status}`));
    await pub.publish('content.submitted', contentMessage('idle-2', TEXT.threat));
    const c = await w.waitForCase('idle-2', 'awaiting_review');
    expect((await session.getCase(c.id)).status).toBe('awaiting_review');
    await session.execute({ type: 'decide', caseId: c.id, decision: 'remove', reason: 'threat', commandId: w.cmdId(), expectedVersion: c.version });
    await w.waitForStatus(c.id, 'actioned');
    // "actioned" is the worker's change: only the database's NOTIFY, through the relay, announces it.
    await waitFor(() => events.includes(`${c.id}:actioned`), { message: 'a live event after the relay lost its connection' });
    off();
    expect(session.connection().database).toBe('up');
  } finally {
    await admin.end().catch(() => {});
    await pub.close();
    await w.close();
  }
});

it('a case lock whose connection the server ends mid-job neither ends the process nor loses the case', async () => {
  // The analysis of one case waits (holding its case lock) until the lock's session has been ended.
  const rules = createRulesClassifier();
  let entered!: () => void;
  const inside = new Promise<void>((r) => (entered = r));
  let proceed!: () => void;
  const gate = new Promise<void>((r) => (proceed = r));
  const w = await startHarness({
    worker: true,
    classifier: {
      name: 'gated',
      async classify(c) {
        if (c.contentId === 'held-1') {
          entered();
          await gate;
        }
        return rules.classify(c);
      },
    },
  });
  const pub = await plainPublisher(w.vhost.url);
  const admin = new pg.Client({ connectionString: w.inst.dbaUrl });
  try {
    await admin.connect();
    await pub.publish('content.submitted', contentMessage('held-1', TEXT.threat));
    await inside;
    const { rows } = await admin.query<{ n: number }>(
      `SELECT count(*)::int AS n, bool_and(pg_terminate_backend(s.pid)) AS ok
         FROM (SELECT pid FROM pg_stat_activity
                WHERE datname = current_database() AND application_name = 'guardian-locks' AND query LIKE '%pg_advisory_lock%' OFFSET 0) s`,
    );
    expect(rows[0]!.n).toBe(1); // the held case lock's session
    await waitFor(
      async () => (await admin.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'guardian-locks' AND query LIKE '%pg_advisory_lock%'`)).rowCount === 0,
      { message: 'the lock session ended' },
    );
    proceed();
    await w.waitForCase('held-1', 'awaiting_review');
    // And the worker goes on taking work (with new lock connections).
    await pub.publish('content.submitted', contentMessage('held-2', TEXT.threat));
    await w.waitForCase('held-2', 'awaiting_review');
  } finally {
    proceed();
    await admin.end().catch(() => {});
    await pub.close();
    await w.close();
  }
});

it('a change made while no relay listens is announced when one listens again (the relay catches up)', async () => {
  const w = await startHarness({ worker: true });
  const pub = await plainPublisher(w.vhost.url);
  const admin = new pg.Client({ connectionString: w.inst.dbaUrl });
  try {
    await pub.publish('content.submitted', contentMessage('gap-1', TEXT.threat));
    const c = await w.waitForCase('gap-1', 'awaiting_review');
    const session = await w.as(USERS.mod1);
    const events: string[] = [];
    const off = session.onEvent((e) => e.type === 'case.updated' && events.push(`${e.caseId}:${e.status}`));
    await admin.connect();
    await waitFor(
      async () => (await admin.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'guardian-event-relay'`)).rowCount,
      { message: 'the relay listening' },
    );
    // The relay's session ends, and the DBA takes the relay's lock before it can: nobody listens now
    // (the relay stands by, trying again every few seconds).
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM (SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'guardian-event-relay' OFFSET 0) s`,
    );
    await admin.query('SELECT pg_advisory_lock(7412002)');
    await session.execute({ type: 'decide', caseId: c.id, decision: 'remove', reason: 'a threat', commandId: w.cmdId(), expectedVersion: c.version });
    await w.waitForStatus(c.id, 'actioned');
    expect(events, 'no relay listened while the case was actioned').not.toContain(`${c.id}:actioned`);
    await admin.query('SELECT pg_advisory_unlock(7412002)');
    await waitFor(() => events.includes(`${c.id}:actioned`), { timeoutMs: 30_000, message: 'the actioned event, announced by the relay when it listens again' });
    off();
  } finally {
    await admin.end().catch(() => {});
    await pub.close();
    await w.close();
  }
}, 90_000);
