import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding migrations, schemas, the policy file and the evaluation sample. The Electron shell
 * points GUARDIAN_RESOURCES_DIR at the packaged copy; from source (tsx, vitest) or a bundle in out/ it
 * is the first `resources/` found walking up from this module.
 */
export function resourcesDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GUARDIAN_RESOURCES_DIR) return path.resolve(env.GUARDIAN_RESOURCES_DIR);
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'resources');
    if (fs.existsSync(path.join(candidate, 'db', 'migrations'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the resources folder above ${fileURLToPath(import.meta.url)}; set GUARDIAN_RESOURCES_DIR`);
    dir = parent;
  }
}

export const resourcePath = (...parts: string[]) => path.join(resourcesDir(), ...parts);
