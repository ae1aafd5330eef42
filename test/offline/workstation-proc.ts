// A headless workstation process for tests that kill it, composed as the Electron main process is: the
// core (no worker role, tolerating offline servers) and one seat (SessionHost) whose person's credentials
// come from a keychain vault, with the seat's local store and outbox relay. Driven by JSON lines on stdin
// (one answer per line on stdout). Configuration comes from the environment, as for the app; the kept
// credentials (what the OS keychain would hold) from GUARDIAN_TEST_LOGIN / GUARDIAN_TEST_PASSWORD.
import path from 'node:path';
import readline from 'node:readline';
import { loadConfig } from '../../src/core/config.js';
import { createCore } from '../../src/core/core.js';
import { createLogger } from '../../src/core/log.js';
import { createSessionHost, type CredentialVault, type Credentials } from '../../src/core/session/session-host.js';

const config = loadConfig();
const logger = createLogger({ level: config.logLevel });
const kept: Credentials = { login: process.env.GUARDIAN_TEST_LOGIN!, password: process.env.GUARDIAN_TEST_PASSWORD! };
// A keychain-backed vault holding the person's credentials, as on a desktop where they were kept.
const vault: CredentialVault = { kind: () => 'keychain', load: () => kept, save: () => {}, clear: () => {} };
const core = await createCore({ config, logger, worker: false, tolerateOffline: true });
await core.start();
const reply = (v: object) => process.stdout.write(`${JSON.stringify(v)}\n`);
const host = createSessionHost({ core, logger, dataDir: path.join(config.dataDir, 'workstation'), outbox: true, vault });
const opening = Date.now();
await host.start();
const openMs = Date.now() - opening;
const seat = host.current();
if (!seat?.workstation) {
  reply({ event: 'failed', message: 'the kept session did not open' });
  process.exit(1);
}
const ws = seat.workstation;
ws.onOutboxChange((e) => reply({ event: 'outbox', id: e.id, state: e.state }));
reply({ event: 'ready', person: seat.api.person.id, unverified: seat.unverified, worker: !!core.worker, openMs });
for await (const line of readline.createInterface({ input: process.stdin })) {
  const { id, op, args } = JSON.parse(line) as { id: number; op: string; args?: any };
  try {
    const value =
      op === 'submit'
        ? ws.submit(args)
        : op === 'outbox'
          ? ws.outbox()
          : op === 'connection'
            ? seat.api.connection()
            : op === 'getCase'
              ? await ws.getCase(args)
              : op === 'listCases'
                ? await ws.listCases(args)
                : undefined;
    reply({ id, ok: true, value });
  } catch (err) {
    reply({ id, ok: false, error: { message: (err as Error).message, code: (err as { code?: string }).code } });
  }
}
