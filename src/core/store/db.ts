import pg from 'pg';

export interface Queryable {
  query<R extends pg.QueryResultRow = any>(text: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
}

export interface Db extends Queryable {
  readonly pool: pg.Pool;
  /** Runs fn in one transaction (READ COMMITTED; callers lock the rows they compare-and-set). */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// Timestamps come back as ISO strings: they cross IPC and the CLI's JSON as-is.
pg.types.setTypeParser(pg.types.builtins.TIMESTAMPTZ, (v) => new Date(v).toISOString());
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

const CONNECTION_SQLSTATES = new Set(['08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03', '53300']);
const CONNECTION_MESSAGES = /timeout exceeded when trying to connect|Connection terminated|Query read timeout|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|Client has encountered a connection error|connect ENETUNREACH/i;

/** The database could not be reached or dropped the connection: the work is fine, retry it later. */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string; origin?: string };
  // Another service's outage (the platform webhook's ECONNREFUSED) is not the database's: its retries are
  // bounded and then the case fails for an operator, instead of waiting for ever in `executing` (issue 12).
  if (e?.origin === 'platform') return false;
  return (!!e?.code && CONNECTION_SQLSTATES.has(e.code)) || CONNECTION_MESSAGES.test(e?.message ?? '');
}

/**
 * pg's client, closing its socket when the connection attempt fails. pg leaves it open when the failure is
 * on the client's side of the handshake (no password to answer the server's SCRAM challenge with): the
 * server then waits for the answer until its authentication_timeout (60 s), and a CLI cannot exit.
 */
export class ClosingClient extends pg.Client {
  override connect(): Promise<void>;
  override connect(callback: (err: Error) => void): void;
  override connect(callback?: (err: Error) => void): Promise<void> | void {
    const closeOnError = (err: Error | undefined) => {
      if (err) (this as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    };
    if (callback)
      return super.connect((err: Error) => {
        closeOnError(err);
        callback(err);
      });
    return super.connect().catch((err: Error) => {
      closeOnError(err);
      throw err;
    });
  }
}

export function createDb(opts: {
  connectionString: string;
  max: number;
  queryTimeoutMs?: number;
  /** Shown in pg_stat_activity, so an operator can tell the core's pools apart. */
  applicationName?: string;
  onError?: (err: Error) => void;
}): Db {
  const pool = new pg.Pool({
    Client: ClosingClient,
    connectionString: opts.connectionString,
    ...(opts.applicationName ? { application_name: opts.applicationName } : {}),
    max: opts.max,
    // Also bounds the wait for a free pooled client; "database offline" is the probe's job (core.ts).
    connectionTimeoutMillis: 15_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    // A query on a connection whose server went silent fails instead of hanging forever.
    query_timeout: opts.queryTimeoutMs ?? 15_000,
  });
  pool.on('error', (err) => opts.onError?.(err));
  // A client's 'error' with no listener is an uncaught exception (it ends the process). pg-pool listens
  // only while a client is idle; a checked-out one whose server dies (restart, immediate stop) emits it
  // too. Every client gets a listener for its whole life: the statement in flight fails by itself, and
  // the pool discards the dead client.
  pool.on('connect', (client) => client.on('error', (err) => opts.onError?.(err)));
  return {
    pool,
    query: (text, params) => pool.query(text, params as any[]),
    async tx(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      // A checked-out client has no pool listener: if the server ends the session between two statements
      // (restart, pg_terminate_backend), its 'error' event would otherwise end the process. The statement
      // in flight fails by itself; the client is then discarded, not reused.
      const onError = (err: Error) => {
        broken = err;
        opts.onError?.(err);
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const out = await fn(client);
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        throw err;
      } finally {
        // A connection that could not even roll back is discarded, not reused.
        client.off('error', onError);
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
