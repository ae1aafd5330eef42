// The updater port (STYLE: a port per platform difference). The Electron adapter (src/main/updater.ts)
// wraps electron-updater behind it; the dev host and the tests steer a scripted one
// (src/devhost/scripted-updater.ts). The decisions — when to check, download, verify and install — are
// the UpdateController's (controller.ts), in plain Node, never the adapter's.

/** A newer build the feed offers on this workstation's channel (rollout and downgrade rules applied). */
export interface FoundUpdate {
  version: string;
  /** Release notes / name when the feed gives them (shown as text, never as HTML). */
  notes?: string;
}

/** A downloaded build, not yet trusted: the controller verifies it before anything can install it. */
export interface DownloadedUpdate {
  version: string;
  /** The artifact on disk (what the signed manifest's SHA-512 is checked against). */
  file: string;
}

export interface UpdaterPort {
  /** The build running now (package.json version in the app). */
  readonly currentVersion: string;
  /** Asks the feed; null when nothing newer is offered here. Rejects when the feed cannot be read. */
  check(): Promise<FoundUpdate | null>;
  /** Downloads the update the last check found, reporting progress 0–100. */
  download(onProgress: (percent: number) => void): Promise<DownloadedUpdate>;
  /** Installs the verified download now: quits and restarts the app. */
  install(): void;
  /** Whether the verified download may install when the app quits (off until it verified). */
  setInstallOnQuit(enabled: boolean): void;
}

/** The result of checking a download against the admins' signed release manifest (src/core/release). */
export interface VerifyResult {
  ok: boolean;
  problems: string[];
}
export type VerifyDownload = (d: DownloadedUpdate) => Promise<VerifyResult>;
