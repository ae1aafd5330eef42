// A steerable UpdaterPort — TEST/DEV ONLY (the dev host and test/update use it; the app uses
// src/main/updater.ts). What the "feed" offers, how far a download has got and whether it fails are set
// by whoever holds the object: a test, or the dev host's token-protected control endpoint
// (POST /__dev/update, see server.ts).
import type { DownloadedUpdate, FoundUpdate, UpdaterPort } from '../core/update/port.js';

export interface ScriptedUpdater extends UpdaterPort {
  /** What the next check finds (null: nothing newer); `fail` makes checks reject with that message. */
  offer(version: string | null, opts?: { fail?: string }): void;
  /** Moves the download in progress to this percentage. */
  progress(percent: number): void;
  /** Completes the download in progress (the file defaults to a name for the offered version; `version`
   *  overrides what the download reports being, as a feed changed under it would). */
  finish(file?: string, version?: string): void;
  /** Fails the download in progress. */
  fail(message: string): void;
  /** Whether a download is waiting to be steered. */
  readonly downloading: boolean;
  /** How many times install() was called, and the last setInstallOnQuit value. */
  readonly installs: number;
  readonly installOnQuit: boolean;
  readonly checks: number;
}

export function createScriptedUpdater(currentVersion: string): ScriptedUpdater {
  let offered: FoundUpdate | null = null;
  let checkFailure: string | undefined;
  let active: { version: string; onProgress(p: number): void; resolve(d: DownloadedUpdate): void; reject(e: Error): void } | undefined;
  let installs = 0;
  let installOnQuit = false;
  let checks = 0;
  const take = () => {
    const a = active;
    if (!a) throw new Error('no download in progress');
    return a;
  };
  return {
    currentVersion,
    get downloading() {
      return !!active;
    },
    get installs() {
      return installs;
    },
    get installOnQuit() {
      return installOnQuit;
    },
    get checks() {
      return checks;
    },
    offer(version, opts) {
      offered = version ? { version } : null;
      checkFailure = opts?.fail;
    },
    async check() {
      checks++;
      if (checkFailure) throw new Error(checkFailure);
      return offered;
    },
    download(onProgress) {
      const version = offered?.version;
      if (!version) return Promise.reject(new Error('nothing was offered'));
      return new Promise<DownloadedUpdate>((resolve, reject) => {
        active = { version, onProgress, resolve, reject };
      });
    },
    progress(percent) {
      take().onProgress(percent);
    },
    finish(file, version) {
      const a = take();
      active = undefined;
      a.resolve({ version: version ?? a.version, file: file ?? `guardian-workstation-${a.version}.AppImage` });
    },
    fail(message) {
      const a = take();
      active = undefined;
      a.reject(new Error(message));
    },
    install() {
      installs++;
    },
    setInstallOnQuit(enabled) {
      installOnQuit = enabled;
    },
  };
}
