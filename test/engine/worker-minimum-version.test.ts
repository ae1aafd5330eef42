// Issue 13: a worker older than the team's minimum version does not start (update_required, `guardian
// worker` exits 5), so it carries out no actions; the work waits for a current worker. A current one starts.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.js';
import { createCore } from '../../src/core/core.js';
import { GuardianError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/log.js';
import type { Logger } from '../../src/core/ports.js';
import { clientVersion } from '../../src/core/store/db.js';
import { cleanEnv, guardian } from '../support/cli.js';
import { startHarness, USERS, type Harness } from '../support/harness.js';
import { waitFor } from '../support/isolation.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  const admin = await h?.as(USERS.admin);
  await admin?.db.query("SELECT api.set_minimum_version(NULL, $1, 'cli')", [h.cmdId()]).catch(() => {});
  await h?.close();
});

async function setMinimum(version: string | null) {
  const admin = await h.as(USERS.admin);
  const { rows } = await admin.db.query<{ r: { outcome: string } }>("SELECT api.set_minimum_version($1, $2, 'cli') AS r", [version, h.cmdId()]);
  expect(rows[0]!.r.outcome).toBe('applied');
}

it('a worker below the minimum refuses to start with update_required (CLI exit 5); at or above it, it starts', async () => {
  const mine = clientVersion(); // this build's (package.json's) version
  await setMinimum('99.0.0');
  const old = await createCore({ config: loadConfig({ ...h.env, GUARDIAN_DOTENV: 'off' }), logger: silentLogger, worker: true });
  const err = await old.start().then(
    () => undefined,
    (e: unknown) => e,
  );
  await old.stop();
  expect(err).toBeInstanceOf(GuardianError);
  expect((err as GuardianError).code).toBe('update_required');
  expect((err as GuardianError).details).toMatchObject({ minimumVersion: '99.0.0', clientVersion: mine });

  await setMinimum('0.5.0');
  const cli = await guardian(['worker'], cleanEnv({ ...h.env, GUARDIAN_CLIENT_VERSION: '0.4.9' }));
  expect(cli.code).toBe(5);
  expect(cli.stderr).toContain("This worker is 0.4.9; the team's minimum is 0.5.0");

  // A workstation provisioned as a worker (the app: tolerateOffline) still opens — to show "Update required"
  // and update itself — with its worker role stopped: it consumes nothing.
  await setMinimum('99.0.0');
  const said: string[] = [];
  const rec = (_: object, msg?: string) => void said.push(msg ?? '');
  const recording: Logger = { debug: rec, info: rec, warn: rec, error: rec, child: () => recording };
  const app = await createCore({ config: loadConfig({ ...h.env, GUARDIAN_DOTENV: 'off' }), logger: recording, worker: true, tolerateOffline: true });
  await app.start();
  expect(said).toContain('the worker role does not start on this workstation until it is updated');
  // The app's broker link connects in the background (lazy): read the queue depths once it is up.
  let analysis: { consumers?: number } | undefined;
  await waitFor(async () => (analysis = (await app.health()).broker.queues?.find((q) => q.queue === 'guardian.analysis')) !== undefined, {
    timeoutMs: 20_000,
    message: 'the app reads the queue depths',
  });
  expect(analysis?.consumers).toBe(1); // the harness's own worker only
  await app.stop();

  await setMinimum(mine);
  const current = await createCore({ config: loadConfig({ ...h.env, GUARDIAN_DOTENV: 'off' }), logger: silentLogger, worker: true });
  await current.start();
  expect(current.worker).toBeDefined();
  await current.stop();
});
