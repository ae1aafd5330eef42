// The offline stack (issue 5, DESIGN §9): an isolated "servers" side — its own PostgreSQL database,
// RabbitMQ vhost, platform stub and a worker core on direct connections (test/support/harness.ts) — and
// the workstation side: the dev host as a SEPARATE PROCESS (`src/devhost/cli.ts`, no workers) whose core
// reaches PostgreSQL and RabbitMQ through two fault proxies, so the network can be cut and the process
// SIGKILLed and restarted on the same data dir (local store + outbox). The dev host's DATABASE_URL is
// mod-1's own login and password (through the proxy): like a workstation with credentials kept in the OS
// keychain, every seat starts signed in as mod-1, and after a restart while offline it opens as the person
// it remembers for that login (their password is checked once the server is back).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import readline from 'node:readline';
import { test as base } from '@playwright/test';
import { cleanEnv } from '../../test/support/cli.js';
import { startFaultProxy, type FaultProxy } from '../../test/support/fault-proxy.js';
import { plainPublisher, startHarness, USERS, type Harness } from '../../test/support/harness.js';
import { ROOT, SCREENSHOTS } from './stack.js';

export interface HostProcess {
  child: ChildProcess;
  /** The page URL printed by the dev host, token included (a new token and port on every start). */
  url: string;
  /** Resolves with the exit signal/code once the process is gone. */
  exited: Promise<string>;
  output(): string;
}

export interface OfflineStack {
  h: Harness;
  pg: FaultProxy;
  mq: FaultProxy;
  pub: Awaited<ReturnType<typeof plainPublisher>>;
  /** The workstation's data dir: local store and outbox live here and survive a kill. */
  dataDir: string;
  /** Starts the dev host process (signed in as mod-1, their own login) and resolves once it prints its URL. */
  startHost(): Promise<HostProcess>;
  /** Cuts (blackhole) or restores (pass) the routes to PostgreSQL and/or RabbitMQ. */
  route(mode: 'blackhole' | 'pass', which?: Array<'pg' | 'mq'>): void;
}

export const test = base.extend<object, { offlineStack: OfflineStack }>({
  offlineStack: [
    async ({}, use) => {
      const h = await startHarness();
      const pg = await startFaultProxy({ host: '127.0.0.1', port: Number(new URL(h.db.url).port || 5432) });
      const mq = await startFaultProxy({ host: '127.0.0.1', port: Number(new URL(h.vhost.url).port || 5672) });
      const pub = await plainPublisher(h.vhost.url);
      const dataDir = mkdtempSync(join(tmpdir(), 'gw-e2e-offline-'));
      mkdirSync(SCREENSHOTS, { recursive: true });
      const live = new Set<HostProcess>();

      async function startHost(): Promise<HostProcess> {
        const mod1 = h.people[USERS.mod1]!;
        const env = cleanEnv({
          DATABASE_URL: pg.url(h.inst.urlFor(mod1.login, mod1.password)),
          AMQP_URL: mq.url(h.vhost.url),
          GUARDIAN_WORKER: 'off',
          GUARDIAN_ROLE_PREFIX: h.inst.roles.prefix,
          GUARDIAN_DATA_DIR: dataDir,
          GUARDIAN_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
          GUARDIAN_UNDO_SECONDS: '0',
          DEVHOST_PORT: '0',
        });
        const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/devhost/cli.ts')], { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stderr!.on('data', (d) => (output += d));
        const exited = new Promise<string>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? String(code))));
        const url = await new Promise<string>((resolve, reject) => {
          readline.createInterface({ input: child.stdout! }).on('line', (line) => {
            output += `${line}\n`;
            const m = /^Guardian dev host.*?: (http:\/\/\S+)$/.exec(line);
            if (m) resolve(m[1]!);
          });
          void exited.then((how) => reject(new Error(`dev host exited (${how}) before it was ready:\n${output}`)));
        });
        const p: HostProcess = { child, url, exited, output: () => output };
        live.add(p);
        void exited.then(() => live.delete(p));
        return p;
      }

      await use({
        h,
        pg,
        mq,
        pub,
        dataDir,
        startHost,
        route(mode, which = ['pg', 'mq']) {
          if (which.includes('pg')) pg.set(mode);
          if (which.includes('mq')) mq.set(mode);
        },
      });

      pg.set('pass');
      mq.set('pass');
      for (const p of [...live]) {
        p.child.kill('SIGTERM');
        await p.exited;
      }
      await pub.close();
      await pg.close();
      await mq.close();
      await h.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
    { scope: 'worker', timeout: 120_000 },
  ],
});

export { expect } from '@playwright/test';
