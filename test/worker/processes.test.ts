import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { declareBrokerTopology } from '../../src/core/setup/broker-setup.js';
import { DEAD_QUEUE, QUEUES } from '../../src/core/queue/topology.js';
import { cleanEnv, GUARDIAN_BIN, guardian, REPO } from '../support/cli.js';
import { contentMessage, plainPublisher, STUB_SECRET, TEXT } from '../support/harness.js';
import { createTestInstallation, type TestInstallation } from '../support/installation.js';
import { createTestVhost, waitFor, type TestVhost } from '../support/isolation.js';
import { startPlatformStub, type PlatformStub } from '../support/platform-stub.js';

// `guardian worker --processes 2` against the real broker and database: two full consumers under one
// supervisor, a graceful stop of both, a child that dies is restarted, and every case is handled once.
let inst: TestInstallation;
let vhost: TestVhost;
let stub: PlatformStub;
let reader: pg.Pool;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  inst = await createTestInstallation();
  vhost = await createTestVhost();
  await declareBrokerTopology(vhost.url);
  stub = await startPlatformStub({ secret: STUB_SECRET });
  reader = inst.pool((await inst.person('admin-1', 'admin')).url);
  env = cleanEnv({
    DATABASE_URL: inst.workerUrl,
    AMQP_URL: vhost.url,
    GUARDIAN_ROLE_PREFIX: inst.roles.prefix,
    PLATFORM_URL: stub.url,
    PLATFORM_WEBHOOK_SECRET: STUB_SECRET,
    GUARDIAN_PREFETCH: '4',
    GUARDIAN_LOG_LEVEL: 'info',
  });
});
afterAll(async () => {
  await stub?.close();
  await vhost?.drop();
  await inst?.drop();
});

interface LogLine {
  name?: string;
  msg?: string;
  pid?: number;
  worker?: number;
  level?: number;
  [k: string]: unknown;
}

function startSupervisor(processes: string) {
  const child = spawn(process.execPath, [GUARDIAN_BIN, 'worker', '--processes', processes], { env, cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const lines = (): LogLine[] =>
    output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogLine);
  const supervisor = (msg: string) => lines().filter((l) => l.name === 'guardian-supervisor' && l.msg === msg);
  return { child, exited, output: () => output, lines, supervisor };
}

const done = async () =>
  (await reader.query(`SELECT count(*)::int AS n FROM cases WHERE status IN ('auto_resolved', 'awaiting_review', 'actioned')`)).rows[0].n as number;

/** Ready + unacknowledged messages left in each queue (none is consumed once the workers are gone). */
async function queueContents() {
  const conn = await amqp.connect(vhost.url);
  try {
    const ch = await conn.createChannel();
    const out: Record<string, { messages: number; consumers: number }> = {};
    for (const q of [...Object.values(QUEUES), DEAD_QUEUE]) {
      const r = await ch.checkQueue(q);
      out[q] = { messages: r.messageCount, consumers: r.consumerCount };
    }
    return out;
  } finally {
    await conn.close();
  }
}

it('N cases through two worker processes: each case handled once, both took work, a dead child is restarted, SIGTERM stops both with nothing unacked', async () => {
  const N = 60;
  const texts = [TEXT.spam, TEXT.threat, TEXT.clean];

  // 1. A graceful stop in the middle of a burst: both children finish what they hold and exit 0.
  const first = startSupervisor('2');
  await waitFor(() => first.supervisor('worker process ready').length === 2, { timeoutMs: 90_000, message: 'two worker processes ready' });
  const pub = await plainPublisher(vhost.url);
  for (let i = 0; i < N; i++) await pub.publish('content.submitted', contentMessage(`proc-${i}`, texts[i % 3]!));
  await pub.close();
  await waitFor(async () => (await done()) >= 6, { timeoutMs: 120_000, message: 'the first cases analysed' });
  // Both children's sessions are open, each under its own application_name.
  // (Waited for: a child that has not yet needed a connection for this burst may not have one open.)
  const sessionNames = async () =>
    (await inst.dba(`SELECT DISTINCT application_name FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'guardian-worker-%' ORDER BY 1`)).rows.map((r) => r.application_name as string);
  await waitFor(async () => (await sessionNames()).length === 2, { timeoutMs: 30_000, message: 'both worker processes hold a session' });
  expect(await sessionNames()).toEqual(['guardian-worker-1', 'guardian-worker-2']);
  first.child.kill('SIGTERM');
  expect(await first.exited, first.output().slice(-3000)).toBe(0);
  expect(first.lines().filter((l) => l.msg === 'worker stopped')).toHaveLength(2);
  // Nothing in flight was left behind: no case half-way through its actions, no consumer, nothing unacked
  // (an unacked delivery would be back in its queue now, and its case still 'analyzing').
  const { rows: mid } = await reader.query(`SELECT status, count(*)::int AS n FROM cases WHERE status NOT IN ('analyzing', 'auto_resolved', 'awaiting_review', 'actioned') GROUP BY status`);
  expect(mid).toEqual([]);
  const afterFirst = await queueContents();
  expect(Object.values(afterFirst).every((q) => q.consumers === 0)).toBe(true);
  expect(afterFirst[DEAD_QUEUE]!.messages).toBe(0);

  // 2. Again with two processes, one of them killed on the way: the rest of the burst is finished.
  const second = startSupervisor('2');
  try {
    await waitFor(() => second.supervisor('worker process ready').length === 2, { timeoutMs: 90_000, message: 'two worker processes ready again' });
    const victim = second.supervisor('worker process ready')[0]!;
    process.kill(victim.pid!, 'SIGKILL');
    await waitFor(() => second.supervisor('worker process died unexpectedly; restarting').length === 1, { timeoutMs: 30_000, message: 'the death noticed' });
    await waitFor(() => second.supervisor('worker process ready').length === 3, { timeoutMs: 90_000, message: 'the killed worker restarted' });
    const restarted = second.supervisor('worker process ready')[2]!;
    expect(restarted.worker).toBe(victim.worker);
    expect(restarted.pid).not.toBe(victim.pid);
    // A second burst, for the two processes running now.
    const pub2 = await plainPublisher(vhost.url);
    for (let i = N; i < 2 * N; i++) await pub2.publish('content.submitted', contentMessage(`proc-${i}`, texts[i % 3]!));
    await pub2.close();
    await waitFor(async () => (await done()) === 2 * N, { timeoutMs: 240_000, message: `all ${2 * N} cases analysed` }).catch((err: Error) => {
      throw new Error(`${err.message}\n${second.output().slice(-4000)}`);
    });
  } finally {
    second.child.kill('SIGTERM');
  }
  expect(await second.exited, second.output().slice(-3000)).toBe(0);

  // Every case once, every platform action once.
  const { rows: cases } = await reader.query(`SELECT count(*)::int AS n, count(DISTINCT content_id)::int AS d FROM cases`);
  expect(cases[0]).toEqual({ n: 2 * N, d: 2 * N });
  const { rows: byStatus } = await reader.query(`SELECT status, count(*)::int AS n FROM cases GROUP BY status ORDER BY status`);
  expect(byStatus).toEqual([
    { status: 'actioned', n: (2 * N) / 3 },
    { status: 'auto_resolved', n: (2 * N) / 3 },
    { status: 'awaiting_review', n: (2 * N) / 3 },
  ]);
  const { rows: actions } = await reader.query(`SELECT case_id, kind, status FROM actions`);
  expect(actions).toHaveLength((2 * N) / 3);
  expect(actions.every((a) => a.kind === 'warn_user' && a.status === 'done')).toBe(true);
  expect(new Set(actions.map((a) => a.case_id)).size).toBe((2 * N) / 3);
  expect(stub.executed.size).toBe((2 * N) / 3);
  expect(stub.conflicts).toEqual([]);
  expect(new Set([...stub.executed.values()].map((a) => a.caseId)).size).toBe((2 * N) / 3);

  // Both processes of each run took work (their own counts in the supervisor's final line).
  for (const run of [first, second]) {
    const final = run.supervisor('all worker processes stopped')[0] as { clean: boolean; workers: Array<{ worker: number; handled: Record<string, number> }> };
    expect(final.clean).toBe(true);
    expect(final.workers.map((w) => w.worker)).toEqual([1, 2]);
    for (const w of final.workers) expect(Object.values(w.handled).reduce((a, b) => a + b, 0), JSON.stringify(final.workers)).toBeGreaterThan(0);
  }
  // Nothing left in any queue, no consumer.
  const after = await queueContents();
  for (const [q, c] of Object.entries(after)) expect([q, c]).toEqual([q, { messages: 0, consumers: 0 }]);
}, 600_000);

it('--processes takes a whole number or auto, and more than one needs the shared servers', async () => {
  const bad = await guardian(['worker', '--processes', '0'], env);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/--processes: must be a whole number/);
  const standalone = await guardian(['worker', '--processes', '2'], cleanEnv({ GUARDIAN_DATA_DIR: '/nonexistent/never-created' }));
  expect(standalone.code).toBe(2);
  expect(standalone.stderr).toMatch(/--processes: more than 1 needs the connected mode/);
});

it('a child stopped by a signal of its own (a terminal Ctrl-C reaches every child) is not restarted; when all are, the supervisor exits 0', async () => {
  const run = startSupervisor('2');
  await waitFor(() => run.supervisor('worker process ready').length === 2, { timeoutMs: 90_000, message: 'two worker processes ready' });
  const [a, b] = run.supervisor('worker process ready');
  process.kill(a!.pid!, 'SIGINT');
  await waitFor(() => run.supervisor('worker process stopped on its own signal; not restarted').length === 1, { timeoutMs: 60_000, message: 'the first child stopped' });
  process.kill(b!.pid!, 'SIGINT');
  expect(await run.exited, run.output().slice(-3000)).toBe(0);
  expect(run.supervisor('worker process ready')).toHaveLength(2);
  expect(run.supervisor('worker process died unexpectedly; restarting')).toEqual([]);
  expect(run.supervisor('all worker processes stopped')[0]).toMatchObject({ clean: true });
}, 180_000);

it('children that cannot start as they are (older than the minimum version: exit 5) are not restarted; the supervisor exits 5', async () => {
  const setMinimum = (v: string | null) => reader.query("SELECT api.set_minimum_version($1, $2, 'cli') AS r", [v, randomUUID()]);
  await setMinimum('0.0.2');
  try {
    const child = spawn(process.execPath, [GUARDIAN_BIN, 'worker', '--processes', '2'], {
      env: { ...env, GUARDIAN_CLIENT_VERSION: '0.0.1' },
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code, output.slice(-3000)).toBe(5);
    expect(output).toContain("This worker is 0.0.1; the team's minimum is 0.0.2");
    expect(output).toContain('worker process cannot start as it is; not restarted');
    expect(output).not.toContain('worker process died unexpectedly; restarting');
  } finally {
    await setMinimum(null);
  }
}, 180_000);
