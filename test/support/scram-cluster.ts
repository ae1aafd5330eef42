/**
 * A private PostgreSQL cluster with scram-sha-256 authentication, for tests that must see passwords
 * checked: the shared server on 127.0.0.1:5432 uses trust auth and accepts any password.
 *
 *   const avail = scramClusterAvailable();
 *   describe.skipIf(!avail.ok)('…', () => {
 *     let cluster: ScramCluster;
 *     beforeAll(async () => { cluster = await startScramCluster(); }, 120_000);
 *     afterAll(() => cluster?.stop());
 *   });
 *
 * initdb and pg_ctl refuse to run as root, so as root they run as the `postgres` user (runuser) in a
 * fresh temp dir owned by it. Unix socket and data live in that dir; TCP listens on 127.0.0.1:<port>.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generatePassword } from '../../src/core/setup/scram.js';

const execFileAsync = promisify(execFile);

export interface ScramCluster {
  port: number;
  /** postgres://postgres:<pw>@127.0.0.1:<port>/postgres */
  adminUrl: string;
  adminPassword: string;
  /** URL for `user` on this cluster; `password` undefined leaves it out of the URL */
  urlFor(user: string, password: string | undefined, database?: string): string;
  /** pg_ctl stop -m immediate, then removes the temp dir; safe to call more than once */
  stop(): Promise<void>;
}

function findBinDir(): string | undefined {
  const preferred = '/usr/lib/postgresql/15/bin';
  const ok = (dir: string) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'));
  if (ok(preferred)) return preferred;
  let versions: string[] = [];
  try {
    versions = readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v));
  } catch {
    return undefined;
  }
  versions.sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (ok(`/usr/lib/postgresql/${v}/bin`)) return `/usr/lib/postgresql/${v}/bin`;
  return undefined;
}

const isRoot = () => process.getuid?.() === 0;

function postgresIds(): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

export function scramClusterAvailable(): { ok: true } | { ok: false; reason: string } {
  if (process.platform === 'win32') return { ok: false, reason: 'private PostgreSQL cluster is not supported on Windows' };
  if (!findBinDir()) return { ok: false, reason: 'PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin' };
  if (isRoot()) {
    if (!postgresIds()) return { ok: false, reason: 'running as root but there is no `postgres` user to run initdb/pg_ctl as' };
    if (!existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser') && !existsSync('/usr/bin/runuser')) {
      return { ok: false, reason: 'running as root but `runuser` is missing' };
    }
  }
  return { ok: true };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL binary, as the postgres user when we are root (no shell involved). */
async function runPg(bin: string, args: string[], cwd: string, timeoutMs = 60_000): Promise<void> {
  const [file, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  try {
    await execFileAsync(file, argv, { cwd, timeout: timeoutMs, env: { ...process.env, LC_ALL: 'C' } });
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`${bin} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`.trim());
  }
}

export async function startScramCluster(): Promise<ScramCluster> {
  const avail = scramClusterAvailable();
  if (!avail.ok) throw new Error(`cannot start a private PostgreSQL cluster: ${avail.reason}`);
  const binDir = findBinDir()!;
  const dir = await mkdtemp(join(tmpdir(), 'scram-pg-'));
  const dataDir = join(dir, 'data');
  const pwFile = join(dir, 'pwfile');
  const logFile = join(dir, 'server.log');
  const adminPassword = generatePassword();
  let started = false;
  let stopped = false;

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (started) {
      await runPg(join(binDir, 'pg_ctl'), ['-D', dataDir, 'stop', '-m', 'immediate', '-w'], dir).catch(() => undefined);
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await writeFile(pwFile, `${adminPassword}\n`, { mode: 0o600 });
    if (isRoot()) {
      const ids = postgresIds()!;
      await chown(dir, ids.uid, ids.gid);
      await chown(pwFile, ids.uid, ids.gid);
    }
    await runPg(join(binDir, 'initdb'), ['-D', dataDir, '--auth=scram-sha-256', '-U', 'postgres', `--pwfile=${pwFile}`, '--no-sync', '-E', 'UTF8', '--locale=C'], dir);

    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=32MB -c max_connections=50`;
      try {
        await runPg(join(binDir, 'pg_ctl'), ['-D', dataDir, '-o', opts, '-l', logFile, 'start', '-w', '-t', '60'], dir, 90_000);
        started = true;
        break;
      } catch (err) {
        const log = await readFile(logFile, 'utf8').catch(() => '');
        // Another process took the port between our probe and the bind: try another one.
        if (attempt < 5 && /could not bind|address already in use|could not create any TCP\/IP sockets/i.test(log)) {
          await rm(logFile, { force: true });
          continue;
        }
        throw new Error(`${(err as Error).message}\nserver log ${logFile} (dir left in place):\n${log}`);
      }
    }

    const urlFor = (user: string, password: string | undefined, database = 'postgres'): string => {
      const auth = password === undefined ? encodeURIComponent(user) : `${encodeURIComponent(user)}:${encodeURIComponent(password)}`;
      return `postgres://${auth}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
    };
    return { port, adminPassword, adminUrl: urlFor('postgres', adminPassword), urlFor, stop };
  } catch (err) {
    // Leave the temp dir (and its server log) for diagnosis; only a running server is stopped.
    if (started) await runPg(join(binDir, 'pg_ctl'), ['-D', dataDir, 'stop', '-m', 'immediate', '-w'], dir).catch(() => undefined);
    stopped = true;
    throw err;
  }
}
