// The check a download passes before anything may install it (issue 13): the admins' signed release manifest,
// fetched from the same feed, must carry a trusted key's signature and name this very file (size + SHA-512)
// for the offered version (src/core/release/manifest.ts). electron-updater's own sha512 check only compares
// the file with a yml from the same feed; this one needs the admins' private key.
import path from 'node:path';
import { MANIFEST_FILE, SIGNATURE_FILE, verifyDownloadedUpdate } from '../release/manifest.js';
import type { VerifyDownload } from './port.js';

export interface ManifestCheckOptions {
  /** The generic feed's base URL (where latest*.yml, the artifacts and the signed manifest are). */
  feedUrl: string;
  /** The admins' public keys the app trusts (embeddedReleaseKeys()); none: every update is refused. */
  publicKeys: string[];
  /** The channel this workstation follows (a copy of another channel's signed release is refused). */
  channel?: 'stable' | 'beta';
  fetch?: typeof fetch;
}

/**
 * Where one channel's releases are: `<feed>/<channel>/` (`…/guardian/stable/`, `…/guardian/beta/`). One
 * folder per channel, because each folder has one signed manifest; and so the channel an admin's policy
 * chooses is all that moves a workstation between them (one feed URL for the whole team).
 */
export function channelFeedUrl(feedUrl: string, channel: 'stable' | 'beta'): string {
  return `${feedUrl.replace(/\/+$/, '')}/${channel}/`;
}

export function manifestCheck(o: ManifestCheckOptions): VerifyDownload {
  const base = o.feedUrl.endsWith('/') ? o.feedUrl : `${o.feedUrl}/`;
  const get = async (name: string) => {
    const res = await (o.fetch ?? fetch)(new URL(name, base), { redirect: 'error', cache: 'no-store' });
    if (!res.ok) throw new Error(`${name}: HTTP ${res.status} from the feed`);
    return res.text();
  };
  return async (d) => {
    let manifestJson: string;
    let signature: string;
    try {
      [manifestJson, signature] = await Promise.all([get(MANIFEST_FILE), get(SIGNATURE_FILE)]);
    } catch (err) {
      return { ok: false, problems: [`the signed release manifest could not be read (${(err as Error).message})`] };
    }
    return verifyDownloadedUpdate({
      manifestJson,
      signature,
      publicKeys: o.publicKeys,
      artifactFile: d.file,
      artifactName: path.basename(d.file),
      expectedVersion: d.version,
      expectedChannel: o.channel,
    });
  };
}
