// The credential vault port (core/session/session-host.ts) on Electron's safeStorage. A password is kept
// only when safeStorage is backed by a real OS keychain (macOS Keychain, Windows DPAPI, libsecret/kwallet
// on Linux); with Linux's `basic_text` fallback it would be obfuscated, not protected, so it is not kept
// and the person signs in at each start. Never written in plain text.
import fs from 'node:fs';
import path from 'node:path';
import { safeStorage } from 'electron';
import type { CredentialVault, Credentials } from '../core/session/session-host.js';

export function createSafeStorageVault(dir: string): CredentialVault {
  const file = path.join(dir, 'credentials.bin');
  const kind = (): ReturnType<CredentialVault['kind']> => {
    if (!safeStorage.isEncryptionAvailable()) return 'unavailable';
    if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') return 'basic_text';
    return 'keychain';
  };
  return {
    kind,
    load(): Credentials | undefined {
      if (kind() !== 'keychain' || !fs.existsSync(file)) return undefined;
      try {
        return JSON.parse(safeStorage.decryptString(fs.readFileSync(file))) as Credentials;
      } catch {
        return undefined; // another user's or another machine's file: ask instead
      }
    },
    save(c: Credentials) {
      if (kind() !== 'keychain') return;
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      fs.writeFileSync(file, safeStorage.encryptString(JSON.stringify(c)), { mode: 0o600 });
    },
    clear() {
      fs.rmSync(file, { force: true });
    },
  };
}
