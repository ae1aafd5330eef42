// The headless workstation process (workstation-proc.ts) as tests drive it: started on a data dir with a
// person's kept credentials, reaching the servers through fault proxies; `call` sends one request.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { cleanEnv, REPO } from '../support/cli.js';
import type { FaultProxy } from '../support/fault-proxy.js';
import type { Harness } from '../support/harness.js';

export interface ProcEvent {
  event: string;
  id?: string;
  state?: string;
  person?: string;
  unverified?: boolean;
  worker?: boolean;
  /** how long the seat took to open (host.start) */
  openMs?: number;
  /** ms since the process was spawned */
  at: number;
}

export function startProc(h: Harness, o: { pg: FaultProxy; mq: FaultProxy; dataDir: string; user: string }) {
  // The workstation knows the server (no credentials in its configuration); the person's own login and
  // password are what their OS keychain kept (DESIGN §10).
  const server = new URL(o.pg.url(h.db.url));
  server.username = '';
  server.password = '';
  const person = h.people[o.user]!;
  const env = cleanEnv({
    DATABASE_URL: server.toString(),
    AMQP_URL: o.mq.url(h.vhost.url),
    GUARDIAN_ROLE_PREFIX: h.inst.roles.prefix,
    GUARDIAN_DATA_DIR: o.dataDir,
    GUARDIAN_TEST_LOGIN: person.login,
    GUARDIAN_TEST_PASSWORD: person.password,
  });
  const spawned = Date.now();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'test/offline/workstation-proc.ts')], { env, cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const waiting = new Map<number, (v: any) => void>();
  const events: ProcEvent[] = [];
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    const msg = JSON.parse(line);
    if (msg.event) events.push({ ...msg, at: Date.now() - spawned });
    else waiting.get(msg.id)?.(msg);
  });
  let n = 0;
  const call = (op: string, args?: unknown) =>
    new Promise<any>((resolve) => {
      const id = ++n;
      waiting.set(id, resolve);
      child.stdin!.write(`${JSON.stringify({ id, op, args })}\n`);
    });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  return { child, call, events, exited, spawned, stderr: () => stderr };
}
