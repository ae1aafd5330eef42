import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The folder holding migrations, schemas and the policy file. The Electron shell points
 * GUARDIAN_RESOURCES_DIR at the packaged copy; from source it is the repo's `resources/`.
 */
export function resourcesDir(): string {
  if (process.env.GUARDIAN_RESOURCES_DIR) return process.env.GUARDIAN_RESOURCES_DIR;
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'resources');
    if (fs.existsSync(path.join(candidate, 'migrations'))) return (cached = candidate);
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the resources folder; set GUARDIAN_RESOURCES_DIR');
    dir = parent;
  }
}

export const resourcePath = (...parts: string[]) => path.join(resourcesDir(), ...parts);
