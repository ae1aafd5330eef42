// Live updates come from the database, not from clients (DESIGN §10): a trigger announces every committed
// change of a case on the channel guardian_case_changed (ids and states only), and one worker relays it to
// the guardian.events exchange, which workstations may only read. A workstation therefore cannot fake an
// event, and an event always describes a committed change. Several workers elect one relay with a session
// advisory lock; when it dies, its session ends, the lock is free and another takes over within seconds.
// A relay that takes over after losing its connection first publishes the cases changed since it last
// heard the database (with a margin for transactions that committed late), so a change made while no
// relay listened is still announced; a repeated event is harmless (clients re-read the database).
//
// NOTIFY needs no privilege, so any login can send a notification on the channel: its payload is only a
// hint of which case changed. The relay takes the case id from it and publishes the case's state as it
// reads it from the table (batched, one query per burst); a forged payload can at most repeat a real state.
import pg from 'pg';
import type { Logger } from '../ports.js';
import { backoffMs } from './bus.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The case id a notification names, or undefined for anything else. */
export function notifiedCaseId(payload: string | undefined): string | undefined {
  if (!payload || payload.length > 1000) return undefined;
  try {
    const id = (JSON.parse(payload) as { caseId?: unknown } | null)?.caseId;
    return typeof id === 'string' && UUID_RE.test(id) ? id.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

export const CASE_CHANNEL = 'guardian_case_changed';

interface CaseState {
  id: string;
  status: string;
  version: number;
  level: number;
  /** Database time of the read (epoch seconds). */
  at: number | null;
}
const RELAY_LOCK = 7_412_002;

export function createEventRelay(o: {
  connectionString: string;
  logger: Logger;
  publish: (routingKey: string, body: object) => Promise<void>;
  retryMs?: number;
}) {
  const log = o.logger.child({ part: 'event-relay' });
  let client: pg.Client | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let leader = false;
  let attempt = 0;
  const pending = new Set<string>();
  let flushing = false;
  /** Database time up to which this relay heard every change (undefined: it never listened yet). */
  let heardUntil: number | undefined;
  const CATCH_UP_MARGIN = "interval '30 seconds'";
  const CATCH_UP_LIMIT = 5_000;

  // Reads the announced cases' states on the relay's own connection and publishes them, in bursts.
  async function flush(c: pg.Client): Promise<void> {
    if (flushing) return;
    flushing = true;
    try {
      while (pending.size > 0 && client === c) {
        const ids = [...pending].slice(0, 500);
        for (const id of ids) pending.delete(id);
        const { rows } = await c.query<CaseState>(
          'SELECT id, status, version, level, extract(epoch FROM now())::float8 AS at FROM cases WHERE id = ANY($1::uuid[])',
          [ids],
        );
        publishAll(rows);
      }
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'could not read announced cases');
    } finally {
      flushing = false;
    }
  }

  function publishAll(rows: CaseState[]) {
    for (const r of rows) {
      if (r.at && (!heardUntil || r.at > heardUntil)) heardUntil = r.at;
      const body = { type: 'case.updated', caseId: r.id, status: r.status, version: r.version, level: r.level };
      o.publish('case.updated', body).catch((err: Error) => log.debug({ err: err.message }, 'event publish failed'));
    }
  }

  const later = (ms: number) => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => void connect(), ms);
    timer.unref();
  };

  async function connect(): Promise<void> {
    if (stopped) return;
    const c = new pg.Client({ connectionString: o.connectionString, application_name: 'guardian-event-relay', keepAlive: true });
    c.on('error', (err) => log.warn({ err: err.message }, 'relay connection error'));
    c.on('end', () => {
      if (client !== c) return;
      client = undefined;
      leader = false;
      if (!stopped) later(backoffMs(++attempt, 500, 10_000));
    });
    c.on('notification', (n) => {
      if (n.channel !== CASE_CHANNEL) return;
      const id = notifiedCaseId(n.payload);
      if (!id) return log.debug({ pid: n.processId }, 'ignored a notification that names no case');
      pending.add(id);
      void flush(c);
    });
    try {
      await c.connect();
      client = c;
      const { rows } = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [RELAY_LOCK]);
      if (!rows[0]!.ok) {
        // Another worker relays: stand by and try again.
        client = undefined;
        await c.end().catch(() => {});
        later(o.retryMs ?? 5_000);
        return;
      }
      await c.query(`LISTEN ${CASE_CHANNEL}`);
      const since = heardUntil;
      heardUntil = (await c.query<{ t: number }>('SELECT extract(epoch FROM now())::float8 AS t')).rows[0]!.t;
      leader = true;
      attempt = 0;
      if (since) {
        // Listening again after a lost connection: what changed while nobody listened.
        const { rows } = await c.query<CaseState>(
          `SELECT id, status, version, level, NULL AS at FROM cases WHERE updated_at >= to_timestamp($1) - ${CATCH_UP_MARGIN}
            ORDER BY updated_at LIMIT ${CATCH_UP_LIMIT}`,
          [since],
        );
        publishAll(rows);
        log.info({ since, cases: rows.length }, 'relay caught up on the changes made while it was not listening');
      }
      log.info({}, 'relaying case changes to guardian.events');
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'event relay could not start; retrying');
      if (client === c) client = undefined;
      await c.end().catch(() => {});
      later(backoffMs(++attempt, 500, 10_000));
    }
  }

  return {
    start: () => connect(),
    isLeader: () => leader,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}

export type EventRelay = ReturnType<typeof createEventRelay>;
