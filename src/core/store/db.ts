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

export function createDb(opts: { connectionString: string; max: number; queryTimeoutMs?: number; onError?: (err: Error) => void }): Db {
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max: opts.max,
    // A blackholed server must be noticed, not waited on forever.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    // A query on a connection whose server went silent fails instead of hanging forever.
    query_timeout: opts.queryTimeoutMs ?? 15_000,
  });
  pool.on('error', (err) => opts.onError?.(err));
  return {
    pool,
    query: (text, params) => pool.query(text, params as any[]),
    async tx(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
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
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
