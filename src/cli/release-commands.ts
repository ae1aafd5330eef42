// `guardian release keygen|sign|verify` (issue 13, DESIGN §13): an admin's signed releases. The private key
// stays with the admin; the workstation embeds the public keys (resources/release-keys/) and refuses an
// update that does not verify. Exit 0 done / valid, 1 invalid (naming what failed), 2 usage or bad input.
import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { GuardianError } from '../core/errors.js';
import { generateReleaseKeys, MANIFEST_FILE, releaseKeyId, signRelease, SIGNATURE_FILE, verifyRelease, type ReleaseChannel } from '../core/release/manifest.js';

interface Io {
  out(s: string): void;
  err(s: string): void;
  json(v: unknown): void;
}

const PRIVATE_KEY = 'release-key.pem';
const PUBLIC_KEY = 'release-key.pub.pem';

const percentage = (v: string): number => {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isInteger(n) || n < 0 || n > 100) throw new InvalidArgumentError('--rollout must be a whole percentage from 0 to 100');
  return n;
};

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

function readFileArg(file: string, option: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new GuardianError('invalid_input', `${option} ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

function releaseDir(dir: string): string {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new GuardianError('invalid_input', `DIR ${dir}: not a directory`);
  return dir;
}

const rolloutText = (r: number | null) => (r === null ? 'everyone' : `rollout ${r} %`);

export function registerReleaseCommands(program: Command, io: Io): Command {
  const release = program.command('release').description("admins' signed releases: keygen, sign, verify");

  release
    .command('keygen')
    .description(`make an Ed25519 release key: DIR/${PRIVATE_KEY} (mode 0600, keep it offline) and DIR/${PUBLIC_KEY}`)
    .requiredOption('--out <dir>', 'the folder to write the two files to (created if missing)')
    .option('--json', 'print { privateKey, publicKey, keyId } on stdout')
    .action((o: { out: string; json?: boolean }) => {
      const priv = path.join(o.out, PRIVATE_KEY);
      const pub = path.join(o.out, PUBLIC_KEY);
      for (const f of [priv, pub]) if (fs.existsSync(f)) throw new GuardianError('invalid_input', `--out: ${f} exists; a release key is never overwritten (choose another folder)`);
      fs.mkdirSync(o.out, { recursive: true, mode: 0o700 });
      const keys = generateReleaseKeys();
      // 'wx': fails if the file appeared in the meantime; the mode is set again in case of a umask.
      fs.writeFileSync(priv, keys.privateKeyPem, { mode: 0o600, flag: 'wx' });
      fs.chmodSync(priv, 0o600);
      fs.writeFileSync(pub, keys.publicKeyPem, { mode: 0o644, flag: 'wx' });
      const keyId = releaseKeyId(keys.publicKeyPem);
      if (o.json) return io.json({ privateKey: path.resolve(priv), publicKey: path.resolve(pub), keyId });
      io.out(`release key ${keyId}`);
      io.out(`private key: ${priv} (mode 0600: keep it offline, never in git)`);
      io.out(`public key:  ${pub} (copy it to resources/release-keys/<name>.pub.pem for the app to trust it)`);
    });

  release
    .command('sign')
    .description(`sign an electron-builder release folder: writes ${MANIFEST_FILE} and ${SIGNATURE_FILE} (with --rollout, stagingPercentage in the metadata first)`)
    .argument('<dir>', 'the folder with latest*.yml / beta*.yml and the artifacts they name')
    .requiredOption('--key <file>', `the private key (${PRIVATE_KEY})`)
    .addOption(new Option('--channel <channel>', 'the update channel').choices(['stable', 'beta']).makeOptionMandatory())
    .option('--rollout <percent>', 'staged rollout: stagingPercentage 0..100 (0 holds the release back)', percentage)
    .option('--json', 'print the manifest on stdout')
    .action((dir: string, o: { key: string; channel: ReleaseChannel; rollout?: number; json?: boolean }) => {
      const privateKeyPem = readFileArg(o.key, '--key');
      const mode = fs.statSync(o.key).mode & 0o077;
      if (mode && process.platform !== 'win32') io.err(`warning: ${o.key} can be read by other users (chmod 600 it)`);
      const manifest = signRelease(releaseDir(dir), { privateKeyPem, channel: o.channel, rollout: o.rollout });
      if (o.json) return io.json(manifest);
      io.out(
        `signed ${manifest.version} for ${manifest.channel} (${rolloutText(manifest.rollout)}): ${manifest.metadata.map((m) => m.name).join(', ')}; ${manifest.artifacts.length} artifact(s); key ${manifest.keyId}`,
      );
    });

  release
    .command('verify')
    .description('check a release folder against its signed manifest (exit 0 valid, 1 invalid, naming what failed)')
    .argument('<dir>', 'the release folder')
    .requiredOption('--pub <file>', 'a trusted public key (repeat for several, e.g. while rotating)', collect)
    .addOption(new Option('--channel <channel>', 'also require this channel').choices(['stable', 'beta']))
    .option('--json', 'print { ok, problems, manifest, keyId } on stdout')
    .action((dir: string, o: { pub: string[]; channel?: ReleaseChannel; json?: boolean }) => {
      const publicKeys = o.pub.map((f) => readFileArg(f, '--pub'));
      // An unusable --pub is bad input (exit 2), not an invalid release.
      for (const [i, pem] of publicKeys.entries()) {
        try {
          releaseKeyId(pem);
        } catch (e) {
          throw new GuardianError('invalid_input', `--pub ${o.pub[i]}: ${(e as Error).message.replace(/^public key: /, '')}`);
        }
      }
      const r = verifyRelease(releaseDir(dir), { publicKeys, channel: o.channel });
      if (o.json) io.json({ ok: r.ok, problems: r.problems, manifest: r.manifest ?? null, keyId: r.keyId ?? null });
      else if (r.ok) io.out(`valid: ${r.manifest!.version} for ${r.manifest!.channel} (${rolloutText(r.manifest!.rollout)}), signed by key ${r.keyId}`);
      else for (const p of r.problems) io.err(`invalid: ${p}`);
      if (!r.ok) throw new GuardianError('internal', `the release in ${dir} does not verify (${r.problems.length} problem(s))`);
    });

  return release;
}
