// The public keys the app trusts are the `*.pub.pem` files of resources/release-keys/ (the packaged copy
// when GUARDIAN_RESOURCES_DIR points there); with none, every update is refused.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { embeddedReleaseKeys, generateReleaseKeys, releaseKeyId, signRelease, verifyDownloadedUpdate } from '../../src/core/release/manifest.js';
import { tempDir, writeRelease } from './release-fixture.js';

const saved = process.env.GUARDIAN_RESOURCES_DIR;
const dirs: string[] = [];
afterEach(() => {
  if (saved === undefined) delete process.env.GUARDIAN_RESOURCES_DIR;
  else process.env.GUARDIAN_RESOURCES_DIR = saved;
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function resources(): string {
  const dir = tempDir('resources');
  dirs.push(dir);
  process.env.GUARDIAN_RESOURCES_DIR = dir;
  return dir;
}

describe('embeddedReleaseKeys', () => {
  it('returns every *.pub.pem of release-keys/ (more than one, for rotation) and nothing else', () => {
    const keys = path.join(resources(), 'release-keys');
    fs.mkdirSync(keys);
    const a = generateReleaseKeys();
    const b = generateReleaseKeys();
    fs.writeFileSync(path.join(keys, '2026-b.pub.pem'), b.publicKeyPem);
    fs.writeFileSync(path.join(keys, '2025-a.pub.pem'), a.publicKeyPem);
    fs.writeFileSync(path.join(keys, 'release-key.pem'), a.privateKeyPem);
    fs.writeFileSync(path.join(keys, 'README.md'), '# keys');
    expect(embeddedReleaseKeys().map((k) => releaseKeyId(k))).toEqual([releaseKeyId(a.publicKeyPem), releaseKeyId(b.publicKeyPem)]);
  });

  it('with no key folder there is no key, and a genuine update is refused saying why', () => {
    resources();
    expect(embeddedReleaseKeys()).toEqual([]);
    const release = tempDir('release');
    dirs.push(release);
    const [artifact] = writeRelease(release, { version: '1.1.0', metadata: ['latest-linux.yml'] });
    signRelease(release, { privateKeyPem: generateReleaseKeys().privateKeyPem, channel: 'stable' });
    const r = verifyDownloadedUpdate({
      manifestJson: fs.readFileSync(path.join(release, 'release-manifest.json'), 'utf8'),
      signature: fs.readFileSync(path.join(release, 'release-manifest.json.sig'), 'utf8'),
      publicKeys: embeddedReleaseKeys(),
      artifactFile: path.join(release, artifact!),
      artifactName: artifact!,
    });
    expect(r).toEqual({ ok: false, problems: ['no trusted release keys: every update is refused (an admin adds a *.pub.pem to resources/release-keys/)'] });
  });
});
