import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRulesClassifier } from '../../src/core/classify/rules.js';
import { contentMessage, plainPublisher, startHarness, TEXT, type Harness } from '../support/harness.js';
import { waitFor } from '../support/isolation.js';

/**
 * The core's workers, the UI/CLI reads and the connectivity probe use separate connections: a
 * saturated worker pool must not make reads wait nor make a healthy database look "down"
 * (BENCHMARKS.md, part 4: both happened under ingest load with a workstation open).
 */
let h: Harness;
let watcher: pg.Client;

beforeAll(async () => {
  h = await startHarness({ worker: false });
  watcher = new pg.Client({ connectionString: h.db.url });
  await watcher.connect();
});
afterAll(async () => {
  await watcher?.end();
  await h?.close();
});

it('with every worker connection busy, reads still answer and the database still reads as up', async () => {
  const pool = h.core.db.pool;
  const held = await Promise.all(Array.from({ length: pool.options.max }, () => pool.connect()));
  try {
    expect(pool.idleCount).toBe(0);
    // A read goes through its own pool.
    await expect(h.core.listCases({ status: ['awaiting_review'], limit: 10 })).resolves.toEqual([]);

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
    expect(h.core.connection().database).toBe('up');

    const { rows } = await watcher.query<{ application_name: string }>(
      `SELECT DISTINCT application_name FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'guardian-%' ORDER BY 1`,
    );
    expect(rows.map((r) => r.application_name)).toEqual(['guardian-core', 'guardian-probe', 'guardian-reads']);
  } finally {
    for (const c of held) c.release();
  }
});

it('survives the server ending its idle connections (restart, failover, pg_terminate_backend) and goes on working', async () => {
  const w = await startHarness({ worker: true });
  const pub = await plainPublisher(w.vhost.url);
  const admin = new pg.Client({ connectionString: w.db.url });
  try {
    // Work through every pool first (graph, locks, reads), so each holds an idle connection.
    await pub.publish('content.submitted', contentMessage('idle-1', TEXT.threat));
    await w.waitForCase('idle-1', 'awaiting_review');
    await w.core.listCases({ limit: 1 });
    await admin.connect();
    const { rows } = await admin.query<{ pools: string[] }>(
      // Select first, terminate in the target list: a volatile call in WHERE may run before the other
      // conditions (it once ended other test files' sessions in other databases).
      `SELECT array_agg(DISTINCT s.application_name ORDER BY s.application_name) AS pools, bool_and(pg_terminate_backend(s.pid)) AS ok
         FROM (SELECT pid, application_name FROM pg_stat_activity
                WHERE datname = current_database() AND application_name LIKE 'guardian-%' AND state = 'idle' OFFSET 0) s`,
    );
    expect(rows[0]!.pools).toEqual(expect.arrayContaining(['guardian-core', 'guardian-locks', 'guardian-reads']));
    // Still alive (an unhandled pool 'error' would have ended this process) and still working.
    await pub.publish('content.submitted', contentMessage('idle-2', TEXT.threat));
    await w.waitForCase('idle-2', 'awaiting_review');
    expect(w.core.connection().database).toBe('up');
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
  const admin = new pg.Client({ connectionString: w.db.url });
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
