// Issue 12, must show 3: restarted while both servers are blackholed, the workstation is usable (signed in
// as the remembered person, database shown offline, the cached queue readable) as soon as the probe has
// found the database silent (~3 s), not after the pool's 15 s connect timeout. Not a timed assertion:
// the state is awaited, and the time it took is printed (BENCHMARKS.md).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { contentMessage, plainPublisher, startHarness, TEXT, USERS, type Harness } from '../support/harness.js';
import { waitFor } from '../support/isolation.js';
import { startProc } from './proc.js';

let h: Harness;
let pg: FaultProxy;
let mq: FaultProxy;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guardian-restart-'));

beforeAll(async () => {
  h = await startHarness();
  pg = await startFaultProxy({ host: '127.0.0.1', port: Number(new URL(h.db.url).port || 5432) });
  mq = await startFaultProxy({ host: '127.0.0.1', port: Number(new URL(h.vhost.url).port || 5672) });
});
afterAll(async () => {
  await pg?.close();
  await mq?.close();
  await h?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

it('restarted with both servers blackholed, it opens on the cache with the database shown offline within seconds', async () => {
  const pub = await plainPublisher(h.vhost.url);
  const contentId = `restart-${h.cmdId()}`;
  await pub.publish('content.submitted', contentMessage(contentId, TEXT.threat));
  await pub.close();
  const c = await h.waitForCase(contentId, 'awaiting_review');

  const first = startProc(h, { pg, mq, dataDir, user: USERS.mod1 });
  await waitFor(() => first.events.some((e) => e.event === 'ready'), { timeoutMs: 30_000, message: `workstation ready\n${first.stderr()}` });
  // Online once: the queue and the case are cached.
  expect((await first.call('listCases', { status: ['awaiting_review'], limit: 1000 })).value.stale).toBe(false);
  expect((await first.call('getCase', c.id)).value.stale).toBe(false);
  first.child.kill('SIGKILL');
  await first.exited;

  pg.set('blackhole');
  mq.set('blackhole');
  const second = startProc(h, { pg, mq, dataDir, user: USERS.mod1 });
  await waitFor(() => second.events.some((e) => e.event === 'ready'), { timeoutMs: 60_000, message: `restarted workstation ready\n${second.stderr()}` });
  const ready = second.events.find((e) => e.event === 'ready')!;
  expect(ready).toMatchObject({ person: USERS.mod1, unverified: true });
  const connection = (await second.call('connection')).value;
  expect(connection).toEqual({ database: 'down', broker: 'down' });
  const queue = (await second.call('listCases', { status: ['awaiting_review'], limit: 1000 })).value;
  expect(queue.stale).toBe(true);
  expect(queue.value.map((x: { id: string }) => x.id)).toContain(c.id);
  const usableMs = Date.now() - second.spawned;
  // Process start (tsx, imports) included: the UI is usable from here.
  console.log(`[measure] restart with both servers blackholed: seat opened in ${ready.openMs} ms; process ready after ${ready.at} ms, database shown offline and cached queue read after ${usableMs} ms from spawn`);
  // The seat opened without waiting out the pool's 15 s connect timeout (the probe's ~3 s decided it).
  expect(ready.openMs).toBeLessThan(10_000);

  pg.set('pass');
  mq.set('pass');
  await waitFor(async () => (await second.call('connection')).value.database === 'up', { timeoutMs: 30_000, message: 'database back' });
  second.child.kill('SIGTERM');
  await second.exited;
}, 180_000);
