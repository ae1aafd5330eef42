// Issue 13, "Must show" 1: electron-updater's OWN update check and download, in plain Node (no Electron
// binary), against a local generic feed serving real `latest-linux.yml` / `beta-linux.yml` with the real
// sha512 of real artifact files — and our signed-manifest check on what it downloaded.
// electron-updater needs an app adapter (version, userData for `.updaterId`, cache dir, app-update.yml) and an
// HTTP executor; both are given here the way the shell gives Electron's. DebUpdater is the Linux updater
// whose download path uses no Electron API (the AppImage one needs $APPIMAGE, the Mac one Squirrel).
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { configureRequestOptions, configureRequestUrl, HttpExecutor, type DownloadOptions } from 'builder-util-runtime';
import { DebUpdater, type UpdateCheckResult } from 'electron-updater';
import type { AppAdapter } from 'electron-updater/out/AppAdapter.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  electronUpdaterChannel,
  fileSha512,
  generateReleaseKeys,
  MANIFEST_FILE,
  signRelease,
  SIGNATURE_FILE,
  verifyDownloadedUpdate,
} from '../../src/core/release/manifest.js';
import { flipByte, tempDir, updateInfoYml, writeRelease } from './release-fixture.js';

// electron-updater names the Linux channel file after the architecture (`latest-linux-arm64.yml` off x64).
const linuxSuffix = `-linux${process.arch === 'x64' ? '' : `-${process.arch}`}`;
const LATEST = `latest${linuxSuffix}.yml`;
const BETA = `beta${linuxSuffix}.yml`;

/** electron-updater's staging bucket is the uuid's last 4 bytes / 0xffffffff: these two sit at ~0 and 0.9375. */
const IN_EVERY_ROLLOUT = '7a1f3c52-9d4e-4b6a-8c2d-000000000001';
const OUTSIDE_10_PERCENT = '7a1f3c52-9d4e-4b6a-8c2d-0000f0000000';

/**
 * electron-updater's HTTP client over node:http instead of Electron's `net`: requests and `download` go
 * through builder-util-runtime's own `doDownload`, which is where the sha512 of the yml is enforced.
 */
class NodeHttpExecutor extends HttpExecutor<http.ClientRequest> {
  createRequest(options: http.RequestOptions, callback: (response: http.IncomingMessage) => void): http.ClientRequest {
    return http.request(options, callback);
  }

  download(url: URL, destination: string, options: DownloadOptions): Promise<string> {
    return options.cancellationToken.createPromise<string>((resolve, reject, onCancel) => {
      const requestOptions: http.RequestOptions = { headers: options.headers ?? undefined };
      configureRequestUrl(url, requestOptions);
      configureRequestOptions(requestOptions);
      this.doDownload(
        requestOptions,
        { destination, options, onCancel, responseHandler: null, callback: (error) => (error ? reject(error) : resolve(destination)) },
        0,
      );
    });
  }
}

/** The app as electron-updater sees it (the shell's is Electron's `app`). */
class TestApp implements AppAdapter {
  readonly name = 'guardian-workstation';
  readonly isPackaged = true;
  constructor(
    readonly version: string,
    private readonly root: string,
  ) {}
  get appUpdateConfigPath() {
    return path.join(this.root, 'app-update.yml');
  }
  get userDataPath() {
    return path.join(this.root, 'userData');
  }
  get baseCachePath() {
    return path.join(this.root, 'cache');
  }
  whenReady() {
    return Promise.resolve();
  }
  relaunch() {}
  quit() {}
  onQuit() {}
}

interface Feed {
  url: string;
  dir: string;
  requests: string[];
  close(): Promise<void>;
}

/** A static generic feed: GET /<file> from DIR (the query electron-updater adds to defeat caches ignored). */
async function startFeed(dir: string): Promise<Feed> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://feed').pathname.slice(1));
    requests.push(name);
    const file = path.join(dir, path.basename(name));
    if (!name || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    const body = fs.readFileSync(file);
    res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    dir,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const cleanup: string[] = [];
afterAll(() => {
  for (const d of cleanup) fs.rmSync(d, { recursive: true, force: true });
});

interface ClientOptions {
  version: string;
  updaterId?: string;
  /** The channel baked into app-update.yml at build time (electron-builder's `publish.channel`). */
  configChannel?: string;
}

/** A workstation's electron-updater pointed at FEED, as a packaged app configures it (app-update.yml). */
function client(feed: Feed, o: ClientOptions): { updater: DebUpdater; log: string[]; root: string } {
  const root = tempDir('updater-client');
  cleanup.push(root);
  const config = ['provider: generic', `url: ${feed.url}`, 'updaterCacheDirName: guardian-workstation-updater', ...(o.configChannel ? [`channel: ${o.configChannel}`] : [])];
  fs.writeFileSync(path.join(root, 'app-update.yml'), `${config.join('\n')}\n`);
  if (o.updaterId) {
    fs.mkdirSync(path.join(root, 'userData'), { recursive: true });
    fs.writeFileSync(path.join(root, 'userData', '.updaterId'), o.updaterId);
  }
  const updater = new DebUpdater(null, new TestApp(o.version, root));
  (updater as unknown as { httpExecutor: HttpExecutor<http.ClientRequest> }).httpExecutor = new NodeHttpExecutor();
  const log: string[] = [];
  updater.logger = { info: (m: unknown) => log.push(String(m)), warn: (m: unknown) => log.push(String(m)), error: (m: unknown) => log.push(String(m)), debug: () => {} };
  updater.autoDownload = false;
  updater.autoInstallOnAppQuit = false;
  return { updater, log, root };
}

async function check(updater: DebUpdater): Promise<UpdateCheckResult> {
  const r = await updater.checkForUpdates();
  if (!r) throw new Error('the updater is inactive (checkForUpdates returned null)');
  return r;
}

describe('electron-updater against a local generic feed', () => {
  let feed: Feed;
  let keys: { privateKeyPem: string; publicKeyPem: string };

  beforeAll(async () => {
    keys = generateReleaseKeys();
    const dir = tempDir('feed');
    cleanup.push(dir);
    writeRelease(dir, { version: '1.1.0', metadata: [LATEST] });
    writeRelease(dir, { version: '1.2.0-beta.1', metadata: [BETA] });
    feed = await startFeed(dir);
  });
  afterAll(() => feed.close());
  afterEach(() => {
    // Each test that changes the rollout sets it; start from "everyone".
    for (const name of [LATEST, BETA]) {
      const file = path.join(feed.dir, name);
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/^stagingPercentage:.*\n/m, ''));
    }
  });

  describe('channels', () => {
    it('a stable client finds the newer stable version, and is not offered the beta', async () => {
      const { updater } = client(feed, { version: '1.0.0', updaterId: OUTSIDE_10_PERCENT });
      feed.requests.length = 0;
      const r = await check(updater);
      expect(r.isUpdateAvailable).toBe(true);
      expect(r.updateInfo.version).toBe('1.1.0');
      expect(feed.requests).toContain(LATEST);
      expect(feed.requests).not.toContain(BETA);

      const current = client(feed, { version: '1.1.0', updaterId: OUTSIDE_10_PERCENT });
      const none = await check(current.updater);
      expect(none.isUpdateAvailable).toBe(false);
      expect(none.updateInfo.version).toBe('1.1.0');
    });

    it('a beta client (channel in app-update.yml) finds the newer beta', async () => {
      const { updater } = client(feed, { version: '1.1.0', configChannel: 'beta', updaterId: OUTSIDE_10_PERCENT });
      expect(updater.allowDowngrade).toBe(false);
      feed.requests.length = 0;
      const r = await check(updater);
      expect(r.isUpdateAvailable).toBe(true);
      expect(r.updateInfo.version).toBe('1.2.0-beta.1');
      expect(feed.requests).toContain(BETA);
      expect(feed.requests).not.toContain(LATEST);
    });

    it('a channel chosen at run time (admin policy) reads that channel file; electron-updater then allows downgrades until told not to', async () => {
      // A beta client whose policy moves it to stable: `updater.channel = …` flips allowDowngrade on, which
      // would "update" it from 1.2.0-beta.1 back to 1.1.0. The shell must set allowDowngrade = false after it.
      const { updater } = client(feed, { version: '1.2.0-beta.1', updaterId: OUTSIDE_10_PERCENT });
      updater.channel = electronUpdaterChannel('stable');
      expect(updater.allowDowngrade).toBe(true);
      const downgrade = await check(updater);
      expect(downgrade.isUpdateAvailable).toBe(true);
      expect(downgrade.updateInfo.version).toBe('1.1.0');

      updater.allowDowngrade = false;
      const r = await check(updater);
      expect(r.isUpdateAvailable).toBe(false);

      const beta = client(feed, { version: '1.1.0', updaterId: OUTSIDE_10_PERCENT });
      beta.updater.channel = electronUpdaterChannel('beta');
      beta.updater.allowDowngrade = false;
      feed.requests.length = 0;
      const b = await check(beta.updater);
      expect(b.updateInfo.version).toBe('1.2.0-beta.1');
      expect(b.isUpdateAvailable).toBe(true);
      expect(feed.requests).toContain(BETA);
    });

    it('a downgrade is not offered (the feed holds an older version than the client runs)', async () => {
      const { updater, log } = client(feed, { version: '1.2.0', updaterId: IN_EVERY_ROLLOUT });
      const r = await check(updater);
      expect(r.updateInfo.version).toBe('1.1.0');
      expect(r.isUpdateAvailable).toBe(false);
      expect(log.join('\n')).toMatch(/downgrade is disallowed/);
    });
  });

  describe('staged rollout (stagingPercentage written by `release sign --rollout`)', () => {
    it('a pinned updater id inside the rollout gets the update, one outside does not; widening and pulling back move them', async () => {
      signRelease(feed.dir, { privateKeyPem: keys.privateKeyPem, channel: 'stable', rollout: 10 });
      expect(fs.readFileSync(path.join(feed.dir, LATEST), 'utf8')).toMatch(/^stagingPercentage: 10$/m);

      const inside = client(feed, { version: '1.0.0', updaterId: IN_EVERY_ROLLOUT });
      const outside = client(feed, { version: '1.0.0', updaterId: OUTSIDE_10_PERCENT });
      expect((await check(inside.updater)).isUpdateAvailable).toBe(true);
      const out = await check(outside.updater);
      expect(out.updateInfo.version).toBe('1.1.0');
      expect(out.isUpdateAvailable).toBe(false);
      // electron-updater read the pinned id, not a fresh one.
      expect(outside.log.join('\n')).toContain(`user id: ${OUTSIDE_10_PERCENT}`);

      signRelease(feed.dir, { privateKeyPem: keys.privateKeyPem, channel: 'stable', rollout: 100 });
      expect((await check(outside.updater)).isUpdateAvailable).toBe(true);

      signRelease(feed.dir, { privateKeyPem: keys.privateKeyPem, channel: 'stable', rollout: 0 });
      expect((await check(inside.updater)).isUpdateAvailable).toBe(false);
      expect((await check(outside.updater)).isUpdateAvailable).toBe(false);
    });
  });

  describe('download: electron-updater verifies the yml sha512, the app verifies the signed manifest', () => {
    /** A feed of its own (the tests below tamper with it): 1.1.0 signed by KEY. */
    async function signedFeed(key: string): Promise<Feed> {
      const dir = tempDir('signed-feed');
      cleanup.push(dir);
      writeRelease(dir, { version: '1.1.0', metadata: [LATEST], artifacts: [{ name: 'guardian-workstation_1.1.0_amd64.deb', bytes: 512 * 1024 }] });
      signRelease(dir, { privateKeyPem: key, channel: 'stable' });
      return startFeed(dir);
    }

    async function download(f: Feed): Promise<{ file: string; version: string }> {
      const { updater } = client(f, { version: '1.0.0', updaterId: IN_EVERY_ROLLOUT });
      const r = await check(updater);
      expect(r.isUpdateAvailable).toBe(true);
      const [file] = await updater.downloadUpdate();
      return { file: file!, version: r.updateInfo.version };
    }

    async function manifestCheck(f: Feed, downloaded: { file: string; version: string }, publicKeys: string[]) {
      const [manifestJson, signature] = await Promise.all([MANIFEST_FILE, SIGNATURE_FILE].map(async (n) => (await fetch(new URL(n, f.url))).text()));
      return verifyDownloadedUpdate({ manifestJson: manifestJson!, signature: signature!, publicKeys, artifactFile: downloaded.file, artifactName: path.basename(downloaded.file), expectedVersion: downloaded.version });
    }

    it('an intact update downloads and its signed manifest verifies', async () => {
      const f = await signedFeed(keys.privateKeyPem);
      try {
        const d = await download(f);
        expect(fileSha512(d.file).sha512).toBe(fileSha512(path.join(f.dir, 'guardian-workstation_1.1.0_amd64.deb')).sha512);
        expect(await manifestCheck(f, d, [keys.publicKeyPem])).toEqual({ ok: true, problems: [] });
        // With no embedded key the app refuses every update, and says why.
        const none = await manifestCheck(f, d, []);
        expect(none.ok).toBe(false);
        expect(none.problems.join('\n')).toMatch(/no trusted release keys: every update is refused/);
      } finally {
        await f.close();
      }
    });

    it('a tampered artifact is refused by electron-updater itself (sha512 of the yml)', async () => {
      const f = await signedFeed(keys.privateKeyPem);
      try {
        flipByte(path.join(f.dir, 'guardian-workstation_1.1.0_amd64.deb'));
        const { updater, root } = client(f, { version: '1.0.0', updaterId: IN_EVERY_ROLLOUT });
        await check(updater);
        await expect(updater.downloadUpdate()).rejects.toMatchObject({ code: 'ERR_CHECKSUM_MISMATCH' });
        // Nothing is left to install.
        const pending = path.join(root, 'cache', 'guardian-workstation-updater', 'pending');
        expect(fs.existsSync(pending) ? fs.readdirSync(pending).filter((n) => n.endsWith('.deb')) : []).toEqual([]);
      } finally {
        await f.close();
      }
    });

    it('an artifact replaced together with its yml passes electron-updater but is refused by the signed manifest', async () => {
      const f = await signedFeed(keys.privateKeyPem);
      try {
        const artifact = path.join(f.dir, 'guardian-workstation_1.1.0_amd64.deb');
        flipByte(artifact);
        fs.writeFileSync(path.join(f.dir, LATEST), updateInfoYml('1.1.0', f.dir, ['guardian-workstation_1.1.0_amd64.deb']));
        const d = await download(f); // electron-updater's own check is satisfied: the yml matches the file
        const r = await manifestCheck(f, d, [keys.publicKeyPem]);
        expect(r.ok).toBe(false);
        expect(r.problems).toEqual(['artifact hash mismatch: guardian-workstation_1.1.0_amd64.deb is not the file that was signed']);
      } finally {
        await f.close();
      }
    });

    it('a manifest re-signed by an unknown key is refused; one altered after signing is refused', async () => {
      const f = await signedFeed(keys.privateKeyPem);
      try {
        const artifact = path.join(f.dir, 'guardian-workstation_1.1.0_amd64.deb');
        flipByte(artifact);
        fs.writeFileSync(path.join(f.dir, LATEST), updateInfoYml('1.1.0', f.dir, ['guardian-workstation_1.1.0_amd64.deb']));
        const d = await download(f);

        // The attacker signs the tampered release with a key of their own: a complete, consistent manifest.
        const attacker = generateReleaseKeys();
        const manifestFile = path.join(f.dir, MANIFEST_FILE);
        const genuine = fs.readFileSync(manifestFile, 'utf8');
        const genuineSig = fs.readFileSync(path.join(f.dir, SIGNATURE_FILE), 'utf8');
        signRelease(f.dir, { privateKeyPem: attacker.privateKeyPem, channel: 'stable' });
        const unknown = await manifestCheck(f, d, [keys.publicKeyPem]);
        expect(unknown.ok).toBe(false);
        expect(unknown.problems.join('\n')).toMatch(/^unknown signing key: the manifest is signed by key [0-9a-f]{64}, which is not among the 1 trusted key/);

        // The attacker edits the genuine manifest to name the tampered file's hash, keeping the genuine signature.
        const g = JSON.parse(genuine) as { artifacts: Array<{ sha512: string }> };
        g.artifacts[0]!.sha512 = fileSha512(artifact).sha512;
        fs.writeFileSync(manifestFile, `${JSON.stringify(g, null, 2)}\n`);
        fs.writeFileSync(path.join(f.dir, SIGNATURE_FILE), genuineSig);
        const altered = await manifestCheck(f, d, [keys.publicKeyPem]);
        expect(altered.ok).toBe(false);
        expect(altered.problems.join('\n')).toMatch(/^bad signature: .*the manifest was altered after signing/);
      } finally {
        await f.close();
      }
    });

    it('a release signed with a rotated key is accepted by an app that embeds both keys, not by one with the old key only', async () => {
      const rotated = generateReleaseKeys();
      const f = await signedFeed(rotated.privateKeyPem);
      try {
        const d = await download(f);
        expect(await manifestCheck(f, d, [keys.publicKeyPem, rotated.publicKeyPem])).toEqual({ ok: true, problems: [] });
        const old = await manifestCheck(f, d, [keys.publicKeyPem]);
        expect(old.ok).toBe(false);
        expect(old.problems.join('\n')).toMatch(/^unknown signing key/);
      } finally {
        await f.close();
      }
    });

    it('a genuine manifest of another version is refused for the update electron-updater offered', async () => {
      const f = await signedFeed(keys.privateKeyPem);
      try {
        const d = await download(f);
        const r = await manifestCheck(f, { ...d, version: '1.2.0' }, [keys.publicKeyPem]);
        expect(r.problems).toEqual(['version mismatch: the manifest is for 1.1.0, the update offered is 1.2.0']);
      } finally {
        await f.close();
      }
    });
  });
});
