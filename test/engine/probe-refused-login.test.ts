// The connectivity probe (src/core/runtime/probe.ts) with a login the server refuses: a person an admin
// disabled (NOLOGIN, 28000) is refused by a server that is up, so the probe reports "up" — a seat must not
// show "Database: offline" and answer from its stale cache when it is the login that may not connect. A
// server that does not answer at all still reads as down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { createProbe } from '../../src/core/runtime/probe.js';
import { createTestInstallation, type TestInstallation } from '../support/installation.js';
import { waitFor } from '../support/isolation.js';

let inst: TestInstallation;
beforeAll(async () => {
  inst = await createTestInstallation();
});
afterAll(() => inst?.drop());

describe('probe', () => {
  it('a disabled (NOLOGIN) login: the server answered, so the database is up', async () => {
    const gone = await inst.person('probe-gone', 'moderator');
    await inst.dba(`ALTER ROLE "${gone.login}" NOLOGIN`);
    const changes: boolean[] = [];
    const probe = createProbe({ connectionString: gone.url, logger: silentLogger, intervalMs: 50, initiallyDown: true, onChange: (up) => changes.push(up) });
    try {
      await waitFor(async () => changes.length > 0, { message: 'the probe to report' });
      expect(changes[0]).toBe(true);
      expect(probe.isDown()).toBe(false);
    } finally {
      await probe.stop();
    }
  });

  it('a port nobody listens on is down', async () => {
    const changes: boolean[] = [];
    const probe = createProbe({ connectionString: 'postgres://nobody@127.0.0.1:1/none', logger: silentLogger, intervalMs: 50, onChange: (up) => changes.push(up) });
    try {
      await waitFor(async () => changes.length > 0, { message: 'the probe to report' });
      expect(changes[0]).toBe(false);
      expect(probe.isDown()).toBe(true);
    } finally {
      await probe.stop();
    }
  });
});
