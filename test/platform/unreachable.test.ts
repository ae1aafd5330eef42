/**
 * Issue 12, must show 2: a platform that refuses connections or never answers is not a database outage.
 * The worker retries it with backoff up to a bound (the webhook's attempts per job × the job's deliveries),
 * then the case is `failed` for an operator with "platform unreachable" and the last error; the action
 * stays pending with that error (it may or may not have reached the platform, so it is never marked done
 * or failed for good). Real parts only: the worker core on its own login, RabbitMQ, and a node:http server
 * standing in for the platform, closed (ECONNREFUSED) or accepting and never answering.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.js';
import { createCore, type Core } from '../../src/core/core.js';
import { createLogger } from '../../src/core/log.js';
import { createWebhookPlatform } from '../../src/core/platform/webhook.js';
import type { PersonSession } from '../../src/core/session/person-session.js';
import { declareBrokerTopology } from '../../src/core/setup/broker-setup.js';
import { contentMessage, plainPublisher, STUB_SECRET, TEXT } from '../support/harness.js';
import { createTestInstallation, type TestInstallation } from '../support/installation.js';
import { createTestVhost, waitFor, type TestVhost } from '../support/isolation.js';

// Tiny backoffs so the bound is reached quickly; nothing below asserts on time.
const WEBHOOK_ATTEMPTS = 2;
const JOB_ATTEMPTS = 3;

/** A platform stand-in on a fixed port: closed (refuses connections) or accepting and never answering. */
function platformPort() {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  let port = 0;
  let received = 0;
  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get received() {
      return received;
    },
    /** Listens once to get a free port, then closes it: connections to it are refused. */
    async refuse() {
      if (!server) {
        server = createServer();
        server.listen(port, '127.0.0.1');
        await once(server, 'listening');
        port = (server.address() as AddressInfo).port;
      }
      const s = server;
      server = undefined;
      const closed = new Promise((resolve) => s.close(resolve));
      for (const k of sockets) k.destroy();
      await closed;
    },
    /** Accepts on the same port and reads every request whole, but never answers. */
    async hang() {
      server = createServer((req) => {
        req.resume();
        req.on('end', () => received++);
      });
      server.on('connection', (k) => {
        sockets.add(k);
        k.on('close', () => sockets.delete(k));
      });
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
    },
  };
}

let inst: TestInstallation;
let vhost: TestVhost;
let core: Core;
let mod: PersonSession;
let pub: Awaited<ReturnType<typeof plainPublisher>>;
const platform = platformPort();

beforeAll(async () => {
  await platform.refuse();
  inst = await createTestInstallation();
  vhost = await createTestVhost();
  await declareBrokerTopology(vhost.url);
  const person = await inst.person('mod-1', 'moderator');
  const config = loadConfig({
    DATABASE_URL: inst.workerUrl,
    AMQP_URL: vhost.url,
    GUARDIAN_ROLE_PREFIX: inst.roles.prefix,
    GUARDIAN_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  });
  const logger = createLogger({ level: config.logLevel });
  core = await createCore({
    config,
    logger,
    worker: true,
    maxAttempts: JOB_ATTEMPTS,
    // The real webhook adapter against the stand-in; only its retry timings are made small.
    platform: createWebhookPlatform({
      url: platform.url,
      secret: STUB_SECRET,
      timeoutMs: 300,
      logger,
      retry: { maxAttempts: WEBHOOK_ATTEMPTS, initialDelayMs: 1, maxDelayMs: 5 },
    }),
  });
  await core.start();
  mod = await core.openSession({ login: person.login, password: person.password, tool: 'cli' });
  pub = await plainPublisher(vhost.url);
}, 60_000);

afterAll(async () => {
  await pub?.close();
  await mod?.close().catch(() => {});
  await core?.stop().catch(() => {});
  await platform.refuse().catch(() => {});
  await vhost?.drop().catch(() => {});
  await inst?.drop().catch(() => {});
});

async function decidedCase(tag: string) {
  const contentId = `${tag}-${Date.now().toString(36)}`;
  await pub.publish('content.submitted', contentMessage(contentId, TEXT.threat));
  const c = await waitFor(
    async () => (await core.db.query('SELECT id, status, version FROM cases WHERE content_id = $1', [contentId])).rows.find((r) => r.status === 'awaiting_review'),
    { timeoutMs: 30_000, message: `${contentId} awaiting review` },
  );
  const commandId = `cmd-${tag}-${Date.now().toString(36)}`;
  const r = await mod.execute({ type: 'decide', caseId: c.id, decision: 'remove', reason: 'credible threat', tool: 'cli', commandId, expectedVersion: c.version });
  expect(r.status).toBe('accepted');
  return { caseId: c.id as string, commandId };
}

async function waitFailed(caseId: string) {
  return waitFor(
    async () => {
      const { rows } = await inst.dba('SELECT status, failure_reason FROM cases WHERE id = $1', [caseId]);
      return rows[0]?.status === 'failed' ? rows[0] : undefined;
    },
    { timeoutMs: 60_000, message: `case ${caseId} failed` },
  );
}

describe('platform connection errors (issue 12, must show 2)', () => {
  it('ECONNREFUSED: bounded retries, then the case is failed "platform unreachable" with the last error', async () => {
    const { caseId, commandId } = await decidedCase('refused');
    const failed = await waitFailed(caseId);
    expect(failed.failure_reason).toMatch(new RegExp(`^platform unreachable after ${WEBHOOK_ATTEMPTS} attempt\\(s\\): network error: .*ECONNREFUSED`));

    // The bound: one recorded attempt per job delivery, no more.
    const { rows: actions } = await inst.dba('SELECT kind, status, attempts, last_error FROM actions WHERE case_id = $1', [caseId]);
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({ kind: 'remove_content', status: 'pending', attempts: JOB_ATTEMPTS });
    expect(actions[0].last_error).toMatch(/platform unreachable .*ECONNREFUSED/);
    const { rows: cmds } = await inst.dba('SELECT status, result FROM commands WHERE id = $1', [commandId]);
    expect(cmds[0]).toMatchObject({ status: 'failed', result: { error: expect.stringMatching(/platform unreachable/) } });

    // What an operator sees, through a person's own login.
    const detail = await mod.getCase(caseId);
    expect(detail.status).toBe('failed');
    expect(detail.failureReason).toMatch(/platform unreachable .*ECONNREFUSED/);
    expect(detail.timeline.filter((e) => e.type === 'case.failed')).toHaveLength(1);
  }, 90_000);

  it('a platform that accepts and never answers: each attempt times out, bounded, then failed with the timeout', async () => {
    await platform.hang();
    try {
      const { caseId } = await decidedCase('hang');
      const failed = await waitFailed(caseId);
      expect(failed.failure_reason).toMatch(new RegExp(`^platform unreachable after ${WEBHOOK_ATTEMPTS} attempt\\(s\\): timeout after 300 ms`));
      // Every attempt reached the stand-in: webhook attempts × job deliveries, and then no more.
      expect(platform.received).toBe(WEBHOOK_ATTEMPTS * JOB_ATTEMPTS);
      const { rows } = await inst.dba('SELECT status, attempts FROM actions WHERE case_id = $1', [caseId]);
      expect(rows[0]).toMatchObject({ status: 'pending', attempts: JOB_ATTEMPTS });
    } finally {
      await platform.refuse();
    }
  }, 90_000);
});
