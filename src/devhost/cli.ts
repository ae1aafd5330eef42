// `npm run dev:web` — TEST/DEV ONLY. Starts the core from the environment (standalone by default,
// connected with DATABASE_URL + AMQP_URL) and the dev host, and prints the URL with its token.
//   DEVHOST_PORT (default 0 = any free port). Connected: each tab signs in with a person's login; when
//   DATABASE_URL itself carries a person's login and password, new tabs start signed in as that person
//   (as the app does with credentials kept in the OS keychain).
import { resolve } from 'node:path';
import { loadConfig } from '../core/config.js';
import { createCore } from '../core/core.js';
import { createLogger } from '../core/log.js';
import { ensurePrivateDir } from '../core/store/private-dir.js';
import { startDevHost } from './server.js';

const config = loadConfig(process.env);
// Like the app's: cached moderated content and the outbox are this OS user's only (issue 12).
ensurePrivateDir(config.dataDir);
const logger = createLogger({ name: 'devhost' });
// Like a workstation, the dev host opens while the shared servers are unreachable (DESIGN §9).
const core = await createCore({ config, logger, tolerateOffline: true });
await core.start();
if (config.mode === 'standalone') {
  const local = await core.openSession();
  if ((await local.listCases({ limit: 1 })).length === 0) await core.seedDemo();
  await local.close();
}
const u = config.databaseUrl ? new URL(config.databaseUrl) : undefined;
const initial = u?.username && u.password ? { login: decodeURIComponent(u.username), password: decodeURIComponent(u.password) } : undefined;
const host = await startDevHost({
  core,
  rendererDir: resolve(import.meta.dirname, '../../out/renderer'),
  dataDir: resolve(config.dataDir, 'devhost-seats'),
  initial,
  port: Number(process.env.DEVHOST_PORT ?? 0),
  logger,
  // The settings screen shows what the machine's policy file decided; updates come from a scripted port
  // steered with POST /__dev/update?token=… (src/devhost/README.md).
  settings: () => config.managed,
  channel: config.update.channel,
  breakAfter: config.wellbeing.breakAfter,
});
process.stdout.write(`Guardian dev host (test/dev only): ${host.urlFor()}\n`);
const stop = async () => {
  await host.close();
  await core.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
