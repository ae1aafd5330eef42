// Issue 13, "Must show" 2: `guardian release keygen / sign / verify` through the real CLI, and verify failing
// (exit 1, the problem named) on each tampering; exit 2 on usage and bad input.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, guardian, type CliResult } from '../support/cli.js';
import { MANIFEST_FILE, releaseKeyId, SIGNATURE_FILE, type ReleaseManifest } from '../../src/core/release/manifest.js';
import { flipByte, tempDir, writeRelease } from './release-fixture.js';

const env = cleanEnv({});
const run = (...args: string[]): Promise<CliResult> => guardian(['release', ...args], env);

const root = tempDir('release-cli');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const ARTIFACT = 'guardian-workstation_1.1.0_amd64.deb';
const keysA = path.join(root, 'key-a');
const keysB = path.join(root, 'key-b');
const pubA = path.join(keysA, 'release-key.pub.pem');
const pubB = path.join(keysB, 'release-key.pub.pem');
const signed = path.join(root, 'signed');

/** A fresh copy of the signed release, to tamper with. */
function copyOfSigned(name: string): string {
  const dir = path.join(root, name);
  fs.cpSync(signed, dir, { recursive: true });
  return dir;
}

async function expectInvalid(dir: string, problem: RegExp, pubs = [pubA]): Promise<void> {
  const r = await run('verify', dir, ...pubs.flatMap((p) => ['--pub', p]));
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).toMatch(problem);
  expect(r.stdout).toBe('');
}

describe('guardian release keygen / sign / verify', () => {
  beforeAll(async () => {
    for (const dir of [keysA, keysB]) {
      const r = await run('keygen', '--out', dir);
      expect(r.code, r.stderr).toBe(0);
    }
    writeRelease(signed, { version: '1.1.0', metadata: ['latest-linux.yml', 'latest.yml'], artifacts: [{ name: ARTIFACT }, { name: 'Guardian Workstation Setup 1.1.0.exe' }] });
    fs.writeFileSync(path.join(signed, `${ARTIFACT}.blockmap`), 'blockmap bytes');
    const r = await run('sign', signed, '--key', path.join(keysA, 'release-key.pem'), '--channel', 'stable', '--rollout', '10');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^signed 1\.1\.0 for stable \(rollout 10 %\): latest-linux\.yml, latest\.yml; 3 artifact\(s\); key [0-9a-f]{64}$/m);
  });

  it('keygen writes a private key only its owner can read and the public key, and never overwrites a key', async () => {
    const priv = path.join(keysA, 'release-key.pem');
    expect(fs.statSync(priv).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(priv, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(fs.readFileSync(pubA, 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const before = fs.readFileSync(priv, 'utf8');

    const again = await run('keygen', '--out', keysA);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/release-key\.pem exists; a release key is never overwritten/);
    expect(fs.readFileSync(priv, 'utf8')).toBe(before);

    const json = await run('keygen', '--out', path.join(root, 'key-json'), '--json');
    expect(json.code, json.stderr).toBe(0);
    const doc = JSON.parse(json.stdout) as { keyId: string; publicKey: string };
    expect(doc.keyId).toBe(releaseKeyId(fs.readFileSync(doc.publicKey, 'utf8')));
  });

  it('sign writes stagingPercentage into every metadata file before signing, and the manifest covers metadata and artifacts', async () => {
    for (const yml of ['latest-linux.yml', 'latest.yml']) expect(fs.readFileSync(path.join(signed, yml), 'utf8')).toMatch(/^stagingPercentage: 10$/m);
    const manifest = JSON.parse(fs.readFileSync(path.join(signed, MANIFEST_FILE), 'utf8')) as ReleaseManifest;
    expect(manifest).toMatchObject({ version: '1.1.0', channel: 'stable', rollout: 10, keyId: releaseKeyId(fs.readFileSync(pubA, 'utf8')) });
    expect(manifest.metadata.map((m) => m.name)).toEqual(['latest-linux.yml', 'latest.yml']);
    expect(manifest.artifacts.map((a) => a.name).sort()).toEqual([ARTIFACT, `${ARTIFACT}.blockmap`, 'Guardian Workstation Setup 1.1.0.exe'].sort());
    expect(Buffer.from(fs.readFileSync(path.join(signed, SIGNATURE_FILE), 'utf8').trim(), 'base64')).toHaveLength(64);
  });

  it('verify accepts the signed release (exit 0), and --json prints one JSON document', async () => {
    const r = await run('verify', signed, '--pub', pubA);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^valid: 1\.1\.0 for stable \(rollout 10 %\), signed by key [0-9a-f]{64}$/m);

    const j = await run('verify', signed, '--pub', pubA, '--json', '--channel', 'stable');
    expect(j.code, j.stderr).toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: true, problems: [], manifest: { version: '1.1.0', rollout: 10 } });
  });

  // Each case tampers with its own copy: they run side by side (each is a CLI process).
  describe.concurrent('verify fails, naming what failed', () => {
    it('an artifact byte changed', async () => {
      const dir = copyOfSigned('t-artifact');
      flipByte(path.join(dir, ARTIFACT));
      await expectInvalid(dir, new RegExp(`artifact hash mismatch: ${ARTIFACT.replace(/\./g, '\\.')}`));
    });

    it('an artifact removed', async () => {
      const dir = copyOfSigned('t-missing');
      fs.rmSync(path.join(dir, 'Guardian Workstation Setup 1.1.0.exe'));
      await expectInvalid(dir, /artifact missing: Guardian Workstation Setup 1\.1\.0\.exe/);
    });

    it('the metadata version edited', async () => {
      const dir = copyOfSigned('t-version');
      const yml = path.join(dir, 'latest-linux.yml');
      fs.writeFileSync(yml, fs.readFileSync(yml, 'utf8').replace('version: 1.1.0', 'version: 9.9.9'));
      await expectInvalid(dir, /metadata file changed: latest-linux\.yml/);
    });

    it('the stagingPercentage raised', async () => {
      const dir = copyOfSigned('t-staging');
      const yml = path.join(dir, 'latest.yml');
      fs.writeFileSync(yml, fs.readFileSync(yml, 'utf8').replace('stagingPercentage: 10', 'stagingPercentage: 100'));
      await expectInvalid(dir, /metadata file changed: latest\.yml/);
    });

    it('a metadata file added after signing', async () => {
      const dir = copyOfSigned('t-added');
      fs.copyFileSync(path.join(dir, 'latest-linux.yml'), path.join(dir, 'latest-mac.yml'));
      await expectInvalid(dir, /metadata file not signed: latest-mac\.yml/);
    });

    it('the manifest edited (its rollout raised)', async () => {
      const dir = copyOfSigned('t-manifest');
      const file = path.join(dir, MANIFEST_FILE);
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"rollout": 10', '"rollout": 100'));
      await expectInvalid(dir, /bad signature: .*the manifest was altered after signing/);
    });

    it('the manifest replaced by something that is not a manifest', async () => {
      const dir = copyOfSigned('t-not-manifest');
      const file = path.join(dir, MANIFEST_FILE);
      const m = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
      delete m.artifacts;
      fs.writeFileSync(file, JSON.stringify(m));
      await expectInvalid(dir, /manifest altered: release-manifest\.json is not a release manifest \(artifacts:/);
    });

    it('the signature edited', async () => {
      const dir = copyOfSigned('t-signature');
      const file = path.join(dir, SIGNATURE_FILE);
      const sig = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
      sig[10] = sig[10]! ^ 0x01;
      fs.writeFileSync(file, `${sig.toString('base64')}\n`);
      await expectInvalid(dir, /bad signature: release-manifest\.json\.sig does not verify/);
    });

    it('signed by a key that is not trusted', async () => {
      await expectInvalid(signed, /unknown signing key: the manifest is signed by key [0-9a-f]{64}, which is not among the 1 trusted key\(s\)/, [pubB]);
    });

    it('for another channel than asked', async () => {
      const r = await run('verify', signed, '--pub', pubA, '--channel', 'beta', '--json');
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, problems: ['channel mismatch: the manifest is for stable, not beta'] });
    });
  });

  it('a rotated key: both public keys given, the old release verifies with the old key and the new with the new', async () => {
    const newer = path.join(root, 'rotated');
    writeRelease(newer, { version: '1.2.0', metadata: ['latest-linux.yml'] });
    const s = await run('sign', newer, '--key', path.join(keysB, 'release-key.pem'), '--channel', 'stable');
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toMatch(/\(everyone\)/);

    for (const [dir, key] of [
      [signed, pubA],
      [newer, pubB],
    ] as const) {
      const r = await run('verify', dir, '--pub', pubA, '--pub', pubB, '--json');
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, keyId: releaseKeyId(fs.readFileSync(key, 'utf8')) });
    }
    await expectInvalid(newer, /unknown signing key/, [pubA]);
  });

  it('re-signing widens the rollout; a beta release is signed on its own channel files', async () => {
    const dir = copyOfSigned('widen');
    const r = await run('sign', dir, '--key', path.join(keysA, 'release-key.pem'), '--channel', 'stable', '--rollout', '50', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ rollout: 50 });
    expect(fs.readFileSync(path.join(dir, 'latest.yml'), 'utf8').match(/stagingPercentage/g)).toHaveLength(1);
    expect((await run('verify', dir, '--pub', pubA)).code).toBe(0);

    const beta = path.join(root, 'beta');
    writeRelease(beta, { version: '1.3.0-beta.1', metadata: ['beta-linux.yml', 'beta.yml'] });
    const b = await run('sign', beta, '--key', path.join(keysA, 'release-key.pem'), '--channel', 'beta', '--json');
    expect(b.code, b.stderr).toBe(0);
    expect(JSON.parse(b.stdout)).toMatchObject({ channel: 'beta', version: '1.3.0-beta.1', metadata: [{ name: 'beta-linux.yml' }, { name: 'beta.yml' }] });
  });

  describe.concurrent('usage and bad input exit 2, naming the field', () => {
    const key = () => path.join(keysA, 'release-key.pem');
    it.each([
      ['a rollout over 100', () => ['sign', signed, '--key', key(), '--channel', 'stable', '--rollout', '150'], /--rollout must be a whole percentage from 0 to 100/],
      ['a rollout that is not a number', () => ['sign', signed, '--key', key(), '--channel', 'stable', '--rollout', '10%'], /--rollout must be a whole percentage/],
      ['an unknown channel', () => ['sign', signed, '--key', key(), '--channel', 'nightly'], /--channel.*nightly.*stable, beta|Allowed choices are stable, beta/],
      ['no --channel', () => ['sign', signed, '--key', key()], /--channel/],
      ['a key file that does not exist', () => ['sign', signed, '--key', path.join(root, 'nope.pem'), '--channel', 'stable'], /--key .*nope\.pem: no such file/],
      ['a public key given as the signing key', () => ['sign', signed, '--key', pubA, '--channel', 'stable'], /privateKeyPem: not a PEM private key/],
      ['a folder without update metadata', () => ['sign', keysB, '--key', key(), '--channel', 'stable'], /has no latest\*\.yml/],
      ['a release folder that does not exist', () => ['verify', path.join(root, 'nope'), '--pub', pubA], /DIR .*nope: not a directory/],
      ['verify without --pub', () => ['verify', signed], /--pub/],
      ['a --pub that is not a public key', () => ['verify', signed, '--pub', path.join(signed, 'latest.yml')], /--pub .*latest\.yml: not a PEM public key/],
    ])('%s', async (_name, args, message) => {
      const r = await run(...args());
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
    });

    it('a refused sign leaves the release as it was', async () => {
      const dir = copyOfSigned('refused');
      const before = fs.readFileSync(path.join(dir, 'latest.yml'), 'utf8');
      flipByte(path.join(dir, ARTIFACT)); // the yml no longer describes the file
      const r = await run('sign', dir, '--key', key(), '--channel', 'stable', '--rollout', '50');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`latest-linux\\.yml: the sha512 of ${ARTIFACT.replace(/\./g, '\\.')} is not the file's`));
      expect(fs.readFileSync(path.join(dir, 'latest.yml'), 'utf8')).toBe(before);
    });
  });
});
