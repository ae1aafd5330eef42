import { randomUUID } from 'node:crypto';
import amqplib from 'amqplib';
import type { CaseStatus } from '../../src/shared/domain.js';
import { loadConfig } from '../../src/core/config.js';
import { createCore, type Core } from '../../src/core/core.js';
import { createLogger } from '../../src/core/log.js';
import type { Classifier } from '../../src/core/classify/classifier.js';
import { createTestDatabase, createTestVhost, waitFor, type TestDatabase, type TestVhost } from './isolation.js';
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
  core: Core;
  db: TestDatabase;
  vhost: TestVhost;
  stub: Awaited<ReturnType<typeof startPlatformStub>>;
  env: Record<string, string>;
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

/** A connected-mode core on its own database and vhost, with a signature-checking platform stub. */
export async function startHarness(opts: { worker?: boolean; classifier?: Classifier; env?: Record<string, string> } = {}): Promise<Harness> {
  const db = await createTestDatabase();
  const vhost = await createTestVhost();
  const stub = await startPlatformStub({ secret: STUB_SECRET });
  const env = {
    DATABASE_URL: db.url,
    AMQP_URL: vhost.url,
    PLATFORM_URL: stub.url,
    PLATFORM_WEBHOOK_SECRET: STUB_SECRET,
    GUARDIAN_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
    ...opts.env,
  };
  const config = loadConfig(env);
  const core = await createCore({ config, logger: createLogger({ level: env.GUARDIAN_LOG_LEVEL }), worker: opts.worker ?? true, classifier: opts.classifier });
  await core.start();
  for (const [key, id] of Object.entries(USERS)) {
    const role = key.startsWith('mod') ? 'moderator' : key.startsWith('sup') ? 'supervisor' : 'admin';
    await core.addModerator({ id, role, actor: 'test', tool: 'cli' });
  }
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
    db,
    vhost,
    stub,
    env,
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
      await core.stop().catch(() => {});
      await stub.close();
      await vhost.drop().catch(() => {});
      await db.drop().catch(() => {});
    },
  };
}
