// A headless workstation process for tests that kill it: the core (no workers, tolerating offline
// servers), the local store and the outbox relay, driven by JSON lines on stdin (one answer per line
// on stdout). Configuration comes from the environment, as for the app.
import readline from 'node:readline';
import { loadConfig } from '../../src/core/config.js';
import { createCore } from '../../src/core/core.js';
import { createLogger } from '../../src/core/log.js';
import { openLocalStore } from '../../src/core/offline/local-store.js';
import { createWorkstation } from '../../src/core/offline/workstation.js';

const config = loadConfig();
const logger = createLogger({ level: config.logLevel });
const core = await createCore({ config, logger, worker: false, tolerateOffline: true });
await core.start();
const store = openLocalStore(config.dataDir);
const ws = createWorkstation({ core, store, user: config.user!, logger, pollMs: 200 });
ws.start();

const reply = (v: object) => process.stdout.write(`${JSON.stringify(v)}\n`);
ws.onOutboxChange((e) => reply({ event: 'outbox', id: e.id, state: e.state }));
reply({ event: 'ready' });
for await (const line of readline.createInterface({ input: process.stdin })) {
  const { id, op, args } = JSON.parse(line) as { id: number; op: string; args?: any };
  try {
    const value =
      op === 'submit' ? ws.submit(args) : op === 'outbox' ? ws.outbox() : op === 'connection' ? core.connection() : op === 'getCase' ? await ws.getCase(args) : undefined;
    reply({ id, ok: true, value });
  } catch (err) {
    reply({ id, ok: false, error: { message: (err as Error).message, code: (err as { code?: string }).code } });
  }
}
