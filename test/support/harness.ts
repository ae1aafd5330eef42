import { randomUUID } from 'node:crypto';
import amqplib from 'amqplib';
import type { CaseStatus } from '../../src/shared/domain.js';
import { loadConfig } from '../../src/core/config.js';
import { createCore, type Core } from '../../src/core/core.js';
import { createLogger } from '../../src/core/log.js';
import type { Classifier } from '../../src/core/classify/classifier.js';
import type { PersonSession } from '../../src/core/session/person-session.js';
import { declareBrokerTopology } from '../../src/core/setup/broker-setup.js';
import { createTestVhost, waitFor, type TestDatabase, type TestVhost } from './isolation.js';
import { createTestInstallation, type TestInstallation, type TestPerson } from './installation.js';
import { startPlatformStub } from './platform-stub.js';

export const STUB_SECRET = 'test-webhook-secret-0123456789';

export const TEXT = {
  clean: 'Lovely weather for a walk by the river today.',
  threat: 'I will kill you if I see you again',
  insult: 'you are an idiot',
  spam: 'Buy cheap watches, click here http://spam.example/deal',
};

export const USERS = {
  mod1: 'mod-1',
  mod2: 'mod-2',
  sup1: 'sup-1',
  sup2: 'sup-2',
  admin: 'admin-1',
} as const;

export function contentMessage(contentId: string, text: string, extra: Record<string, unknown> = {}) {
  return {
    schemaVersion: 1,
    contentId,
    authorId: `author-${contentId}`,
    text,
    submittedAt: new Date().toISOString(),
    ...extra,
  };
}

/** An `appeal.submitted` message (DESIGN §5) for a case's content, as the platform sends it. */
export function appealMessage(c: { contentId: string; authorId: string }, reason = 'It was a quote from a film') {
  return { schemaVersion: 1, contentId: c.contentId, authorId: c.authorId, reason, submittedAt: new Date().toISOString() };
}

/** A plain amqplib publisher, as an outside platform would use: no code of ours in between. */
export async function plainPublisher(url: string) {
  const conn = await amqplib.connect(url);
  const ch = await conn.createConfirmChannel();
  await ch.assertExchange('moderation.ingest', 'topic', { durable: true });
  return {
    async publish(routingKey: string, body: unknown | Buffer) {
      const buf = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
      ch.publish('moderation.ingest', routingKey, buf, { persistent: true, contentType: 'application/json' });
      await ch.waitForConfirms();
    },
    channel: ch,
    close: async () => {
      await ch.close().catch(() => {});
      await conn.close().catch(() => {});
    },
  };
}

export interface Harness {
  /** The worker core (worker login; or, with worker: false, a core that only reads as the worker login). */
  core: Core;
  /** The installation: database, roles, the DBA for arranging and inspecting. */
  inst: TestInstallation;
  db: TestDatabase;
  vhost: TestVhost;
  stub: Awaited<ReturnType<typeof startPlatformStub>>;
  /** The worker's environment (DATABASE_URL is the worker login). */
  env: Record<string, string>;
  people: Record<string, TestPerson>;
  /** A session of one of the USERS (their own login), opened once and closed by close(). */
  as(userId: string): Promise<PersonSession>;
  /** Reads as admin-1 (everything a person may read). */
  api(): Promise<PersonSession>;
  /** The environment of a person's CLI: DATABASE_URL is their login. */
  envAs(userId: string): Record<string, string>;
  waitForStatus(caseId: string, status: CaseStatus | CaseStatus[], timeoutMs?: number): Promise<void>;
  caseByContent(contentId: string): Promise<{ id: string; status: CaseStatus; version: number } | undefined>;
  waitForCase(contentId: string, status: CaseStatus | CaseStatus[]): Promise<{ id: string; status: CaseStatus; version: number }>;
  cmdId(): string;
  /** Requests the platform stub received for a case, with their parsed bodies, in arrival order. */
  sent(caseId: string): Array<{ kind: string; actionId: string; idempotencyKey?: string; signatureValid: boolean; body: Record<string, unknown> }>;
  /** The action kinds the platform stub received for a case, in arrival order. */
  kinds(caseId: string): string[];
  close(): Promise<void>;
}

/**
 * A connected-mode installation on its own database, roles and vhost, with a signature-checking platform
 * stub: the worker core runs as the worker login and every person acts through their own login (DESIGN
 * §10); only the setup (and a test's arranging or inspecting, through inst.dba) is the superuser.
 */
export async function startHarness(opts: { worker?: boolean; classifier?: Classifier; env?: Record<string, string> } = {}): Promise<Harness> {
  const inst = await createTestInstallation();
  const vhost = await createTestVhost();
  await declareBrokerTopology(vhost.url);
  const stub = await startPlatformStub({ secret: STUB_SECRET });
  const env = {
    DATABASE_URL: inst.workerUrl,
    AMQP_URL: vhost.url,
    PLATFORM_URL: stub.url,
    PLATFORM_WEBHOOK_SECRET: STUB_SECRET,
    GUARDIAN_ROLE_PREFIX: inst.roles.prefix,
    GUARDIAN_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
    // The tests written before issue 15 read guardian.dead themselves; the dead letters console's opt in.
    GUARDIAN_DEAD_LETTERS: 'queue',
    ...opts.env,
  };
  const people: Record<string, TestPerson> = {};
  for (const [key, id] of Object.entries(USERS)) {
    const role = key.startsWith('mod') ? 'moderator' : key.startsWith('sup') ? 'supervisor' : 'admin';
    people[id] = await inst.person(id, role);
  }
  const config = loadConfig(env);
  const core = await createCore({ config, logger: createLogger({ level: env.GUARDIAN_LOG_LEVEL }), worker: opts.worker ?? true, classifier: opts.classifier });
  await core.start();
  const sessions = new Map<string, Promise<PersonSession>>();
  const as = (userId: string) => {
    let s = sessions.get(userId);
    if (!s) {
      const p = people[userId];
      if (!p) throw new Error(`no test person ${userId}`);
      sessions.set(userId, (s = core.openSession({ login: p.login, password: p.password, tool: 'cli' })));
    }
    return s;
  };
  const caseByContent = async (contentId: string) => {
    const { rows } = await core.db.query('SELECT id, status, version FROM cases WHERE content_id = $1', [contentId]);
    return rows[0];
  };
  function sent(caseId: string) {
    return stub.requests
        .map((q) => {
          try {
            return { kind: q.kind!, actionId: q.actionId!, idempotencyKey: q.idempotencyKey, signatureValid: q.signatureValid, body: JSON.parse(q.body) as Record<string, unknown> };
          } catch {
            return undefined;
          }
        })
        .filter((q): q is NonNullable<typeof q> => q?.body.caseId === caseId);
  }
  const statusOf = async (caseId: string) => (await core.db.query('SELECT status FROM cases WHERE id = $1', [caseId])).rows[0]?.status;
  return {
    core,
    inst,
    db: inst.db,
    vhost,
    stub,
    env,
    people,
    as,
    api: () => as(USERS.admin),
    envAs: (userId) => ({ ...env, DATABASE_URL: people[userId]!.url, PLATFORM_URL: '', PLATFORM_WEBHOOK_SECRET: '' }),
    caseByContent,
    async waitForStatus(caseId, status, timeoutMs = 30_000) {
      const want = Array.isArray(status) ? status : [status];
      await waitFor(async () => want.includes(await statusOf(caseId)), { timeoutMs, message: `case ${caseId} never reached ${want.join('|')}` });
    },
    async waitForCase(contentId, status) {
      const want = Array.isArray(status) ? status : [status];
      return waitFor(
        async () => {
          const c = await caseByContent(contentId);
          return c && want.includes(c.status) ? c : undefined;
        },
        { timeoutMs: 30_000, message: `content ${contentId} never reached ${want.join('|')}` },
      );
    },
    cmdId: () => randomUUID(),
    sent,
    kinds: (caseId) => sent(caseId).map((q) => q.kind),
    async close() {
      for (const s of sessions.values()) await s.then((x) => x.close()).catch(() => {});
      await core.stop().catch(() => {});
      await stub.close();
      await vhost.drop().catch(() => {});
      await inst.drop().catch(() => {});
    },
  };
}
