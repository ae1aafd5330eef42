import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/core/config.js';
import { createCore, type Core } from '../../src/core/core.js';
import { createLogger } from '../../src/core/log.js';
import { openLocalStore, type LocalStore, type OutboxState } from '../../src/core/offline/local-store.js';
import { createWorkstation, type Workstation } from '../../src/core/offline/workstation.js';
import type { PersonSession } from '../../src/core/session/person-session.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import type { Harness } from '../support/harness.js';
import { waitFor } from '../support/isolation.js';

export interface TestWorkstation {
  /** The workstation's core: connected, no worker role (DESIGN §10: a desktop holds no platform power). */
  core: Core;
  /** The moderator's own session on it (their login through the proxy): commands, reads, connection state. */
  api: PersonSession;
  store: LocalStore;
  ws: Workstation;
  pg: FaultProxy;
  mq: FaultProxy;
  dataDir: string;
  env: Record<string, string>;
  waitForState(commandId: string, state: OutboxState, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A workstation (core without the worker role + the person's session + local store + outbox relay) that
 * reaches the shared servers of a harness through fault-injecting proxies, as a moderator's desktop
 * reaches the team's servers. The person acts through their own login (one of the harness's people).
 */
export async function startWorkstation(h: Harness, user: string, opts: { dataDir?: string } = {}): Promise<TestWorkstation> {
  const person = h.people[user];
  if (!person) throw new Error(`no test person ${user}`);
  const pg = await startFaultProxy({ host: '127.0.0.1', port: Number(new URL(h.db.url).port || 5432) });
  const mq = await startFaultProxy({ host: '127.0.0.1', port: Number(new URL(h.vhost.url).port || 5672) });
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'guardian-ws-'));
  const env = {
    DATABASE_URL: pg.url(person.url),
    AMQP_URL: mq.url(h.vhost.url),
    GUARDIAN_ROLE_PREFIX: h.inst.roles.prefix,
    GUARDIAN_DATA_DIR: dataDir,
    GUARDIAN_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
  };
  const logger = createLogger({ level: env.GUARDIAN_LOG_LEVEL });
  const config = loadConfig(env);
  if (config.worker) throw new Error('a workstation must not run the worker role by default');
  const core = await createCore({ config, logger, tolerateOffline: true });
  await core.start();
  const api = await core.openSession({ tool: 'ui' });
  const store = openLocalStore(dataDir);
  const ws = createWorkstation({ core: api, store, user: api.person.id, logger, pollMs: 200 });
  ws.start();
  return {
    core,
    api,
    store,
    ws,
    pg,
    mq,
    dataDir,
    env,
    async waitForState(commandId, state, timeoutMs = 30_000) {
      await waitFor(() => store.outbox.get(commandId)?.state === state, {
        timeoutMs,
        message: `outbox ${commandId} → ${state} (is ${store.outbox.get(commandId)?.state})`,
      });
    },
    async close() {
      ws.stop();
      pg.set('pass');
      mq.set('pass');
      await api.close().catch(() => {});
      await core.stop().catch(() => {});
      store.close();
      await pg.close();
      await mq.close();
    },
  };
}
