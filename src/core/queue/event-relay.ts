// Live updates come from the database, not from clients (DESIGN §10): a trigger announces every committed
// change of a case on the channel guardian_case_changed (ids and states only), and one worker relays it to
// the guardian.events exchange, which workstations may only read. A workstation therefore cannot fake an
// event, and an event always describes a committed change. Several workers elect one relay with a session
// advisory lock; when it dies, its session ends, the lock is free and another takes over within seconds
// (events in between are lost, which clients tolerate: they re-read the database).
import pg from 'pg';
import type { Logger } from '../ports.js';
import { backoffMs } from './bus.js';

export const CASE_CHANNEL = 'guardian_case_changed';
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
      if (n.channel !== CASE_CHANNEL || !n.payload) return;
      let body: object;
      try {
        body = { type: 'case.updated', ...(JSON.parse(n.payload) as object) };
      } catch {
        return;
      }
      o.publish('case.updated', body).catch((err: Error) => log.debug({ err: err.message }, 'event publish failed'));
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
      leader = true;
      attempt = 0;
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
