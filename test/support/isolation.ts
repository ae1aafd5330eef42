/**
 * Per-test-file isolation against the real servers (see scripts/ensure-services.sh):
 * a fresh PostgreSQL database and a fresh RabbitMQ vhost per test file, dropped afterwards,
 * so test files can run in parallel without seeing each other's rows, queues or messages.
 *
 *   const db = await createTestDatabase();   // db.url  -> DATABASE_URL
 *   const mq = await createTestVhost();      // mq.url  -> AMQP_URL
 *   afterAll(async () => { await db.drop(); await mq.drop(); });
 *
 * Env overrides:
 *   TEST_PG_ADMIN_URL  admin connection (default postgres://postgres@127.0.0.1:5432/postgres)
 *   TEST_AMQP_BASE_URL broker URL without vhost (default amqp://guest:guest@127.0.0.1:5672)
 *   TEST_RABBITMQCTL   rabbitmqctl executable (default "rabbitmqctl" on PATH; runs as root in CI)
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';

const execFileAsync = promisify(execFile);

const DEFAULT_PG_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const DEFAULT_AMQP_BASE_URL = 'amqp://guest:guest@127.0.0.1:5672';

export interface TestDatabase {
  /** connection URL of the new database (same server and credentials as the admin URL) */
  url: string;
  name: string;
  /** terminates the database's connections and drops it; safe to call more than once */
  drop(): Promise<void>;
}

export interface TestVhost {
  /** amqp://guest:guest@127.0.0.1:5672/<vhost> */
  url: string;
  vhost: string;
  /** deletes the vhost (and with it its queues, exchanges and connections); safe to call more than once */
  drop(): Promise<void>;
}

function uniqueName(prefix: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(prefix) || prefix.length > 40) {
    throw new Error(`invalid prefix ${JSON.stringify(prefix)}: use lower-case letters, digits and _ (max 40)`);
  }
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(5).toString('hex')}`;
}

export function pgAdminUrl(): string {
  return process.env.TEST_PG_ADMIN_URL || DEFAULT_PG_ADMIN_URL;
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>, adminUrl = pgAdminUrl()): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Creates an empty database `${prefix}_<unique>` on the admin URL's server (`adminUrl`: another server's
 * superuser URL, e.g. a private cluster a fault test stops and starts; default the shared server's).
 */
export async function createTestDatabase(prefix = 'gw', adminUrl = pgAdminUrl()): Promise<TestDatabase> {
  const name = uniqueName(prefix);
  // name is [a-z0-9_] only (checked above), so quoting it as an identifier is safe
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}"`), adminUrl);

  const url = new URL(adminUrl);
  url.pathname = `/${name}`;

  let dropped = false;
  return {
    url: url.toString(),
    name,
    async drop() {
      if (dropped) return;
      await withAdmin(async (c) => {
        await c.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [name],
        );
        // WITH (FORCE) (PostgreSQL >= 13) also kills sessions that connected after the terminate
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      }, adminUrl);
      dropped = true;
    },
  };
}

async function rabbitmqctl(args: string[]): Promise<string> {
  const bin = process.env.TEST_RABBITMQCTL || 'rabbitmqctl';
  try {
    const { stdout } = await execFileAsync(bin, args, { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as Error & { stderr?: string; stdout?: string; code?: unknown };
    const detail = [e.stderr, e.stdout].filter(Boolean).join('\n').trim();
    throw new Error(`${bin} ${args.join(' ')} failed (${String(e.code ?? e.message)})${detail ? `:\n${detail}` : ''}`, {
      cause: err,
    });
  }
}

/** Lists the broker's vhosts (rabbitmqctl list_vhosts). */
export async function listVhosts(): Promise<string[]> {
  const out = await rabbitmqctl(['-q', 'list_vhosts', '--no-table-headers', 'name']);
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

/** Creates a vhost `${prefix}_<unique>` that user guest may use fully. */
export async function createTestVhost(prefix = 'gw'): Promise<TestVhost> {
  const vhost = uniqueName(prefix);
  await rabbitmqctl(['-q', 'add_vhost', vhost]);
  try {
    await rabbitmqctl(['-q', 'set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*']);
  } catch (err) {
    await rabbitmqctl(['-q', 'delete_vhost', vhost]).catch(() => undefined);
    throw err;
  }
  const base = (process.env.TEST_AMQP_BASE_URL || DEFAULT_AMQP_BASE_URL).replace(/\/+$/, '');

  let dropped = false;
  return {
    url: `${base}/${encodeURIComponent(vhost)}`,
    vhost,
    async drop() {
      if (dropped) return;
      try {
        await rabbitmqctl(['-q', 'delete_vhost', vhost]);
      } catch (err) {
        // already gone is fine (idempotent); anything else is a real failure
        if (!/not[_ ]found|does not exist|no_such_vhost/i.test(String((err as Error).message))) throw err;
      }
      dropped = true;
    },
  };
}

/** T without the falsy values waitFor keeps polling on */
export type Truthy<T> = Exclude<T, false | null | undefined | 0 | 0n | ''>;

export interface WaitForOptions {
  /** give up after this long (default 10 000 ms) */
  timeoutMs?: number;
  /** pause between attempts (default 50 ms) */
  intervalMs?: number;
  /** what we were waiting for; the error on timeout says so */
  message?: string;
}

/**
 * Polls `fn` until it returns a truthy value and resolves with that value: wait for a
 * condition (a row, a message, a status) instead of sleeping a guessed time.
 * A throw from `fn` counts as "not yet"; on timeout the last such error is reported as the cause.
 */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 50, message = 'condition' }: WaitForOptions = {},
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      const value = await fn();
      if (value) return value as Truthy<T>;
    } catch (err) {
      lastError = err;
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, left)));
  }
  const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`waitFor: timed out after ${timeoutMs} ms (${attempts} attempts) waiting for ${message}${why}`, {
    cause: lastError,
  });
}
