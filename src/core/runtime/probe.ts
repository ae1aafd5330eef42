import pg from 'pg';
import type { Logger } from '../ports.js';

/**
 * Connected mode: probes the shared database so "database offline" shows within seconds (DESIGN §9).
 * Its own connection: on a shared pool a probe waiting behind busy workers read as "database down" while
 * PostgreSQL was fine (BENCHMARKS.md, part 4). One probe in flight at a time: a silent server is "down" once
 * its probe has gone unanswered for 2 s, and "up" again as soon as one is answered.
 */
export function createProbe(o: { connectionString: string; logger: Logger; onChange: (up: boolean) => void; intervalMs?: number; initiallyDown?: boolean }) {
  const pool = new pg.Pool({ connectionString: o.connectionString, application_name: 'guardian-probe', max: 1, connectionTimeoutMillis: 2_000, query_timeout: 2_000, keepAlive: true });
  pool.on('error', (err) => o.logger.debug({ err: err.message }, 'probe connection error'));
  let down = o.initiallyDown ?? false;
  let inFlightSince: number | undefined;
  const report = (ok: boolean) => {
    if (ok !== down) return;
    down = !ok;
    o.logger.warn({ database: ok ? 'up' : 'down' }, 'database connectivity changed');
    o.onChange(ok);
  };
  const tick = () => {
    if (inFlightSince !== undefined) {
      if (Date.now() - inFlightSince > 2_000) report(false);
      return;
    }
    inFlightSince = Date.now();
    pool.query('SELECT 1').then(
      () => {
        inFlightSince = undefined;
        report(true);
      },
      (err: unknown) => {
        inFlightSince = undefined;
        // The server answered and refused the login (28000: disabled by an admin, NOLOGIN; 28P01: wrong
        // password): the database is up, it is the login that may not connect, and that is said as such.
        report(/^28/.test((err as { code?: string } | null)?.code ?? ''));
      },
    );
  };
  // Every second: a silent server shows as offline within ~3 s (DESIGN §9 asks for 5 s).
  const timer = setInterval(tick, o.intervalMs ?? 1_000);
  timer.unref();
  return {
    isDown: () => down,
    async stop() {
      clearInterval(timer);
      await pool.end().catch(() => {});
    },
  };
}

export type Probe = ReturnType<typeof createProbe>;
