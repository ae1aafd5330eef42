// The controller with the real manifest check (src/core/update/manifest-check.ts → src/core/release): a
// release directory signed with `signRelease` and served over local HTTP as a generic feed; the "download"
// is a copy of its artifact in a cache directory, as electron-updater leaves it. Only a build the admins
// signed reaches "ready"; anything else ends in the error state and never installs, not even on quit.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateReleaseKeys, signRelease } from '../../src/core/release/manifest.js';
import { createActivity } from '../../src/core/update/activity.js';
import { createUpdateController, type UpdateStatus } from '../../src/core/update/controller.js';
import { channelFeedUrl, manifestCheck } from '../../src/core/update/manifest-check.js';
import { createScriptedUpdater } from '../../src/devhost/scripted-updater.js';
import { flipByte, tempDir, writeRelease } from '../release/release-fixture.js';

const admin = generateReleaseKeys();
const previous = generateReleaseKeys();
const stranger = generateReleaseKeys();
let root: string;
let server: http.Server;
let base: string;

/** A static feed over DIR/<name>/ (404 for anything else). */
beforeAll(async () => {
  root = tempDir('update-feed');
  server = http.createServer((req, res) => {
    const file = path.join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) return void res.writeHead(404).end();
    res.writeHead(200).end(fs.readFileSync(file));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((ok) => server.close(() => ok()));
  fs.rmSync(root, { recursive: true, force: true });
});

let n = 0;
/** A signed 0.2.0 release on its own feed path, and a download of its artifact in a cache dir. */
function release(o: { key?: string; tamper?: 'artifact' | 'manifest' | 'no-manifest' } = {}) {
  const name = `r${++n}`;
  const dir = path.join(root, name);
  const [artifact] = writeRelease(dir, { version: '0.2.0', metadata: ['latest-linux.yml'] });
  signRelease(dir, { privateKeyPem: o.key ?? admin.privateKeyPem, channel: 'stable' });
  const cache = tempDir('update-cache');
  const downloaded = path.join(cache, artifact!);
  fs.copyFileSync(path.join(dir, artifact!), downloaded);
  if (o.tamper === 'artifact') flipByte(downloaded);
  if (o.tamper === 'manifest') {
    const f = path.join(dir, 'release-manifest.json');
    fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace('"stable"', '"beta"'));
  }
  if (o.tamper === 'no-manifest') fs.rmSync(path.join(dir, 'release-manifest.json'));
  return { feedUrl: `${base}/${name}`, downloaded };
}

async function run(feedUrl: string, downloaded: string, publicKeys = [admin.publicKeyPem]): Promise<{ s: UpdateStatus; installOnQuit: boolean; installs: number }> {
  const port = createScriptedUpdater('0.1.0');
  const c = createUpdateController({ port, currentVersion: '0.1.0', verify: manifestCheck({ feedUrl, publicKeys }), activity: createActivity() });
  port.offer('0.2.0');
  await c.check(); // downloads in the background (the default)
  port.progress(100);
  port.finish(downloaded);
  const s = await new Promise<UpdateStatus>((resolve) => {
    const done = (x: UpdateStatus) => x.state.phase === 'ready' || x.state.phase === 'error';
    if (done(c.status())) return resolve(c.status());
    c.onChange((x) => done(x) && resolve(x));
  });
  if (s.state.phase === 'ready') c.restart();
  else expect(() => c.restart()).toThrow(/No verified update is ready/);
  return { s, installOnQuit: port.installOnQuit, installs: port.installs };
}

describe('a download is installed only when the admins signed it', () => {
  it('the signed build verifies, reaches ready and installs', async () => {
    const r = release();
    const { s, installOnQuit, installs } = await run(r.feedUrl, r.downloaded);
    expect(s.state).toEqual({ phase: 'ready', version: '0.2.0' });
    expect(installOnQuit).toBe(true);
    expect(installs).toBe(1);
  });

  it('a build signed with the previous key still verifies while the app trusts both (rotation)', async () => {
    const r = release({ key: previous.privateKeyPem });
    expect((await run(r.feedUrl, r.downloaded, [admin.publicKeyPem, previous.publicKeyPem])).s.state.phase).toBe('ready');
  });

  const refusals: Array<[string, () => ReturnType<typeof release> & { keys?: string[] }, RegExp]> = [
    ['a tampered download', () => release({ tamper: 'artifact' }), /artifact hash mismatch/],
    ['a manifest altered after signing', () => release({ tamper: 'manifest' }), /signature/i],
    ['a manifest signed by an unknown key', () => release({ key: stranger.privateKeyPem }), /key/i],
    ['a feed without a signed manifest', () => release({ tamper: 'no-manifest' }), /could not be read \(release-manifest\.json: HTTP 404/],
    ['an app that trusts no key', () => ({ ...release(), keys: [] }), /no trusted release keys/],
  ];
  for (const [what, make, why] of refusals)
    it(`refuses ${what}: error state, not installed, not even on quit`, async () => {
      const r = make();
      const { s, installOnQuit, installs } = await run(r.feedUrl, r.downloaded, r.keys ?? [admin.publicKeyPem]);
      expect(s.state.phase).toBe('error');
      const msg = s.state.phase === 'error' ? s.state.message : '';
      expect(msg).toMatch(/^The update's signature did not verify/);
      expect(msg).toMatch(why);
      expect(installOnQuit).toBe(false);
      expect(installs).toBe(0);
    });
});

describe('one team feed, a folder per channel', () => {
  it('channelFeedUrl points each channel at its own folder, whose manifest verifies only that channel’s build', async () => {
    expect(channelFeedUrl('https://updates.example/guardian', 'stable')).toBe('https://updates.example/guardian/stable/');
    expect(channelFeedUrl('https://updates.example/guardian//', 'beta')).toBe('https://updates.example/guardian/beta/');
    const team = path.join(root, 'team');
    const built: Record<'stable' | 'beta', string> = { stable: '', beta: '' };
    for (const channel of ['stable', 'beta'] as const) {
      const dir = path.join(team, channel);
      const [artifact] = writeRelease(dir, { version: channel === 'stable' ? '0.2.0' : '0.3.0-beta.1', metadata: [channel === 'stable' ? 'latest-linux.yml' : 'beta-linux.yml'] });
      signRelease(dir, { privateKeyPem: admin.privateKeyPem, channel });
      built[channel] = path.join(dir, artifact!);
    }
    const beta = manifestCheck({ feedUrl: channelFeedUrl(`${base}/team`, 'beta'), publicKeys: [admin.publicKeyPem] });
    expect(await beta({ version: '0.3.0-beta.1', file: built.beta })).toMatchObject({ ok: true });
    // The stable build offered on the beta channel's folder is not what its manifest signed.
    expect((await beta({ version: '0.2.0', file: built.stable })).ok).toBe(false);
  });
});

describe('a signed release copied into another channel’s folder', () => {
  it('is refused: the manifest names the channel it was signed for', async () => {
    const dir = path.join(root, 'copied', 'stable');
    // A beta build, signed for beta, that someone with write access to the feed (no key) copied into stable/.
    const [artifact] = writeRelease(dir, { version: '0.4.0-beta.1', metadata: ['beta-linux.yml'] });
    signRelease(dir, { privateKeyPem: admin.privateKeyPem, channel: 'beta' });
    const stable = manifestCheck({ feedUrl: channelFeedUrl(`${base}/copied`, 'stable'), channel: 'stable', publicKeys: [admin.publicKeyPem] });
    const r = await stable({ version: '0.4.0-beta.1', file: path.join(dir, artifact!) });
    expect(r.ok).toBe(false);
    expect(r.problems.join('\n')).toMatch(/channel mismatch: the manifest was signed for beta, this workstation follows stable/);
    // The same files are fine for a workstation on beta.
    const beta = manifestCheck({ feedUrl: channelFeedUrl(`${base}/copied`, 'stable'), channel: 'beta', publicKeys: [admin.publicKeyPem] });
    expect(await beta({ version: '0.4.0-beta.1', file: path.join(dir, artifact!) })).toMatchObject({ ok: true });
  });
});
