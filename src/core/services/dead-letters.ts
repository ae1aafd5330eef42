// Dead letters (issue 15). Two halves, so that no desktop needs rights on the broker's guardian.dead:
// - the worker's keeper takes each message from guardian.dead into the dead_letters table (acked only after
//   the row is committed) and carries out the replays admins asked for (publish back to the source, then
//   worker.dead_letter_replayed);
// - a person's client (CLI, app) reads the list and asks for replays and discards through the admin-only
//   database functions (api.dead_letters, api.dead_letter, api.dead_letter_replay, api.dead_letter_discard).
import { createHash } from 'node:crypto';
import type { DeadLetterActionResult, DeadLetterDetail, DeadLettersQuery, DeadLetterSummary } from '../../shared/dead-letters.js';
import { DeadLetterIds } from '../../shared/dead-letters.js';
import { GuardianError, invalidInput } from '../errors.js';
import type { Logger } from '../ports.js';
import { deadLetterBody } from '../queue/amqp-bus.js';
import type { Bus, DeadDelivery } from '../queue/bus.js';
import { DEAD_HEADERS } from '../queue/topology.js';
import { dbCall } from '../store/db-errors.js';
import { isConnectionError, type Db, type Queryable } from '../store/db.js';

/** The advisory lock one worker holds while it carries out replays (several workers never replay one twice). */
const REPLAY_LOCK = 7_412_015;
const EXCERPT_CHARS = 300;

// Headers that describe a dead-lettering (ours and RabbitMQ's), not the message: a replay leaves them behind.
const DEATH_HEADERS = /^(x-guardian-|x-death$|x-first-death-|x-last-death-|x-delivery-count$|x-original-routing-key$)/;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('utf8') : undefined);
const num = (v: unknown): number | undefined => (v === undefined || v === null || v === '' || !Number.isFinite(Number(v)) ? undefined : Number(v));

/** jsonb holds no NUL: what a publisher put in a header is kept readable, minus those. */
function jsonHeaders(h: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(h, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('utf8') : typeof v === 'bigint' ? String(v) : v)).replace(/\\u0000/g, '')) as Record<string, unknown>;
}

/** What a message on guardian.dead was: from our headers, else from RabbitMQ's x-death (a delivery limit). */
export function describeDeadDelivery(d: DeadDelivery) {
  const h = d.headers;
  const death = Array.isArray(h['x-death']) ? (h['x-death'][0] as Record<string, unknown> | undefined) : undefined;
  const deathKeys = death && Array.isArray(death['routing-keys']) ? (death['routing-keys'] as unknown[]) : [];
  const reason =
    str(h[DEAD_HEADERS.reason]) ??
    (death ? `dead-lettered by the broker: ${str(death.reason) ?? 'unknown'}${num(death.count) ? ` after ${num(death.count)} deliveries` : ''}` : 'unknown (no reason header)');
  const kept = d.body.length > 512 * 1024 ? deadLetterBody(d.body) : undefined;
  const body = kept?.body ?? d.body;
  return {
    reason: reason.slice(0, 2000),
    sourceQueue: str(h[DEAD_HEADERS.queue]) ?? str(h['x-first-death-queue']) ?? str(death?.queue) ?? 'unknown',
    routingKey: str(h[DEAD_HEADERS.routingKey]) ?? str(h['x-original-routing-key']) ?? str(deathKeys[0]) ?? '',
    messageId: d.messageId ?? null,
    contentType: d.contentType ?? null,
    body,
    bodyBytes: num(h[DEAD_HEADERS.bodyBytes]) ?? d.body.length,
    bodyTruncated: h[DEAD_HEADERS.bodyTruncated] === true || !!kept,
    bodySha256: str(h[DEAD_HEADERS.bodySha256]) ?? (kept ? createHash('sha256').update(d.body).digest('hex') : null),
    attempts: num(h[DEAD_HEADERS.attempts]) ?? num(death?.count) ?? 0,
    replays: num(h[DEAD_HEADERS.replays]) ?? 0,
    headers: jsonHeaders(h),
  };
}

export interface DeadLetterKeeperOptions {
  db: Db;
  bus: Bus;
  logger: Logger;
  /** How often the worker looks for replays to carry out. */
  pollMs?: number;
}

/** The worker's half: intake of guardian.dead and the replays. */
export function createDeadLetterKeeper(o: DeadLetterKeeperOptions) {
  const log = o.logger.child({ part: 'dead-letters' });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let stopped = false;

  async function record(d: DeadDelivery) {
    const x = describeDeadDelivery(d);
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([x.sourceQueue, x.routingKey, x.messageId, x.replays, x.attempts, x.reason]))
      .update(x.body)
      .digest('hex');
    const { rows } = await o.db.query<{ r: { id: number; new: boolean } }>(
      `SELECT worker.record_dead_letter(p_fingerprint => $1, p_reason => $2, p_source_queue => $3, p_routing_key => $4,
              p_message_id => $5, p_content_type => $6, p_body => $7, p_body_bytes => $8, p_body_truncated => $9,
              p_body_sha256 => $10, p_headers => $11, p_attempts => $12, p_replays => $13) AS r`,
      [fingerprint, x.reason, x.sourceQueue, x.routingKey, x.messageId, x.contentType, x.body, x.bodyBytes, x.bodyTruncated, x.bodySha256, JSON.stringify(x.headers), x.attempts, x.replays],
    );
    log.info({ id: rows[0]!.r.id, new: rows[0]!.r.new, reason: x.reason, queue: x.sourceQueue }, 'dead letter recorded');
  }

  /** Carries out the replays asked for; returns how many went out. One worker at a time (advisory lock). */
  async function replayOnce(): Promise<number> {
    return o.db.tx(async (q) => {
      const { rows: lock } = await q.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [REPLAY_LOCK]);
      if (!lock[0]!.ok) return 0;
      const { rows } = await q.query<{ id: number; source_queue: string; routing_key: string; message_id: string | null; content_type: string | null; body: Buffer; headers: Record<string, unknown>; replays: number }>(
        `SELECT id, source_queue, routing_key, message_id, content_type, body, headers, replays FROM dead_letters
          WHERE state = 'pending' AND replay_requested_at IS NOT NULL AND NOT body_truncated
          ORDER BY replay_requested_at, id LIMIT 100`,
      );
      let n = 0;
      for (const r of rows) {
        const headers = Object.fromEntries(Object.entries(r.headers ?? {}).filter(([k]) => !DEATH_HEADERS.test(k)));
        // Published (and confirmed) before it is marked: a crash in between replays it again, which the
        // ingest (one case per contentId) and the command jobs (applied once) absorb.
        await o.bus.replayDeadLetter({ sourceQueue: r.source_queue, routingKey: r.routing_key, body: r.body, messageId: r.message_id ?? undefined, contentType: r.content_type ?? undefined, headers, replays: r.replays + 1 });
        await q.query('SELECT worker.dead_letter_replayed($1)', [r.id]);
        log.info({ id: r.id, queue: r.source_queue, routingKey: r.routing_key }, 'dead letter replayed');
        n++;
      }
      return n;
    });
  }

  const tick = () => {
    if (stopped) return;
    running = replayOnce()
      .catch((err: unknown) => {
        log.warn({ err: (err as Error).message, outage: isConnectionError(err) }, 'replaying dead letters failed; will try again');
        return 0;
      })
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(tick, o.pollMs ?? 2_000);
      });
  };

  return {
    async start() {
      stopped = false;
      await o.bus.consumeDeadLetters(record, { prefetch: 4 });
      timer = setTimeout(tick, o.pollMs ?? 2_000);
    },
    /** Carries out the requested replays now (the standalone CLI, after its command). */
    replayNow: () => replayOnce(),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

export type DeadLetterKeeper = ReturnType<typeof createDeadLetterKeeper>;

type Row = Omit<DeadLetterSummary, 'excerpt'> & { excerpt?: string; body?: string; headers?: Record<string, unknown>; replayCommandId?: string | null };
const decode = (b64: string) => Buffer.from(b64, 'base64');
const isUtf8 = (b: Buffer) => {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
};

function summary(r: Row): DeadLetterSummary {
  // The excerpt is the first 512 bytes: a character cut at the end is dropped, not shown as U+FFFD.
  const text = decode(r.excerpt ?? '').toString('utf8').replace(/\uFFFD$/, '');
  const { body: _b, headers: _h, replayCommandId: _c, ...rest } = r;
  return { ...rest, excerpt: text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text };
}

type ActionAnswer = {
  outcome: 'accepted' | 'applied' | 'rejected';
  duplicate: boolean;
  action?: 'replay' | 'discard';
  ids?: number[];
  skipped?: Array<{ id: number; why: string }>;
  error?: { code: GuardianError['code']; message: string; details?: Record<string, unknown> };
};

const checkIds = (ids: unknown): number[] => {
  const r = DeadLetterIds.safeParse(ids);
  if (!r.success) throw invalidInput(`ids: ${r.error.issues[0]!.message}`);
  return r.data;
};

/** A person's half: the admin-only reads and commands (the database refuses anyone else). */
export function createDeadLetterAdmin(db: Queryable, tool: 'cli' | 'ui' | 'api') {
  async function act(fn: 'dead_letter_replay' | 'dead_letter_discard', ids: number[], commandId: string): Promise<DeadLetterActionResult> {
    const { rows } = await dbCall(() =>
      db.query<{ r: ActionAnswer }>(`SELECT api.${fn}(p_ids => $1::bigint[], p_command_id => $2, p_tool => $3) AS r`, [checkIds(ids), commandId, tool]),
    );
    const a = rows[0]!.r;
    if (a.outcome === 'rejected') {
      const e = a.error ?? { code: 'internal' as const, message: 'rejected' };
      throw new GuardianError(e.code, e.message, { ...e.details, ...(a.duplicate ? { duplicate: true } : {}) });
    }
    return { commandId, status: a.outcome, duplicate: a.duplicate, action: a.action!, ids: a.ids ?? [], skipped: a.skipped ?? [] };
  }
  return {
    async list(q: DeadLettersQuery = {}): Promise<DeadLetterSummary[]> {
      const state = q.state === undefined ? 'pending' : q.state;
      const { rows } = await dbCall(() => db.query<{ r: Row[] }>('SELECT api.dead_letters(p_state => $1, p_limit => $2) AS r', [state, q.limit ?? 200]));
      return rows[0]!.r.map(summary);
    },
    async get(id: number): Promise<DeadLetterDetail> {
      if (!Number.isInteger(id) || id < 1) throw invalidInput('id: must be a positive whole number');
      const { rows } = await dbCall(() => db.query<{ r: Row & { body: string } }>('SELECT api.dead_letter(p_id => $1) AS r', [id]));
      const r = rows[0]!.r;
      const body = decode(r.body);
      return {
        ...summary({ ...r, excerpt: body.subarray(0, 512).toString('base64') }),
        body: body.toString('utf8'),
        bodyBase64: r.body,
        bodyIsUtf8: isUtf8(body),
        headers: r.headers ?? {},
        replayCommandId: r.replayCommandId ?? null,
      };
    },
    replay: (ids: number[], commandId: string) => act('dead_letter_replay', ids, commandId),
    discard: (ids: number[], commandId: string) => act('dead_letter_discard', ids, commandId),
  };
}

export type DeadLetterAdmin = ReturnType<typeof createDeadLetterAdmin>;
