/**
 * A private PostgreSQL cluster (initdb) that a fault test may stop and start: never the shared server on
 * 127.0.0.1:5432 that other test files are using. Trust authentication on 127.0.0.1 like the shared
 * server (test/support/scram-cluster.ts is the scram-sha-256 variant): what the fault tests check is
 * the work surviving the outage, not passwords. As root, initdb and pg_ctl run as `postgres` (runuser).
 *
 *   const pg = await startPrivatePg();   // pg.adminUrl -> createTestInstallation({ adminUrl })
 *   await pg.stopImmediate();            // pg_ctl stop -m immediate: no shutdown checkpoint, crash recovery on start
 *   await pg.start();                    // same data dir and port
 *   await pg.destroy();
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface PrivatePg {
  port: number;
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  adminUrl: string;
  dir: string;
  /** pg_ctl stop -m immediate (what a crash or a power cut looks like to clients) */
  stopImmediate(): Promise<void>;
  /** pg_ctl start -w on the same data dir and port */
  start(): Promise<void>;
  /** stops the server and removes its dir; safe to call more than once */
  destroy(): Promise<void>;
}

function binDir(): string | undefined {
  const ok = (d: string) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl'));
  let versions: string[] = [];
  try {
    versions = readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v));
  } catch {
    return undefined;
  }
  versions.sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => `/usr/lib/postgresql/${v}/bin`).find(ok);
}

const isRoot = () => process.getuid?.() === 0;

function postgresIds(): { uid: number; gid: number } | undefined {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

export function privatePgAvailable(): { ok: true } | { ok: false; reason: string } {
  if (process.platform === 'win32') return { ok: false, reason: 'not supported on Windows' };
  if (!binDir()) return { ok: false, reason: 'initdb / pg_ctl not found under /usr/lib/postgresql/*/bin' };
  if (isRoot() && !postgresIds()) return { ok: false, reason: 'running as root but there is no `postgres` user' };
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

async function runPg(bin: string, args: string[], cwd: string, timeoutMs = 90_000): Promise<void> {
  const [file, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  try {
    await execFileAsync(file, argv, { cwd, timeout: timeoutMs, env: { ...process.env, LC_ALL: 'C' } });
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`${bin} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`.trim());
  }
}

export async function startPrivatePg(): Promise<PrivatePg> {
  const avail = privatePgAvailable();
  if (!avail.ok) throw new Error(`cannot start a private PostgreSQL cluster: ${avail.reason}`);
  const bin = binDir()!;
  const dir = await mkdtemp(join(tmpdir(), 'fault-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  if (isRoot()) {
    const ids = postgresIds()!;
    await chown(dir, ids.uid, ids.gid);
  }
  await runPg(join(bin, 'initdb'), ['-D', data, '--auth=trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C'], dir);
  let port = 0;
  let running = false;
  const start = async () => {
    // fsync stays on: an immediate stop must find only what was really committed (crash recovery runs).
    const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c shared_buffers=32MB -c max_connections=80`;
    await runPg(join(bin, 'pg_ctl'), ['-D', data, '-o', opts, '-l', log, 'start', '-w', '-t', '60'], dir);
    running = true;
  };
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await start();
      break;
    } catch (err) {
      const text = await readFile(log, 'utf8').catch(() => '');
      if (attempt < 5 && /could not bind|address already in use|could not create any TCP\/IP sockets/i.test(text)) continue;
      throw new Error(`${(err as Error).message}\nserver log ${log}:\n${text.slice(-4000)}`);
    }
  }
  let destroyed = false;
  return {
    port,
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    dir,
    async stopImmediate() {
      await runPg(join(bin, 'pg_ctl'), ['-D', data, 'stop', '-m', 'immediate', '-w'], dir);
      running = false;
    },
    start,
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      if (running) await runPg(join(bin, 'pg_ctl'), ['-D', data, 'stop', '-m', 'immediate', '-w'], dir).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
