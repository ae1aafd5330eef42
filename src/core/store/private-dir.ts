import fs from 'node:fs';

/**
 * Creates dir (and its parents) if needed and makes it this OS user's only (0700): data dirs hold cached
 * moderated content, the outbox and the embedded database (issue 12: they were 0755). chmod as well as
 * mkdir's mode, because mkdir leaves an existing dir as it is and the umask may loosen a new one.
 */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
}
