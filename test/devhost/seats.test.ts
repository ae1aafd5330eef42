// A dev host seat (one browser tab) holds a person's session, and that session its own database pool. A
// tab that goes away must give its connections back: a day of opened and closed tabs (or an e2e suite)
// otherwise runs the server out of connection slots ("remaining connection slots are reserved"). A reload
// within the idle window keeps the seat signed in.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevHost, type DevHost } from '../../src/devhost/server.js';
import { startHarness, type Harness } from '../support/harness.js';
import { waitFor } from '../support/isolation.js';

let h: Harness;
let host: DevHost;
let dir: string;
beforeAll(async () => {
  h = await startHarness({ worker: false });
  dir = mkdtempSync(join(tmpdir(), 'gw-devhost-seats-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>x</title>');
  host = await startDevHost({ core: h.core, rendererDir: dir, dataDir: join(dir, 'seats'), outbox: false, seatIdleMs: 400 });
}, 60_000);
afterAll(async () => {
  await host?.close();
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One tab's socket: call(name, input) answers the contract result. */
async function tab(seat: string) {
  const ws = new WebSocket(`${host.url.replace('http', 'ws')}/ws?token=${encodeURIComponent(host.token)}&seat=${seat}`, { origin: host.url });
  await new Promise<void>((ok, fail) => {
    ws.once('open', () => ok());
    ws.once('error', fail);
  });
  let next = 1;
  return {
    call(name: string, input: unknown = {}): Promise<any> {
      const id = next++;
      return new Promise((ok) => {
        const onMessage = (raw: WebSocket.RawData) => {
          const msg = JSON.parse(String(raw)) as { id?: number; result?: unknown };
          if (msg.id !== id) return;
          ws.off('message', onMessage);
          ok(msg.result);
        };
        ws.on('message', onMessage);
        ws.send(JSON.stringify({ id, name, input }));
      });
    },
    close: () => new Promise<void>((ok) => {
      ws.once('close', () => ok());
      ws.close();
    }),
  };
}

const backendsOf = async (login: string) =>
  Number((await h.inst.dba('SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1', [login])).rows[0]!.n);

describe('dev host seats', () => {
  it('a reload keeps the seat signed in; a tab gone past the idle window closes its session and its connections', async () => {
    const person = h.people['mod-1']!;
    const seat = randomUUID();
    const first = await tab(seat);
    const signedIn = await first.call('session:signIn', { login: person.login, password: person.password });
    expect(signedIn).toMatchObject({ ok: true, value: { user: { id: 'mod-1' } } });
    expect(await first.call('cases:list', {})).toMatchObject({ ok: true });
    expect(await backendsOf(person.login)).toBeGreaterThan(0);

    // A reload: the socket closes and the same seat comes back at once.
    await first.close();
    const again = await tab(seat);
    expect(await again.call('session:get')).toMatchObject({ ok: true, value: { user: { id: 'mod-1' } } });
    expect(host.openSeats()).toBe(1);

    // The tab is closed: after the idle window the seat is gone and the login holds no connection.
    await again.close();
    await waitFor(() => host.openSeats() === 0, { message: 'the idle seat was never closed' });
    await waitFor(async () => (await backendsOf(person.login)) === 0, { message: 'the closed seat kept its database connections' });

    // The same seat id later is a new seat: nothing of the old session is left signed in.
    const later = await tab(seat);
    expect(await later.call('session:get')).toMatchObject({ ok: true, value: { user: null } });
    await later.close();
  });
});
