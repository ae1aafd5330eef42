/**
 * A private RabbitMQ node for tests that stop, kill or starve the broker: never the shared node on
 * 127.0.0.1:5672, which other test files are using at the same time.
 *
 *   const avail = privateRabbitAvailable();
 *   describe.skipIf(!avail.ok)('…', () => {
 *     let mq: PrivateRabbit;
 *     beforeAll(async () => { mq = await startPrivateRabbit(); }, 120_000);
 *     afterAll(() => mq?.stop());
 *     // mq.url ('/' vhost, guest), mq.stopApp(), mq.startApp(), mq.kill(), mq.restart(), mq.ctl([...])
 *   });
 *
 * Everything of the node's is its own (FACTS.md, "A private RabbitMQ node"): RABBITMQ_NODENAME, the AMQP
 * listener (a config file of its own: the system config pins 5672 and RABBITMQ_NODE_PORT does not
 * override it), the distribution port, mnesia/log/feature-flags/plugins/pid files in a temp dir, an
 * empty enabled-plugins file (no management or prometheus listener), an empty rabbitmq-env.conf (the
 * system one names the shared node) and a private Erlang cookie (HOME is the temp dir, for the server
 * and for rabbitmqctl alike). The server drops to the `rabbitmq` user when started as root, so as root
 * the dir belongs to that user and the scripts run as it (runuser).
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const SCRIPTS_DIRS = [process.env.TEST_RABBITMQ_SCRIPTS, '/usr/lib/rabbitmq/bin', '/usr/lib/rabbitmq/sbin'].filter(Boolean) as string[];

export interface PrivateRabbit {
  /** amqp://guest:guest@127.0.0.1:<port>/ (the default vhost: the whole node is this test's) */
  url: string;
  port: number;
  distPort: number;
  nodename: string;
  dir: string;
  /** rabbitmqctl -n <node> ARGS; resolves with stdout */
  ctl(args: string[]): Promise<string>;
  /** `rabbitmqctl stop_app`: the Erlang node stays, RabbitMQ (listeners, queues) stops */
  stopApp(): Promise<void>;
  /** `rabbitmqctl start_app`, resolved once RabbitMQ accepts connections again */
  startApp(): Promise<void>;
  /** SIGKILL of the server process (beam.smp); resolves once it is gone */
  kill(): Promise<void>;
  /** starts the server again on the same data dir and ports (after kill() or a stop); resolves once it is up */
  restart(): Promise<void>;
  /** `set_vm_memory_high_watermark <fraction>`: a tiny fraction raises the memory alarm, 0.4 clears it */
  setMemoryWatermark(fraction: number): Promise<void>;
  /** the node's own alarms (`rabbitmq-diagnostics alarms`), e.g. ["memory"] */
  alarms(): Promise<string[]>;
  /** stops the node and removes its dir; safe to call more than once */
  stop(): Promise<void>;
}

function scriptsDir(): string | undefined {
  return SCRIPTS_DIRS.find((d) => existsSync(join(d, 'rabbitmq-server')) && existsSync(join(d, 'rabbitmqctl')));
}

const isRoot = () => process.getuid?.() === 0;

function rabbitIds(): { uid: number; gid: number } | undefined {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'rabbitmq'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const uid = id('-u');
    const gid = id('-g');
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

export function privateRabbitAvailable(): { ok: true } | { ok: false; reason: string } {
  if (process.platform === 'win32') return { ok: false, reason: 'a private RabbitMQ node is not supported on Windows' };
  if (!scriptsDir()) return { ok: false, reason: `rabbitmq-server / rabbitmqctl not found in ${SCRIPTS_DIRS.join(', ')}` };
  if (isRoot() && !rabbitIds()) return { ok: false, reason: 'running as root but there is no `rabbitmq` user to run the node as' };
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

export async function startPrivateRabbit(o: { name?: string } = {}): Promise<PrivateRabbit> {
  const avail = privateRabbitAvailable();
  if (!avail.ok) throw new Error(`cannot start a private RabbitMQ node: ${avail.reason}`);
  const bin = scriptsDir()!;
  const dir = await mkdtemp(join(tmpdir(), 'private-rabbit-'));
  const short = `${o.name ?? 'gwfault'}${randomBytes(3).toString('hex')}`;
  const nodename = `${short}@localhost`;
  const ids = isRoot() ? rabbitIds()! : undefined;
  let port = 0;
  let distPort = 0;
  let server: ChildProcess | undefined;
  let serverExited: Promise<void> = Promise.resolve();
  let output = '';
  let stopped = false;

  const env = (): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    HOME: dir, // the private Erlang cookie: $HOME/.erlang.cookie, for server and CLI
    RABBITMQ_NODENAME: nodename,
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_MNESIA_DIR: join(dir, 'mnesia', short),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_FEATURE_FLAGS_FILE: join(dir, 'feature_flags'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_PLUGINS_EXPAND_DIR: join(dir, 'plugins-expand'),
    RABBITMQ_PID_FILE: join(dir, 'rabbit.pid'),
    // distribution on loopback only, like the shared node
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
  });
  const asRabbit = (file: string, args: string[]): [string, string[]] => (isRoot() ? ['runuser', ['-u', 'rabbitmq', '--', 'env', ...Object.entries(env()).map(([k, v]) => `${k}=${v}`), file, ...args]] : [file, args]);

  const ctl = async (args: string[], timeoutMs = 90_000): Promise<string> => {
    const [file, argv] = asRabbit(join(bin, 'rabbitmqctl'), ['-n', nodename, ...args]);
    try {
      const { stdout } = await execFileAsync(file, argv, { env: env(), timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
      return stdout;
    } catch (err) {
      const e = err as Error & { stdout?: string; stderr?: string };
      throw new Error(`rabbitmqctl ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`.trim());
    }
  };

  const writeConfig = async () => {
    await writeFile(join(dir, 'rabbitmq.conf'), [`listeners.tcp.1 = 127.0.0.1:${port}`, 'loopback_users = none', 'log.console = false', 'log.file.level = warning', ''].join('\n'));
  };

  /** Starts beam and waits (rabbitmqctl wait on the pid file: it returns once the app is running). */
  const launch = async () => {
    output = '';
    const [file, argv] = asRabbit(join(bin, 'rabbitmq-server'), []);
    const child = spawn(file, argv, { env: env(), cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    server = child;
    child.stdout!.on('data', (d) => (output = (output + d).slice(-20_000)));
    child.stderr!.on('data', (d) => (output = (output + d).slice(-20_000)));
    serverExited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let exited = false;
    void serverExited.then(() => (exited = true));
    try {
      await Promise.race([
        ctl(['wait', '--timeout', '90', join(dir, 'rabbit.pid')], 120_000),
        serverExited.then(() => {
          throw new Error('rabbitmq-server exited during start');
        }),
      ]);
    } catch (err) {
      if (!exited) child.kill('SIGKILL');
      throw new Error(`${(err as Error).message}\n${output.slice(-4000)}`);
    }
  };

  const pidOfBeam = async (): Promise<number> => Number((await readFile(join(dir, 'rabbit.pid'), 'utf8')).trim());

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await ctl(['stop'], 60_000).catch(() => undefined);
    const pid = await pidOfBeam().catch(() => 0);
    if (pid) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    server?.kill('SIGKILL');
    await serverExited;
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await mkdir(join(dir, 'mnesia'));
    await mkdir(join(dir, 'log'));
    await writeFile(join(dir, 'enabled_plugins'), '[].\n');
    await writeFile(join(dir, 'rabbitmq-env.conf'), '');
    await writeFile(join(dir, '.erlang.cookie'), randomBytes(20).toString('hex').toUpperCase());
    await chmod(join(dir, '.erlang.cookie'), 0o400);
    await chmod(dir, 0o755);
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      distPort = await freePort();
      await writeConfig();
      if (ids) for (const f of ['', 'mnesia', 'log', 'enabled_plugins', 'rabbitmq-env.conf', '.erlang.cookie', 'rabbitmq.conf']) await chown(join(dir, f), ids.uid, ids.gid);
      try {
        await launch();
        break;
      } catch (err) {
        // Another process took a port between our probe and the bind: try others.
        if (attempt < 4 && /eaddrinuse|address already in use/i.test((err as Error).message + (await readFile(join(dir, 'log', `${nodename}.log`), 'utf8').catch(() => '')))) {
          await rm(join(dir, 'mnesia'), { recursive: true, force: true });
          await mkdir(join(dir, 'mnesia'));
          continue;
        }
        throw err;
      }
    }
  } catch (err) {
    stopped = true;
    throw new Error(`private RabbitMQ node did not start (dir ${dir} left in place): ${(err as Error).message}`);
  }

  return {
    url: `amqp://guest:guest@127.0.0.1:${port}/`,
    port,
    distPort,
    nodename,
    dir,
    ctl: (args) => ctl(args),
    async stopApp() {
      await ctl(['stop_app']);
    },
    async startApp() {
      await ctl(['start_app']);
      await ctl(['await_startup', '--timeout', '60']);
    },
    async kill() {
      const pid = await pidOfBeam();
      process.kill(pid, 'SIGKILL');
      await serverExited;
    },
    async restart() {
      await launch();
    },
    async setMemoryWatermark(fraction) {
      await ctl(['set_vm_memory_high_watermark', String(fraction)]);
    },
    async alarms() {
      // [{{resource_limit,memory,'node@localhost'},[]}]
      const out = await ctl(['-q', 'eval', 'rabbit_alarm:get_alarms().']);
      return [...out.matchAll(/resource_limit,\s*(\w+)/g)].map((m) => m[1]!);
    },
    stop,
  };
}
