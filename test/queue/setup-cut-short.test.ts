// The broker going silent while a channel is being set up (a desktop on a flaky route, right after it
// connected) must not end the process: amqp-connection-manager emits a setup cut short ("Channel ended,
// no reply will be forthcoming") as 'error' on the channel wrapper, which ends a process with no listener
// for it. Found in CI (test/offline/in-doubt.test.ts): the workstation process died this way, and its
// accepted decision was never reported delivered. Every 'up' here is the connection's own signal; the
// proxy delays each chunk so that the channels' setups are still in flight when the route goes dark.
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { declareBrokerTopology } from '../../src/core/setup/broker-setup.js';
import { cleanEnv, REPO } from '../support/cli.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { createTestVhost, waitFor, type TestVhost } from '../support/isolation.js';

let vhost: TestVhost;
let mq: FaultProxy;
beforeAll(async () => {
  vhost = await createTestVhost('cut');
  await declareBrokerTopology(vhost.url);
  mq = await startFaultProxy({ host: '127.0.0.1', port: Number(new URL(vhost.url).port || 5672) });
});
afterAll(async () => {
  await mq?.close();
  await vhost?.drop();
});

it('a broker silent in the middle of the channels’ setup: the process logs it, lives on and connects again', async () => {
  mq.set({ latencyMs: 150 });
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'test/queue/bus-child.ts')], {
    env: cleanEnv({ AMQP_URL: mq.url(vhost.url), GUARDIAN_LOG_LEVEL: 'info' }),
    cwd: REPO,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const states: string[] = [];
  readline.createInterface({ input: child.stdout! }).on('line', (l) => {
    states.push(l);
    // The connection is open; its channels are still opening and declaring (each chunk 150 ms late).
    if (l === 'up' && states.length === 1) mq.set('blackhole');
  });
  let exit: number | null | undefined;
  child.on('exit', (code) => (exit = code));
  const alive = () => (exit === undefined ? true : `the process ended (exit ${exit}):\n${stderr.slice(-3000)}`);
  try {
    await waitFor(() => states.includes('up'), { timeoutMs: 30_000, message: `connected through the slow route\n${stderr}` });
    // The heartbeat (1 s) finds the route dead and the setups in flight are cut short.
    await waitFor(() => exit !== undefined || /Channel ended/.test(stderr), { timeoutMs: 30_000, message: 'a channel setup cut short' });
    expect(alive()).toBe(true);
    expect(states).toContain('down');
    // Healed, it connects again by itself and sets its channels up anew.
    mq.set('pass');
    await waitFor(() => exit !== undefined || states.filter((s) => s === 'up').length >= 2, { timeoutMs: 60_000, message: 'connected again' });
    expect(alive()).toBe(true);
    expect(stderr).toMatch(/live events channel error/);
  } finally {
    child.stdin!.end();
    if (exit === undefined) await new Promise((r) => child.once('exit', r));
  }
}, 120_000);
