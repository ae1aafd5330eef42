import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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

let packageVersion: string | undefined;

/**
 * This client's version, as it reports it to the database (issue 13): GUARDIAN_CLIENT_VERSION when set (tests,
 * a packaged build that knows better), else package.json's `version`, found by walking up from this module
 * (src/core/store in the sources, out/main in the built app, inside app.asar when packaged).
 */
export function clientVersion(): string {
  const env = process.env.GUARDIAN_CLIENT_VERSION?.trim();
  if (env) return env;
  if (packageVersion === undefined) {
    packageVersion = '';
    for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
      try {
        const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'guardian-workstation' && typeof pkg.version === 'string') {
          packageVersion = pkg.version;
          break;
        }
      } catch {
        // no package.json here (or not ours): look one folder up
      }
      if (path.dirname(dir) === dir) break;
    }
  }
  return packageVersion;
}

/** A value for the startup packet's `options` (-c name=value): spaces and backslashes escaped as the server splits them. */
const optionValue = (v: string) => v.replace(/[\\\s]/g, (c) => `\\${c}`);

/**
 * pg's `options` for this connection: what the connection string (or PGOPTIONS) already asks for, then
 * `-c guardian.client_version=V`, which private.require_current_client compares with the team's minimum.
 * A connection string's own `options` would replace ours (pg lets the string win), so it is taken out of
 * the string and put in front of ours.
 */
export function withClientVersion(connectionString: string, version: string): { connectionString: string; options?: string } {
  let given = process.env.PGOPTIONS ?? '';
  let stripped = connectionString;
  try {
    const u = new URL(connectionString);
    if (u.searchParams.has('options')) {
      given = u.searchParams.get('options') ?? '';
      u.searchParams.delete('options');
      stripped = u.toString();
    }
  } catch {
    // not a URL (a socket path pg parses itself): it carries no options of its own to keep
  }
  const options = [given.trim(), version ? `-c guardian.client_version=${optionValue(version)}` : ''].filter(Boolean).join(' ');
  return options ? { connectionString: stripped, options } : { connectionString: stripped };
}

export function createDb(opts: {
  connectionString: string;
  max: number;
  queryTimeoutMs?: number;
  /** Shown in pg_stat_activity, so an operator can tell the core's pools apart. */
  applicationName?: string;
  onError?: (err: Error) => void;
  /** The version this client reports (default clientVersion()); the database refuses commands from one older than its minimum. */
  clientVersion?: string;
  /**
   * How the version reaches the server: `startup` (default), a setting in the startup packet, which RESET
   * ALL keeps; `session`, a set_config as each connection opens, for a server that ignores startup options
   * (PGlite, the embedded database of standalone mode: its one backend session was started long before).
   */
  reportVersion?: 'startup' | 'session';
}): Db {
  const version = opts.clientVersion ?? clientVersion();
  const bySession = opts.reportVersion === 'session';
  const pool = new pg.Pool({
    Client: ClosingClient,
    ...(bySession ? { connectionString: opts.connectionString } : withClientVersion(opts.connectionString, version)),
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
  pool.on('connect', (client) => {
    client.on('error', (err) => opts.onError?.(err));
    // Queued before any query the pool hands this client out for (pg runs a client's queries in order).
    // Setting a placeholder setting fails only with the connection, and the queries after it then fail too.
    if (bySession && version) client.query("SELECT set_config('guardian.client_version', $1, false)", [version]).catch(() => {});
  });
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
