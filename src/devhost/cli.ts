// `npm run dev:web` — TEST/DEV ONLY. Starts the core from the environment (standalone by default,
// connected with DATABASE_URL + AMQP_URL) and the dev host, and prints the URL with its token.
//   DEVHOST_PORT (default 0 = any free port), GUARDIAN_USER (default user; demo-moderator in standalone)
import { resolve } from 'node:path';
import { loadConfig } from '../core/config.js';
import { createCore } from '../core/core.js';
import { createLogger } from '../core/log.js';
import { localUserId } from '../main/ipc/dispatcher.js';
import { startDevHost } from './server.js';

const config = loadConfig(process.env);
const logger = createLogger({ name: 'devhost' });
// Like a workstation, the dev host opens while the shared servers are unreachable (DESIGN §9).
const core = await createCore({ config, logger, tolerateOffline: true });
await core.start();
if (config.mode === 'standalone' && (await core.listCases({ limit: 1 })).length === 0) await core.seedDemo();
const host = await startDevHost({
  core,
  rendererDir: resolve(import.meta.dirname, '../../out/renderer'),
  defaultUser: config.mode === 'standalone' && !config.user ? 'demo-moderator' : localUserId(config.user),
  port: Number(process.env.DEVHOST_PORT ?? 0),
  outboxDir: resolve(config.dataDir, 'devhost-outbox'),
});
process.stdout.write(`Guardian dev host (test/dev only): ${host.urlFor()}\n`);
process.stdout.write(`Act as another user: append &user=<id> (dev host only).\n`);
const stop = async () => {
  await host.close();
  await core.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
