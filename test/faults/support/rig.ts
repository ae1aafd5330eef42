/**
 * The fault plan's rig: a connected installation (worker login, person logins) on a PostgreSQL and a
 * RabbitMQ that the test may own (a private cluster / node it stops and kills) or the shared ones, a
 * real local HTTP platform stand-in (test/support/platform-stub.ts: signature checked, each
 * Idempotency-Key executed at most once) and the worker core in process.
 *
 * checkInvariants() is the checker's verdict after a fault: lost = 0, duplicated effects = 0, no stuck
 * command, audit chain intact.
 */
import type { EventEmitter } from 'node:events';
import amqplib from 'amqplib';
import type pg from 'pg';
import { verifyAudit } from '../../../src/core/audit/verify.js';
import { loadConfig } from '../../../src/core/config.js';
import { createCore, type Core } from '../../../src/core/core.js';
import { createLogger } from '../../../src/core/log.js';
import type { PersonSession } from '../../../src/core/session/person-session.js';
import { declareBrokerTopology } from '../../../src/core/setup/broker-setup.js';
import { contentMessage, STUB_SECRET } from '../../support/harness.js';
import { createTestInstallation, type TestInstallation, type TestPerson } from '../../support/installation.js';
import { createTestVhost, waitFor } from '../../support/isolation.js';
import { startPlatformStub, type PlatformStub } from '../../support/platform-stub.js';

export interface Rig {
  inst: TestInstallation;
  /** The broker URL the worker and the platform use. */
  amqpUrl: string;
  stub: PlatformStub;
  core: Core;
  env: Record<string, string>;
  people: Record<string, TestPerson>;
  /** Reads as an admin person. */
  reader: pg.Pool;
  /** A person's session on the worker core (their own login). */
  as(id: string): Promise<PersonSession>;
  close(): Promise<void>;
}

/** inProcessWorker false: the core here only serves sessions; the test runs `guardian worker` itself. */
export async function startRig(o: { pgAdminUrl?: string; amqpUrl?: string; env?: Record<string, string>; inProcessWorker?: boolean; moderators?: string[] } = {}): Promise<Rig> {
  const inst = await createTestInstallation({ adminUrl: o.pgAdminUrl });
  const vhost = o.amqpUrl ? undefined : await createTestVhost();
  const amqpUrl = o.amqpUrl ?? vhost!.url;
  // What `guardian setup` does on the broker.
  await declareBrokerTopology(amqpUrl);
  const stub = await startPlatformStub({ secret: STUB_SECRET });
  const people: Record<string, TestPerson> = {
    'mod-1': await inst.person('mod-1', 'moderator'),
    'admin-1': await inst.person('admin-1', 'admin'),
  };
  for (const id of o.moderators ?? []) people[id] = await inst.person(id, 'moderator');
  const env = {
    DATABASE_URL: inst.workerUrl,
    AMQP_URL: amqpUrl,
    GUARDIAN_ROLE_PREFIX: inst.roles.prefix,
    PLATFORM_URL: stub.url,
    PLATFORM_WEBHOOK_SECRET: STUB_SECRET,
    GUARDIAN_PREFETCH: '4',
    GUARDIAN_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...o.env,
  };
  const core = await createCore({ config: loadConfig(env), logger: createLogger({ level: env.GUARDIAN_LOG_LEVEL }), worker: o.inProcessWorker ?? true });
  await core.start();
  const sessions = new Map<string, Promise<PersonSession>>();
  return {
    inst,
    amqpUrl,
    stub,
    core,
    env,
    people,
    reader: inst.pool(people['admin-1']!.url, 2),
    as(id) {
      let s = sessions.get(id);
      if (!s) sessions.set(id, (s = core.openSession({ login: people[id]!.login, password: people[id]!.password, tool: 'cli' })));
      return s;
    },
    async close() {
      for (const s of sessions.values()) await s.then((x) => x.close()).catch(() => {});
      await core.stop().catch(() => {});
      await stub.close();
      await vhost?.drop().catch(() => {});
      await inst.drop().catch(() => {});
    },
  };
}

/**
 * A platform publishing as the ingest contract asks (README): persistent, with confirms, and a message
 * whose confirm did not come (connection lost, broker down, timeout) sent again — the same contentId is
 * one case, so a resend is harmless. Resolves when every message is confirmed.
 */
export async function publishAll(
  url: string,
  messages: Array<{ contentId: string; text: string; extra?: Record<string, unknown> }>,
  o: { confirmTimeoutMs?: number; events?: EventEmitter } = {},
) {
  let conn: amqplib.ChannelModel | undefined;
  let ch: amqplib.ConfirmChannel | undefined;
  let resends = 0;
  const drop = async () => {
    const c = conn;
    conn = undefined;
    ch = undefined;
    await c?.close().catch(() => {});
  };
  const channel = async () => {
    if (ch) return ch;
    const c = await amqplib.connect(url);
    c.on('error', () => {});
    // connection.blocked: the broker holds every publish of this connection (a resource alarm)
    c.on('blocked', (reason: string) => o.events?.emit('blocked', reason));
    c.on('unblocked', () => o.events?.emit('unblocked'));
    c.on('close', () => {
      if (conn === c) {
        conn = undefined;
        ch = undefined;
      }
    });
    conn = c;
    ch = await c.createConfirmChannel();
    ch.on('error', () => {});
    return ch;
  };
  for (const [i, m] of messages.entries()) {
    for (let attempt = 1; ; attempt++) {
      try {
        const c = await channel();
        const body = Buffer.from(JSON.stringify(contentMessage(m.contentId, m.text, m.extra)));
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error('confirm timeout')), o.confirmTimeoutMs ?? 10_000);
          c.publish('moderation.ingest', 'content.submitted', body, { persistent: true, contentType: 'application/json', messageId: m.contentId }, (err) => {
            clearTimeout(t);
            if (err) reject(err instanceof Error ? err : new Error(String(err)));
            else resolve();
          });
        });
        o.events?.emit('confirmed', m.contentId);
        break;
      } catch (err) {
        resends++;
        o.events?.emit('failed', err);
        await drop();
        // the broker is away: the platform backs off before its next try
        await new Promise((r) => setTimeout(r, Math.min(2_000, 100 * attempt)));
      }
    }
    void i;
  }
  await drop();
  return { resends };
}

export interface Invariants {
  lost: string[];
  duplicatedEffects: string[];
  stuckCommands: string[];
  stuckCases: string[];
  auditOk: boolean;
  auditProblems: unknown[];
}

const DONE = ['auto_resolved', 'awaiting_review', 'actioned', 'closed'];

/**
 * The checker. lost: content that never became a case or whose case never settled; duplicated effects:
 * an Idempotency-Key executed (2xx) more than once, a repeat with other content, or one case getting the
 * same kind of action under two ids; stuck: a command still only accepted, a case executing/analysing;
 * audit: every hash chain recomputed outside the database.
 */
export async function checkInvariants(rig: Rig, contentIds: string[]): Promise<Invariants> {
  const { rows: cases } = await rig.reader.query<{ id: string; content_id: string; status: string }>('SELECT id, content_id, status FROM cases');
  const byContent = new Map(cases.map((c) => [c.content_id, c]));
  const lost = contentIds.filter((id) => !DONE.includes(byContent.get(id)?.status ?? 'missing'));
  const duplicatedEffects: string[] = [];
  const executedByKey = new Map<string, number>();
  for (const r of rig.stub.requests) {
    if (r.status !== undefined && r.status >= 200 && r.status < 300 && r.idempotencyKey) executedByKey.set(r.idempotencyKey, (executedByKey.get(r.idempotencyKey) ?? 0) + 1);
  }
  for (const [key, n] of executedByKey) if (n > 1) duplicatedEffects.push(`${key} executed ${n}×`);
  for (const c of rig.stub.conflicts) duplicatedEffects.push(`${c.idempotencyKey} repeated with other content`);
  const perCaseKind = new Map<string, Set<string>>();
  for (const a of rig.stub.executed.values()) {
    const k = `${a.caseId}/${a.kind}`;
    perCaseKind.set(k, (perCaseKind.get(k) ?? new Set()).add(a.actionId));
  }
  for (const [k, ids] of perCaseKind) if (ids.size > 1) duplicatedEffects.push(`${k} under ${ids.size} action ids`);
  const { rows: cmds } = await rig.reader.query<{ id: string }>(`SELECT id FROM commands WHERE status = 'accepted'`);
  const stuckCases = cases.filter((c) => ['executing', 'analyzing', 'reversing', 'failed'].includes(c.status)).map((c) => `${c.content_id}:${c.status}`);
  const audit = await verifyAudit(rig.reader);
  return { lost, duplicatedEffects, stuckCommands: cmds.map((c) => c.id), stuckCases, auditOk: audit.ok, auditProblems: audit.problems };
}

/** Waits until every content id is a settled case and no command is left only accepted. */
export async function waitSettled(rig: Rig, contentIds: string[], timeoutMs = 180_000) {
  await waitFor(
    async () => {
      const inv = await checkInvariants(rig, contentIds);
      return inv.lost.length === 0 && inv.stuckCommands.length === 0 && inv.stuckCases.length === 0;
    },
    { timeoutMs, intervalMs: 250, message: `${contentIds.length} cases settled, no command left accepted` },
  ).catch(async (err: Error) => {
    const inv = await checkInvariants(rig, contentIds).catch((e: Error) => e.message);
    throw new Error(`${err.message}\n${JSON.stringify(inv).slice(0, 3000)}`);
  });
}

/** Decides a case as mod-1, resending the same command id until the database answers (applied once). */
export async function decideUntilAnswered(rig: Rig, caseId: string, commandId: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      const s = await rig.as('mod-1');
      return await s.execute({ type: 'decide', caseId, decision: 'remove', reason: 'threat', tool: 'cli', commandId });
    } catch (err) {
      const code = (err as { code?: string }).code;
      // A resend whose first try was committed is "already decided/duplicate": the command is in.
      if (code === 'conflict' || (err as { details?: { duplicate?: boolean } }).details?.duplicate) return undefined;
      if (attempt > 200) throw err;
      await new Promise((r) => setTimeout(r, Math.min(1_000, 50 * attempt)));
    }
  }
}
