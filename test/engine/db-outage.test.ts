import amqplib from 'amqplib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.js';
import { createCore, type Core } from '../../src/core/core.js';
import { createLogger } from '../../src/core/log.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { contentMessage, plainPublisher, STUB_SECRET, TEXT } from '../support/harness.js';
import { createTestInstallation, type TestInstallation } from '../support/installation.js';
import { createTestVhost, waitFor, type TestVhost } from '../support/isolation.js';
import { startPlatformStub, type PlatformStub } from '../support/platform-stub.js';

let inst: TestInstallation;
let vhost: TestVhost;
let stub: PlatformStub;
let proxy: FaultProxy;
let worker: Core;

beforeAll(async () => {
  inst = await createTestInstallation();
  vhost = await createTestVhost();
  stub = await startPlatformStub({ secret: STUB_SECRET });
  proxy = await startFaultProxy({ host: '127.0.0.1', port: Number(new URL(inst.dbaUrl).port || 5432) });
  // A worker (its own login) whose database connection goes through a proxy that can cut it.
  const env = {
    DATABASE_URL: proxy.url(inst.workerUrl),
    AMQP_URL: vhost.url,
    GUARDIAN_ROLE_PREFIX: inst.roles.prefix,
    PLATFORM_URL: stub.url,
    PLATFORM_WEBHOOK_SECRET: STUB_SECRET,
    GUARDIAN_LOG_LEVEL: 'error',
  };
  worker = await createCore({ config: loadConfig(env), logger: createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), worker: true, maxAttempts: 2 });
  await worker.start();
});
afterAll(async () => {
  proxy?.set('pass');
  await worker?.stop();
  await proxy?.close();
  await stub?.close();
  await vhost?.drop();
  await inst?.drop();
});

it('a database outage on the worker delays work but never dead-letters it or fails cases', async () => {
  proxy.set('reset'); // connections refused: every attempt fails at once
  // The worker process has no connectivity probe of its own (sessions do): its health check says it.
  await waitFor(async () => (await worker.health()).database.state === 'down', { timeoutMs: 10_000, message: 'worker sees the database down' });
  const pub = await plainPublisher(vhost.url);
  for (let i = 0; i < 5; i++) await pub.publish('content.submitted', contentMessage(`outage-${i}`, i % 2 ? TEXT.threat : TEXT.clean));
  await pub.close();
  // Far more failed attempts than maxAttempts (2) happen while the database is away (each is a refused
  // connection at the proxy)...
  const before = proxy.accepted();
  await waitFor(() => proxy.accepted() - before >= 15, { timeoutMs: 60_000, message: 'many refused database connections' });
  const conn = await amqplib.connect(vhost.url);
  const ch = await conn.createChannel();
  proxy.set('pass');
  // ...and after the heal every case is there and analysed; nothing was dead-lettered.
  await waitFor(
    async () => {
      const { rows } = await worker.db.query(`SELECT count(*)::int AS n FROM cases WHERE status IN ('auto_resolved', 'awaiting_review')`);
      return rows[0].n === 5;
    },
    { timeoutMs: 60_000, message: 'all 5 cases analysed after the outage' },
  );
  expect((await ch.checkQueue('guardian.dead')).messageCount).toBe(0);
  const { rows } = await worker.db.query(`SELECT count(*)::int AS n FROM cases WHERE status = 'failed'`);
  expect(rows[0].n).toBe(0);
  await conn.close();
}, 120_000);
