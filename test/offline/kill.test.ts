import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cleanEnv, REPO } from '../support/cli.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { contentMessage, plainPublisher, startHarness, TEXT, USERS, type Harness } from '../support/harness.js';
import { waitFor } from '../support/isolation.js';

let h: Harness;
let pg: FaultProxy;
let mq: FaultProxy;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guardian-kill-'));

beforeAll(async () => {
  h = await startHarness();
  pg = await startFaultProxy({ host: '127.0.0.1', port: 5432 });
  mq = await startFaultProxy({ host: '127.0.0.1', port: 5672 });
});
afterAll(async () => {
  await pg?.close();
  await mq?.close();
  await h?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Starts the workstation process; `call` sends one request and resolves with its answer. */
function startProc() {
  // The workstation knows the server (no credentials in its configuration); the moderator's own login
  // and password are what their OS keychain kept (DESIGN §10). GUARDIAN_WORKER is left at its default.
  const server = new URL(pg.url(h.db.url));
  server.username = '';
  server.password = '';
  const mod1 = h.people[USERS.mod1]!;
  const env = cleanEnv({
    DATABASE_URL: server.toString(),
    AMQP_URL: mq.url(h.vhost.url),
    GUARDIAN_ROLE_PREFIX: h.inst.roles.prefix,
    GUARDIAN_DATA_DIR: dataDir,
    GUARDIAN_TEST_LOGIN: mod1.login,
    GUARDIAN_TEST_PASSWORD: mod1.password,
  });
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'test/offline/workstation-proc.ts')], { env, cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const waiting = new Map<number, (v: any) => void>();
  const events: Array<{ event: string; id?: string; state?: string; person?: string; unverified?: boolean; worker?: boolean }> = [];
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    const msg = JSON.parse(line);
    if (msg.event) events.push(msg);
    else waiting.get(msg.id)?.(msg);
  });
  let n = 0;
  const call = (op: string, args?: unknown) =>
    new Promise<any>((resolve) => {
      const id = ++n;
      waiting.set(id, resolve);
      child.stdin!.write(`${JSON.stringify({ id, op, args })}\n`);
    });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  return { child, call, events, exited, stderr: () => stderr };
}

it('offline: 5 decisions saved, the process SIGKILLed and restarted, the route healed: each applied exactly once (must show 1)', async () => {
  const pub = await plainPublisher(h.vhost.url);
  const ids = Array.from({ length: 5 }, (_, i) => `kill-${i}-${h.cmdId()}`);
  for (const id of ids) await pub.publish('content.submitted', contentMessage(id, TEXT.threat));
  await pub.close();
  const cases = await Promise.all(ids.map((id) => h.waitForCase(id, 'awaiting_review')));

  const first = startProc();
  await waitFor(() => first.events.some((e) => e.event === 'ready'), { timeoutMs: 30_000, message: `workstation ready\n${first.stderr()}` });
  // Signed in with the kept login, verified by the server; no worker role on a desktop.
  expect(first.events.find((e) => e.event === 'ready')).toMatchObject({ person: USERS.mod1, unverified: false, worker: false });
  // The moderator opened the cases while online (they are cached with their versions)...
  for (const c of cases) expect((await first.call('getCase', c.id)).value.stale).toBe(false);
  // ...then the network went away.
  pg.set('blackhole');
  mq.set('blackhole');
  const submitted: string[] = [];
  for (const c of cases) {
    const r = await first.call('submit', { type: 'decide', caseId: c.id, decision: 'remove', reason: 'threat, decided offline', commandId: h.cmdId(), expectedVersion: c.version });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    expect(r.value.state).toBe('pending');
    submitted.push(r.value.id);
  }
  first.child.kill('SIGKILL');
  await first.exited;

  const second = startProc();
  await waitFor(() => second.events.some((e) => e.event === 'ready'), { timeoutMs: 30_000, message: `restarted workstation ready\n${second.stderr()}` });
  // With the server unreachable it opens as the person it remembers, unverified until the server is back.
  expect(second.events.find((e) => e.event === 'ready')).toMatchObject({ person: USERS.mod1, unverified: true });
  const outbox = (await second.call('outbox')).value as Array<{ id: string; state: string }>;
  expect(outbox.filter((e) => submitted.includes(e.id)).map((e) => e.state)).toEqual(['pending', 'pending', 'pending', 'pending', 'pending']);
  pg.set('pass');
  mq.set('pass');
  await waitFor(
    async () => {
      const now = (await second.call('outbox')).value as Array<{ id: string; state: string }>;
      return now.filter((e) => submitted.includes(e.id)).every((e) => e.state === 'applied');
    },
    { timeoutMs: 60_000, message: 'all 5 applied' },
  );
  // Each state change was reported as it happened (the UI subscribes to the same events).
  for (const id of submitted) expect(second.events.filter((e) => e.id === id).map((e) => e.state)).toEqual(expect.arrayContaining(['applied']));
  second.child.kill('SIGTERM');
  await second.exited;

  for (const c of cases) await h.waitForStatus(c.id, 'actioned');
  for (const c of cases) expect(h.kinds(c.id)).toEqual(['remove_content']);
  // Applied once each, as the person whose login delivered them.
  const { rows } = await h.core.db.query(`SELECT status, actor, count(*)::int AS n FROM commands WHERE id = ANY($1) GROUP BY status, actor`, [submitted]);
  expect(rows).toEqual([{ status: 'applied', actor: USERS.mod1, n: 5 }]);
}, 180_000);
