// The dev host's update control endpoint (test/dev only): steps the scripted updater port only with the
// host's token, answers the controller's state, and names what is wrong with a bad step.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/core/core.js';
import { startDevHost, type DevHost } from '../../src/devhost/server.js';

let dir: string;
let host: DevHost;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gw-devhost-update-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>x</title>');
  // No seat is opened here, so the core is never touched.
  host = await startDevHost({ core: {} as Core, rendererDir: dir, dataDir: join(dir, 'seats'), version: '0.1.0' });
});
afterAll(async () => {
  await host.close();
  rmSync(dir, { recursive: true, force: true });
});

const step = (body: unknown, token: string | null = host.token) =>
  fetch(`${host.url}/__dev/update${token === null ? '' : `?token=${encodeURIComponent(token)}`}`, { method: 'POST', body: JSON.stringify(body) });

describe('dev host update control (test/dev only)', () => {
  it('refuses a request without the token, or with another one, and changes nothing', async () => {
    expect((await step({ offer: '9.9.9' }, null)).status).toBe(401);
    expect((await step({ offer: '9.9.9' }, 'x'.repeat(host.token.length))).status).toBe(401);
    expect((await fetch(`${host.url}/__dev/update?token=${host.token}`)).status).toBe(401); // GET
    expect(await (await step({ check: true })).json()).toMatchObject({ state: { phase: 'none' } });
  });

  it('steps offer → check (background download) → progress → finish, answering the state', async () => {
    expect((await step({ offer: '0.2.0' })).status).toBe(200);
    expect(await (await step({ check: true })).json()).toMatchObject({ state: { phase: 'downloading', version: '0.2.0', percent: 0 } });
    expect(await (await step({ progress: 42 })).json()).toMatchObject({ state: { phase: 'downloading', percent: 42 } });
    await step({ finish: true });
    expect(host.updates.status().state).toEqual({ phase: 'ready', version: '0.2.0' });
    expect(host.updater!.installOnQuit).toBe(true);
  });

  it('names a bad step', async () => {
    const bad = await step({ offer: 2 });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toBe('offer: a version string or null');
    expect(await (await step({ nothing: true })).text()).toBe('one of offer, check, progress, finish, fail');
    const noDownload = await step({ progress: 10 });
    expect(noDownload.status).toBe(409);
    expect(await noDownload.text()).toBe('no download in progress');
  });
});
