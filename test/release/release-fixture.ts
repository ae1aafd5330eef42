// Release folders as electron-builder writes them (`latest-linux.yml` next to the artifacts it names, with
// their real size and base64 SHA-512), for the sign/verify and updater tests. The artifacts are random bytes:
// what matters to the updater and to the manifest is that their hashes are real.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileSha512 } from '../../src/core/release/manifest.js';

export interface ReleaseArtifact {
  name: string;
  bytes?: number;
}

/** The update metadata electron-builder writes for one OS (its `files`, plus the legacy `path`/`sha512`). */
export function updateInfoYml(version: string, dir: string, artifacts: string[]): string {
  const files = artifacts.map((name) => ({ name, ...fileSha512(path.join(dir, name)) }));
  const lines = [`version: ${version}`, 'files:'];
  for (const f of files) lines.push(`  - url: ${f.name}`, `    sha512: ${f.sha512}`, `    size: ${f.size}`);
  lines.push(`path: ${files[0]!.name}`, `sha512: ${files[0]!.sha512}`, `releaseDate: '2026-12-03T08:00:00.000Z'`);
  return `${lines.join('\n')}\n`;
}

/** Writes artifacts of random bytes and their metadata file(s) into DIR; returns the artifact names. */
export function writeRelease(dir: string, o: { version: string; metadata: string[]; artifacts?: ReleaseArtifact[] }): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const artifacts = o.artifacts ?? [{ name: `guardian-workstation_${o.version}_amd64.deb` }];
  for (const a of artifacts) fs.writeFileSync(path.join(dir, a.name), randomBytes(a.bytes ?? 64 * 1024));
  const names = artifacts.map((a) => a.name);
  for (const m of o.metadata) fs.writeFileSync(path.join(dir, m), updateInfoYml(o.version, dir, names));
  return names;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `guardian-${prefix}-`));
}

/** Flips one byte in the middle of a file (same size, different hash). */
export function flipByte(file: string): void {
  const b = fs.readFileSync(file);
  const i = Math.floor(b.length / 2);
  b[i] = b[i]! ^ 0xff;
  fs.writeFileSync(file, b);
}
