import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** The dev host serves the BUILT renderer: build it once per run (no Electron binary needed). */
export default function globalSetup() {
  const root = join(import.meta.dirname, '..', '..');
  execFileSync(join(root, 'node_modules', '.bin', 'electron-vite'), ['build'], { cwd: root, stdio: 'pipe', env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } });
}
