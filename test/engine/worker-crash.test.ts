import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyAudit } from '../../src/core/audit/verify.js';
import { declareBrokerTopology } from '../../src/core/setup/broker-setup.js';
import { cleanEnv, startWorker } from '../support/cli.js';
import { contentMessage, plainPublisher, STUB_SECRET, TEXT } from '../support/harness.js';
import { createTestInstallation, type TestInstallation } from '../support/installation.js';
import { createTestVhost, waitFor, type TestVhost } from '../support/isolation.js';
import { startPlatformStub, type PlatformStub } from '../support/platform-stub.js';

let inst: TestInstallation;
let vhost: TestVhost;
let stub: PlatformStub;
/** Reads as an admin person (cases and actions are theirs to read); the worker runs as the worker login. */
let reader: pg.Pool;

beforeAll(async () => {
  inst = await createTestInstallation();
  vhost = await createTestVhost();
  // What `guardian setup` does on the broker: the topology exists before any worker or platform uses it.
  await declareBrokerTopology(vhost.url);
  stub = await startPlatformStub({ secret: STUB_SECRET });
  reader = inst.pool((await inst.person('admin-1', 'admin')).url);
});
afterAll(async () => {
  await stub?.close();
  await vhost?.drop();
  await inst?.drop();
});

it('SIGKILL of the worker mid-batch, then a restart: no case lost or duplicated, no platform action executed twice (must show 6)', async () => {
  const env = cleanEnv({
    DATABASE_URL: inst.workerUrl,
    AMQP_URL: vhost.url,
    GUARDIAN_ROLE_PREFIX: inst.roles.prefix,
    PLATFORM_URL: stub.url,
    PLATFORM_WEBHOOK_SECRET: STUB_SECRET,
    GUARDIAN_PREFETCH: '4',
    GUARDIAN_LOG_LEVEL: 'warn',
  });
  const first = startWorker(env);
  const pub = await plainPublisher(vhost.url);
  const N = 120;
  const texts = [TEXT.spam, TEXT.threat, TEXT.clean];
  for (let i = 0; i < N; i++) await pub.publish('content.submitted', contentMessage(`crash-${i}`, texts[i % 3]!));
  await pub.close();

  // Kill it while it is executing platform actions, some of which are in flight right now.
  await waitFor(() => stub.requests.length >= 8, { timeoutMs: 120_000, message: 'the first worker executing actions' });
  first.child.kill('SIGKILL');
  await first.exited;
  const doneBeforeRestart = await reader.query(`SELECT count(*)::int AS n FROM cases WHERE status <> 'analyzing'`);
  expect(doneBeforeRestart.rows[0].n).toBeLessThan(N);

  const second = startWorker(env);
  const describeStuck = async () => {
    const { rows } = await reader.query(
      `SELECT status, count(*)::int AS n, min(failure_reason) AS reason, max(analysis_attempts) AS attempts FROM cases GROUP BY status`,
    );
    const stuck = await reader.query(`SELECT id, content_id, status, analysis_attempts, updated_at FROM cases WHERE status NOT IN ('auto_resolved', 'awaiting_review', 'actioned') LIMIT 5`);
    const missing = N - (await reader.query(`SELECT count(*)::int AS n FROM cases`)).rows[0].n;
    // The checkpoints (the worker login's to read) of the cases that are not done.
    const saver = new PostgresSaver(inst.pool(inst.workerUrl, 1));
    const cps = await Promise.all(
      stuck.rows.map(async (r) => {
        const t = await saver.getTuple({ configurable: { thread_id: r.id } });
        return { id: r.id, step: t?.metadata?.step, pendingWrites: t?.pendingWrites?.length, outcome: (t?.checkpoint.channel_values as { outcome?: unknown } | undefined)?.outcome };
      }),
    );
    // What the database sessions are doing (a wait on a lock shows who holds it): every login's, so the DBA's view.
    const sessions = await inst.dba(
      `SELECT a.pid, a.application_name, a.state, a.wait_event_type, a.wait_event, now() - a.state_change AS for, left(a.query, 80) AS query,
              pg_blocking_pids(a.pid) AS blocked_by
         FROM pg_stat_activity a WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() ORDER BY a.application_name, a.state`,
    );
    return `${JSON.stringify(rows)} missing=${missing}\nsessions: ${JSON.stringify(sessions.rows)}\nstuck: ${JSON.stringify(stuck.rows)}\ncheckpoints: ${JSON.stringify(cps)}\nfirst worker:\n${first.output().slice(-3000)}\nsecond worker:\n${second.output().slice(-4000)}`;
  };
  try {
    await waitFor(
      async () => {
        const { rows } = await reader.query(`SELECT count(*)::int AS n FROM cases WHERE status IN ('auto_resolved', 'awaiting_review', 'actioned')`);
        return rows[0].n === N;
      },
      { timeoutMs: 240_000, message: `all ${N} cases analysed after the restart` },
    ).catch(async (err: Error) => {
      throw new Error(`${err.message}\n${await describeStuck()}`);
    });
  } finally {
    second.child.kill('SIGTERM');
    await second.exited;
  }

  const { rows: cases } = await reader.query(`SELECT count(*)::int AS n, count(DISTINCT content_id)::int AS d FROM cases`);
  expect(cases[0]).toEqual({ n: N, d: N });
  const { rows: byStatus } = await reader.query(`SELECT status, count(*)::int AS n FROM cases GROUP BY status ORDER BY status`);
  expect(byStatus).toEqual([
    { status: 'actioned', n: N / 3 },
    { status: 'auto_resolved', n: N / 3 },
    { status: 'awaiting_review', n: N / 3 },
  ]);
  // Exactly one warning per spam case, recorded done, and executed once by the platform.
  const { rows: actions } = await reader.query(`SELECT case_id, kind, status FROM actions`);
  expect(actions).toHaveLength(N / 3);
  expect(actions.every((a) => a.kind === 'warn_user' && a.status === 'done')).toBe(true);
  expect(new Set(actions.map((a) => a.case_id)).size).toBe(N / 3);
  expect(stub.executed.size).toBe(N / 3);
  expect(stub.conflicts).toEqual([]);
  const executedCases = [...stub.executed.values()].map((a) => a.caseId);
  expect(new Set(executedCases).size).toBe(N / 3);
  // The audit log, appended in the same transactions, is intact: no fork, no hole from the kill.
  const audit = await verifyAudit(reader);
  expect(audit.problems).toEqual([]);
  expect(audit.ok).toBe(true);
  // Only the second worker exited cleanly.
  expect(second.output()).not.toMatch(/"level":(50|60)/);
}, 420_000);
