// Signed release manifests (issue 13): an admin signs, with an Ed25519 key kept off the build machine's git,
// one manifest over a release directory's electron-builder update metadata (`latest*.yml` / `beta*.yml`) and
// the SHA-512 of every artifact they name. The workstation trusts only the admins' public keys it embeds and
// refuses an update whose manifest signature or artifact hash does not verify — on every OS, on top of
// electron-updater's own sha512 check, which only compares the artifact with a yml served by the same feed
// (whoever can replace the artifact on the feed can replace the yml too).
// Plain Node (node:crypto): the CLI signs and verifies, the shell's updater adapter verifies a download.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { GuardianError } from '../errors.js';
import { resourcePath } from '../resources.js';
import yaml from 'js-yaml';

export const MANIFEST_FILE = 'release-manifest.json';
export const SIGNATURE_FILE = 'release-manifest.json.sig';
export const MANIFEST_FORMAT = 'guardian-release-manifest/1';

export type ReleaseChannel = 'stable' | 'beta';
/** electron-builder's channel file prefix: `stable` is its default channel, `latest`. */
const CHANNEL_PREFIX: Record<ReleaseChannel, string> = { stable: 'latest', beta: 'beta' };

/**
 * The name to give electron-updater's `channel` for a policy channel: it fetches `<channel>[-mac|-linux].yml`,
 * so `stable` must be `latest`. Setting `updater.channel` also turns `allowDowngrade` on (electron-updater's
 * documented behaviour): set `allowDowngrade = false` after it.
 */
export const electronUpdaterChannel = (channel: ReleaseChannel): string => CHANNEL_PREFIX[channel];

const Sha512 = z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'a base64 SHA-512');
const FileName = z
  .string()
  .min(1)
  .refine((n) => n === path.basename(n) && n !== '.' && n !== '..', 'a plain file name');
const FileEntry = z.object({ name: FileName, size: z.number().int().nonnegative(), sha512: Sha512 });

export const ReleaseManifest = z.object({
  format: z.literal(MANIFEST_FORMAT),
  version: z.string().min(1),
  channel: z.enum(['stable', 'beta']),
  /** The metadata's `stagingPercentage` (0..100), or null when the release goes to everyone. */
  rollout: z.number().int().min(0).max(100).nullable(),
  createdAt: z.string().min(1),
  /** SHA-256 of the signing public key (SPKI DER), hex. */
  keyId: z.string().regex(/^[0-9a-f]{64}$/),
  metadata: z.array(FileEntry).min(1),
  artifacts: z.array(FileEntry).min(1),
});
export type ReleaseManifest = z.infer<typeof ReleaseManifest>;

export interface VerifyResult {
  ok: boolean;
  problems: string[];
  manifest?: ReleaseManifest;
  keyId?: string;
}

const NO_KEYS = 'no trusted release keys: every update is refused (an admin adds a *.pub.pem to resources/release-keys/)';

// ---------------------------------------------------------------------------------------------- keys

export function generateReleaseKeys(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** The key id a manifest names: SHA-256 of the public key's SPKI DER, hex. */
export function releaseKeyId(publicKeyPem: string | KeyObject): string {
  const key = typeof publicKeyPem === 'string' ? parsePublicKey(publicKeyPem, 'public key') : publicKeyPem;
  return createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('hex');
}

function parsePublicKey(pem: string, what: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (e) {
    throw new GuardianError('invalid_input', `${what}: not a PEM public key (${(e as Error).message})`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new GuardianError('invalid_input', `${what}: a ${key.asymmetricKeyType} key, not Ed25519`);
  return key;
}

function parsePrivateKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (e) {
    throw new GuardianError('invalid_input', `privateKeyPem: not a PEM private key (${(e as Error).message})`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new GuardianError('invalid_input', `privateKeyPem: a ${key.asymmetricKeyType} key, not Ed25519`);
  return key;
}

/** The admins' public keys the app trusts: every `*.pub.pem` in resources/release-keys/ (sorted by name). */
export function embeddedReleaseKeys(dir: string = resourcePath('release-keys')): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.pub.pem'))
    .sort()
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
}

// ---------------------------------------------------------------------------------------------- files

/** SHA-512 of a file, base64 (as electron-builder writes it), read in chunks so an installer is not held in memory. */
export function fileSha512(file: string): { sha512: string; size: number } {
  const hash = createHash('sha512');
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  let size = 0;
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
      size += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { sha512: hash.digest('base64'), size };
}

/** The channel's metadata files in DIR: `latest.yml`, `latest-mac.yml`, `latest-linux.yml`, `latest-linux-arm64.yml`… */
export function channelMetadataFiles(dir: string, channel: ReleaseChannel): string[] {
  const re = new RegExp(`^${CHANNEL_PREFIX[channel]}(-[a-z0-9_-]+)?\\.yml$`);
  return fs
    .readdirSync(dir)
    .filter((f) => re.test(f))
    .sort();
}

interface UpdateInfoYml {
  version?: unknown;
  path?: unknown;
  sha512?: unknown;
  files?: Array<{ url?: unknown; sha512?: unknown; size?: unknown }>;
  stagingPercentage?: unknown;
}

// js-yaml: the parser electron-updater itself reads these files with (a direct dependency, same version).
function loadYaml(text: string, name: string): UpdateInfoYml {
  let doc: unknown;
  try {
    doc = yaml.load(text);
  } catch (e) {
    throw new GuardianError('invalid_input', `${name}: not valid YAML (${(e as Error).message.split('\n')[0]})`);
  }
  if (!doc || typeof doc !== 'object') throw new GuardianError('invalid_input', `${name}: not electron-builder update metadata`);
  return doc as UpdateInfoYml;
}

/** The artifact file a metadata `url` names, in the release directory (electron-builder writes plain names). */
function artifactName(url: string, yml: string): string {
  const raw = /^[a-z][a-z0-9+.-]*:/i.test(url) ? new URL(url).pathname : url;
  const name = decodeURIComponent(path.posix.basename(raw));
  if (!name || name !== path.basename(name) || name === '..' || name === '.') throw new GuardianError('invalid_input', `${yml}: files[].url "${url}" does not name a file`);
  return name;
}

/** `stagingPercentage: P` set in the yml text (the one line electron-builder's docs tell admins to add). */
function withStagingPercentage(text: string, rollout: number): string {
  const lines = text.split(/\r?\n/).filter((l) => !/^stagingPercentage\s*:/.test(l));
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return `${lines.join('\n')}\nstagingPercentage: ${rollout}\n`;
}

// ---------------------------------------------------------------------------------------------- sign

export function signRelease(dir: string, o: { privateKeyPem: string; channel: ReleaseChannel; rollout?: number }): ReleaseManifest {
  if (o.channel !== 'stable' && o.channel !== 'beta') throw new GuardianError('invalid_input', `channel: "${String(o.channel)}" is not stable or beta`);
  if (o.rollout !== undefined && !(Number.isInteger(o.rollout) && o.rollout >= 0 && o.rollout <= 100))
    throw new GuardianError('invalid_input', `rollout: ${o.rollout} is not a whole percentage from 0 to 100`);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new GuardianError('invalid_input', `dir: ${dir} is not a directory`);
  const privateKey = parsePrivateKey(o.privateKeyPem);
  const publicKey = createPublicKey(privateKey);

  const names = channelMetadataFiles(dir, o.channel);
  if (!names.length)
    throw new GuardianError('invalid_input', `${dir} has no ${CHANNEL_PREFIX[o.channel]}*.yml: not an electron-builder release directory for the ${o.channel} channel`);

  // The rollout goes into the metadata before it is hashed, so that the signature covers it; the files are
  // written only once every check below has passed.
  const texts = new Map<string, string>();
  for (const name of names) {
    const text = fs.readFileSync(path.join(dir, name), 'utf8');
    texts.set(name, o.rollout === undefined ? text : withStagingPercentage(text, o.rollout));
  }

  let version: string | undefined;
  let rollout: number | null | undefined;
  const artifacts = new Map<string, z.infer<typeof FileEntry>>();
  const metadata: z.infer<typeof FileEntry>[] = [];
  for (const name of names) {
    const text = texts.get(name)!;
    const doc = loadYaml(text, name);
    if (typeof doc.version !== 'string' || !doc.version) throw new GuardianError('invalid_input', `${name}: no version`);
    if (version !== undefined && doc.version !== version) throw new GuardianError('invalid_input', `${name}: version ${doc.version}, but ${names[0]} says ${version}`);
    version = doc.version;
    const staging = doc.stagingPercentage === undefined || doc.stagingPercentage === null ? null : Number(doc.stagingPercentage);
    if (staging !== null && !(Number.isInteger(staging) && staging >= 0 && staging <= 100))
      throw new GuardianError('invalid_input', `${name}: stagingPercentage ${String(doc.stagingPercentage)} is not a whole percentage from 0 to 100`);
    if (rollout !== undefined && staging !== rollout) throw new GuardianError('invalid_input', `${name}: stagingPercentage ${staging}, but ${names[0]} says ${rollout}`);
    rollout = staging;

    const entries = Array.isArray(doc.files) && doc.files.length ? doc.files : typeof doc.path === 'string' ? [{ url: doc.path, sha512: doc.sha512 }] : [];
    if (!entries.length) throw new GuardianError('invalid_input', `${name}: names no files`);
    for (const entry of entries) {
      if (typeof entry.url !== 'string') throw new GuardianError('invalid_input', `${name}: a files[] entry has no url`);
      const artifact = artifactName(entry.url, name);
      const artifactFile = path.join(dir, artifact);
      if (!fs.existsSync(artifactFile)) throw new GuardianError('invalid_input', `${name} names ${artifact}, which is not in ${dir}`);
      const actual = fileSha512(artifactFile);
      // A yml that disagrees with its artifact would be refused by every client anyway: stop here, not there.
      if (entry.sha512 !== actual.sha512) throw new GuardianError('invalid_input', `${name}: the sha512 of ${artifact} is not the file's (rebuild, or regenerate the metadata)`);
      if (entry.size !== undefined && entry.size !== actual.size) throw new GuardianError('invalid_input', `${name}: the size of ${artifact} is ${String(entry.size)}, the file's is ${actual.size}`);
      artifacts.set(artifact, { name: artifact, ...actual });
      const blockmap = `${artifact}.blockmap`;
      if (fs.existsSync(path.join(dir, blockmap))) artifacts.set(blockmap, { name: blockmap, ...fileSha512(path.join(dir, blockmap)) });
    }
    const bytes = Buffer.from(text, 'utf8');
    metadata.push({ name, size: bytes.length, sha512: createHash('sha512').update(bytes).digest('base64') });
  }

  const manifest = ReleaseManifest.parse({
    format: MANIFEST_FORMAT,
    version,
    channel: o.channel,
    rollout: rollout ?? null,
    createdAt: new Date().toISOString(),
    keyId: releaseKeyId(publicKey),
    metadata,
    artifacts: [...artifacts.values()].sort((a, b) => a.name.localeCompare(b.name)),
  });
  if (o.rollout !== undefined) for (const [name, text] of texts) fs.writeFileSync(path.join(dir, name), text);
  const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, MANIFEST_FILE), bytes);
  fs.writeFileSync(path.join(dir, SIGNATURE_FILE), `${sign(null, bytes, privateKey).toString('base64')}\n`);
  return manifest;
}

// ---------------------------------------------------------------------------------------------- verify

interface TrustedKey {
  id: string;
  key: KeyObject;
}

function trustedKeys(publicKeys: string[], problems: string[]): TrustedKey[] {
  const keys: TrustedKey[] = [];
  publicKeys.forEach((pem, i) => {
    try {
      const key = parsePublicKey(pem, `publicKeys[${i}]`);
      keys.push({ id: releaseKeyId(key), key });
    } catch (e) {
      problems.push(`trusted key ${i + 1} is unusable: ${(e as Error).message}`);
    }
  });
  if (!keys.length) problems.push(NO_KEYS);
  return keys;
}

/**
 * The signature check shared by a release directory and a downloaded update: the manifest parses, names a
 * trusted key, and its exact bytes carry that key's signature.
 */
function verifySignedManifest(manifestBytes: Buffer, signature: string, publicKeys: string[], problems: string[]): { manifest?: ReleaseManifest; keyId?: string; signed: boolean } {
  const keys = trustedKeys(publicKeys, problems);
  let parsed: unknown;
  try {
    parsed = JSON.parse(manifestBytes.toString('utf8'));
  } catch {
    problems.push(`manifest altered: ${MANIFEST_FILE} is not JSON`);
    return { signed: false };
  }
  const r = ReleaseManifest.safeParse(parsed);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    problems.push(`manifest altered: ${MANIFEST_FILE} is not a release manifest (${issue.path.join('.') || 'document'}: ${issue.message})`);
    return { signed: false };
  }
  const manifest = r.data;
  const sig = Buffer.from(signature.trim(), 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature.trim()) || sig.length !== 64) {
    problems.push(`bad signature: ${SIGNATURE_FILE} is not a base64 Ed25519 signature`);
    return { manifest, signed: false };
  }
  const key = keys.find((k) => k.id === manifest.keyId);
  if (!key) {
    if (keys.length) problems.push(`unknown signing key: the manifest is signed by key ${manifest.keyId}, which is not among the ${keys.length} trusted key(s)`);
    return { manifest, keyId: manifest.keyId, signed: false };
  }
  if (!verify(null, manifestBytes, key.key, sig)) {
    // Ed25519 cannot tell an edited manifest from an edited signature: both are named.
    problems.push(`bad signature: ${SIGNATURE_FILE} does not verify ${MANIFEST_FILE} under key ${key.id} (the manifest was altered after signing, or the signature is not its)`);
    return { manifest, keyId: key.id, signed: false };
  }
  return { manifest, keyId: key.id, signed: true };
}

/** Verifies a release directory against its signed manifest; `problems` names every file and check that failed. */
export function verifyRelease(dir: string, o: { publicKeys: string[]; channel?: ReleaseChannel }): VerifyResult {
  const problems: string[] = [];
  const manifestFile = path.join(dir, MANIFEST_FILE);
  const sigFile = path.join(dir, SIGNATURE_FILE);
  if (!fs.existsSync(manifestFile)) return { ok: false, problems: [`manifest missing: no ${MANIFEST_FILE} in ${dir} (sign the release first)`] };
  if (!fs.existsSync(sigFile)) return { ok: false, problems: [`signature missing: no ${SIGNATURE_FILE} in ${dir}`] };
  const { manifest, keyId } = verifySignedManifest(fs.readFileSync(manifestFile), fs.readFileSync(sigFile, 'utf8'), o.publicKeys, problems);
  if (!manifest) return { ok: false, problems };

  if (o.channel && manifest.channel !== o.channel) problems.push(`channel mismatch: the manifest is for ${manifest.channel}, not ${o.channel}`);
  const prefix = CHANNEL_PREFIX[manifest.channel];
  const signedMetadata = new Set(manifest.metadata.map((m) => m.name));
  for (const m of manifest.metadata)
    if (!m.name.startsWith(prefix)) problems.push(`channel mismatch: ${m.name} is not a ${manifest.channel} (${prefix}*.yml) metadata file`);
  // A client reads whichever yml its OS names: one the signature does not cover is not trusted either.
  for (const name of channelMetadataFiles(dir, manifest.channel))
    if (!signedMetadata.has(name)) problems.push(`metadata file not signed: ${name} is not covered by the manifest`);

  for (const m of manifest.metadata) {
    const file = path.join(dir, m.name);
    if (!fs.existsSync(file)) {
      problems.push(`metadata file missing: ${m.name}`);
      continue;
    }
    if (fileSha512(file).sha512 !== m.sha512) problems.push(`metadata file changed: ${m.name} is not the file that was signed`);
  }
  for (const a of manifest.artifacts) {
    const file = path.join(dir, a.name);
    if (!fs.existsSync(file)) {
      problems.push(`artifact missing: ${a.name}`);
      continue;
    }
    const actual = fileSha512(file);
    if (actual.sha512 !== a.sha512 || actual.size !== a.size) problems.push(`artifact hash mismatch: ${a.name} is not the file that was signed`);
  }
  return { ok: problems.length === 0, problems, manifest, keyId };
}

/**
 * What the app runs on a downloaded update before it may be installed: the manifest (fetched from the same
 * feed) carries a trusted admin key's signature, names this artifact with this file's size and SHA-512, and
 * is for the version electron-updater offered.
 */
export function verifyDownloadedUpdate(o: {
  manifestJson: string;
  signature: string;
  publicKeys: string[];
  artifactFile: string;
  artifactName: string;
  expectedVersion?: string;
  /** The channel this workstation follows: a build the admins signed for another channel is refused here. */
  expectedChannel?: 'stable' | 'beta';
}): { ok: boolean; problems: string[] } {
  const problems: string[] = [];
  const { manifest, signed } = verifySignedManifest(Buffer.from(o.manifestJson, 'utf8'), o.signature, o.publicKeys, problems);
  if (!manifest || !signed) return { ok: false, problems };
  if (o.expectedChannel !== undefined && manifest.channel !== o.expectedChannel)
    problems.push(`channel mismatch: the manifest was signed for ${manifest.channel}, this workstation follows ${o.expectedChannel}`);
  if (o.expectedVersion !== undefined && manifest.version !== o.expectedVersion)
    problems.push(`version mismatch: the manifest is for ${manifest.version}, the update offered is ${o.expectedVersion}`);
  const entry = manifest.artifacts.find((a) => a.name === o.artifactName);
  if (!entry) problems.push(`artifact not in the manifest: ${o.artifactName}`);
  else if (!fs.existsSync(o.artifactFile)) problems.push(`artifact missing: ${o.artifactFile}`);
  else {
    const actual = fileSha512(o.artifactFile);
    if (actual.sha512 !== entry.sha512 || actual.size !== entry.size) problems.push(`artifact hash mismatch: ${o.artifactName} is not the file that was signed`);
  }
  return { ok: problems.length === 0, problems };
}
