import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/core/config.js';
import { createCore, type Core } from '../../src/core/core.js';
import { createLogger } from '../../src/core/log.js';
import { openLocalStore, type LocalStore, type OutboxState } from '../../src/core/offline/local-store.js';
import { createWorkstation, type Workstation } from '../../src/core/offline/workstation.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import type { Harness } from '../support/harness.js';
import { waitFor } from '../support/isolation.js';

export interface TestWorkstation {
  core: Core;
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
 * A workstation (core without workers + local store + outbox relay) that reaches the shared servers of
 * a harness through fault-injecting proxies, as a moderator's desktop reaches the team's servers.
 */
export async function startWorkstation(h: Harness, user: string, opts: { dataDir?: string } = {}): Promise<TestWorkstation> {
  const pg = await startFaultProxy({ host: '127.0.0.1', port: Number(new URL(h.db.url).port || 5432) });
  const mq = await startFaultProxy({ host: '127.0.0.1', port: Number(new URL(h.vhost.url).port || 5672) });
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'guardian-ws-'));
  const env = {
    DATABASE_URL: pg.url(h.db.url),
    AMQP_URL: mq.url(h.vhost.url),
    GUARDIAN_WORKER: 'off',
    GUARDIAN_DATA_DIR: dataDir,
    GUARDIAN_USER: user,
    GUARDIAN_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
  };
  const logger = createLogger({ level: env.GUARDIAN_LOG_LEVEL });
  const core = await createCore({ config: loadConfig(env), logger, tolerateOffline: true });
  await core.start();
  const store = openLocalStore(dataDir);
  const ws = createWorkstation({ core, store, user, logger, pollMs: 200 });
  ws.start();
  return {
    core,
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
      await core.stop().catch(() => {});
      store.close();
      await pg.close();
      await mq.close();
    },
  };
}
