import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/isolation.js';
import { privatePgAvailable, startPrivatePg, type PrivatePg } from './support/private-pg.js';
import { startRig, type Rig } from './support/rig.js';
import { underLoad } from './support/scenario.js';

// PostgreSQL stopped with `pg_ctl stop -m immediate` (no shutdown checkpoint: crash recovery at the next
// start) while the worker resumes paused threads with moderators' decisions and analyses new content, then
// started again: on a private cluster from initdb (the broker is the shared one, in a vhost of its own).
const avail = privatePgAvailable();
describe.skipIf(!avail.ok)(`PostgreSQL immediate stop / start during resumes${avail.ok ? '' : ` — skipped: ${avail.reason}`}`, () => {
  let pgc: PrivatePg;
  let rig: Rig;
  /**
   * 'error' events of the worker pool's clients that had no listener but ours: in `guardian worker` each
   * would be an uncaught exception, and nothing in the process handles those (it exits).
   */
  const unhandled: string[] = [];
  const emit = pg.Client.prototype.emit;
  beforeAll(async () => {
    // Every pg client of this process (the worker core's pools, the sessions'): an 'error' nobody listens
    // to is recorded (with the client's pool, by application_name) instead of thrown as uncaught.
    pg.Client.prototype.emit = function (this: pg.Client, ev: string | symbol, ...args: unknown[]) {
      if (ev === 'error' && this.listenerCount('error') === 0) {
        const app = (this as unknown as { connectionParameters?: { application_name?: string; user?: string } }).connectionParameters;
        unhandled.push(`${app?.user}/${app?.application_name}: ${(args[0] as Error)?.message}`);
        return true;
      }
      return emit.call(this, ev, ...args);
    } as typeof emit;
    pgc = await startPrivatePg();
    rig = await startRig({ pgAdminUrl: pgc.adminUrl });
  }, 120_000);
  afterAll(async () => {
    await rig?.close();
    await pgc?.destroy();
    pg.Client.prototype.emit = emit;
  });

  it('nothing lost, no effect doubled, no command stuck, audit intact; the database shown down, then up', async () => {
    await underLoad(rig, {
      tag: 'pgstop',
      fault: async ({ publishMore }) => {
        await pgc.stopImmediate();
        await waitFor(async () => (await rig.core.health()).database.state === 'down', { timeoutMs: 30_000, message: 'the worker shows the database down' });
        // The platform goes on publishing into the broker while the database is away.
        publishMore();
        await pgc.start();
      },
    });
    expect((await rig.core.health()).database.state).toBe('up');
  }, 300_000);

  // A client of createDb's pool whose server dies emits 'error' "Connection terminated unexpectedly"; with
  // no listener (a checked-out client of a pool.query) it would end a real `guardian worker`. Every pool
  // client now has one for its whole life (src/core/store/db.ts).
  it('no pool client error goes unhandled (would end the worker process)', () => {
    console.log(`unhandled pg client errors: ${JSON.stringify(unhandled)}`);
    expect(unhandled).toEqual([]);
  });
});
