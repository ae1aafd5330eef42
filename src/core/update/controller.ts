// The update policy (issue 13), in plain Node: checks on start and every few hours, downloads in the
// background, refuses a build whose signed release manifest does not verify (src/core/release), and
// installs only when nothing would be interrupted — when the person chooses "Restart now" at a safe
// moment, otherwise when the app quits. It also holds "update required": the team's minimum version,
// learnt from a command the database refused with `update_required` (helper V's typed error).
import { GuardianError } from '../errors.js';
import type { Logger } from '../ports.js';
import type { Activity } from './activity.js';
import type { UpdaterPort, VerifyDownload } from './port.js';
import { compareVersions } from './version.js';

export type UpdateState =
  | { phase: 'idle' }
  | { phase: 'checking' }
  | { phase: 'none'; checkedAt: string }
  | { phase: 'available'; version: string }
  | { phase: 'downloading'; version: string; percent: number }
  | { phase: 'verifying'; version: string }
  | { phase: 'ready'; version: string }
  | { phase: 'error'; message: string; version?: string };

export interface UpdateStatus {
  currentVersion: string;
  /** False when this installation has no update feed (updates come some other way). */
  enabled: boolean;
  channel: string | null;
  state: UpdateState;
  /** The team's minimum version, once a command was refused for being older; null otherwise. */
  required: { minimumVersion: string } | null;
  /** Whether "Restart now" would interrupt nothing in the shell (commands on their way). */
  restart: { allowed: boolean; reason: string | null };
}

export interface UpdateControllerOptions {
  /** Null: no feed configured — the state stays idle and checks answer why. */
  port: UpdaterPort | null;
  currentVersion: string;
  verify: VerifyDownload;
  activity: Activity;
  channel?: string | null;
  /** Download as soon as a check finds an update (default true: "download in the background"). */
  autoDownload?: boolean;
  /** Default 4 hours. */
  checkEveryMs?: number;
  /** Timers, injectable so tests step them; the default uses setInterval (unref'd). */
  every?: (fn: () => void, ms: number) => () => void;
  logger?: Logger;
}

export interface UpdateController {
  /** Checks now and every checkEveryMs. */
  start(): void;
  stop(): void;
  status(): UpdateStatus;
  check(): Promise<UpdateStatus>;
  download(): Promise<UpdateStatus>;
  /** Installs the verified update now, or refuses (typed `conflict`) naming what it would interrupt. */
  restart(): UpdateStatus;
  /** A command came back `update_required`: the team needs minimumVersion or later. */
  markRequired(minimumVersion: string): void;
  /** A state-changing command went through: this build is accepted (again). */
  clearRequired(): void;
  /** The minimum as read from the database (null: none): required when it is newer than this build. */
  /** The team's minimum as read; `current` is the database's own comparison, used when given. */
  noteMinimum(minimumVersion: string | null, current?: boolean): void;
  onChange(cb: (s: UpdateStatus) => void): () => void;
}

const HOURS = 3_600_000;

const defaultEvery = (fn: () => void, ms: number) => {
  const t = setInterval(fn, ms);
  t.unref?.();
  return () => clearInterval(t);
};

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function createUpdateController(o: UpdateControllerOptions): UpdateController {
  const listeners = new Set<(s: UpdateStatus) => void>();
  let state: UpdateState = { phase: 'idle' };
  let required: { minimumVersion: string } | null = null;
  let stopTimer: (() => void) | undefined;
  let stopActivity: (() => void) | undefined;
  let lastRestart = '';

  const status = (): UpdateStatus => {
    const reason = o.activity.blocker();
    return {
      currentVersion: o.currentVersion,
      enabled: !!o.port,
      channel: o.channel ?? null,
      state,
      required,
      restart: state.phase === 'ready' ? { allowed: !reason, reason } : { allowed: false, reason: 'No update is ready to install.' },
    };
  };
  const emit = () => {
    const s = status();
    lastRestart = JSON.stringify(s.restart);
    for (const l of listeners) l(s);
  };
  const set = (next: UpdateState) => {
    state = next;
    emit();
  };
  const busy = () => state.phase === 'checking' || state.phase === 'downloading' || state.phase === 'verifying';

  async function check(): Promise<UpdateStatus> {
    if (!o.port) {
      set({ phase: 'error', message: 'No update feed is configured for this workstation (ask your admin).' });
      return status();
    }
    // A download or a verified build in hand is not thrown away by a periodic check.
    if (busy() || state.phase === 'ready') return status();
    set({ phase: 'checking' });
    let found;
    try {
      found = await o.port.check();
    } catch (err) {
      o.logger?.warn({ err: message(err) }, 'update check failed');
      set({ phase: 'error', message: `Could not check for updates: ${message(err)}` });
      return status();
    }
    // Downgrades are never offered (electron-updater's allowDowngrade is off too).
    if (!found || compareVersions(found.version, o.currentVersion) <= 0) {
      set({ phase: 'none', checkedAt: new Date().toISOString() });
      return status();
    }
    set({ phase: 'available', version: found.version });
    if (o.autoDownload ?? true) void download();
    return status();
  }

  async function download(): Promise<UpdateStatus> {
    const version = state.phase === 'available' || (state.phase === 'error' && state.version) ? state.version : undefined;
    if (!o.port || !version) {
      if (busy() || state.phase === 'ready') return status();
      throw new GuardianError('conflict', 'There is no update to download: check for updates first.');
    }
    let file;
    try {
      const downloading = o.port.download((p) => {
        const percent = Math.max(0, Math.min(100, Math.floor(p)));
        if (state.phase === 'downloading' && percent !== state.percent) set({ phase: 'downloading', version, percent });
      });
      set({ phase: 'downloading', version, percent: 0 });
      file = await downloading;
    } catch (err) {
      o.logger?.warn({ err: message(err), version }, 'update download failed');
      set({ phase: 'error', message: `The download of ${version} failed: ${message(err)}`, version });
      return status();
    }
    set({ phase: 'verifying', version });
    let problems: string[];
    try {
      if (file.version !== version) problems = [`the download is version ${file.version}, the feed offered ${version}`];
      else {
        const r = await o.verify(file);
        problems = r.ok ? [] : r.problems.length ? r.problems : ['the manifest did not verify'];
      }
    } catch (err) {
      problems = [message(err)];
    }
    if (problems.length) {
      // Never installed, not even on quit.
      o.port.setInstallOnQuit(false);
      o.logger?.error({ version, problems }, 'update refused: signed manifest did not verify');
      set({ phase: 'error', message: `The update's signature did not verify (${problems.join('; ')}); it will not be installed.` });
      return status();
    }
    o.port.setInstallOnQuit(true);
    set({ phase: 'ready', version });
    return status();
  }

  return {
    start() {
      if (stopTimer || !o.port) return;
      // The restart answer depends on what is in flight: push it when that changes (not on every hold).
      stopActivity = o.activity.onChange(() => {
        if (JSON.stringify(status().restart) !== lastRestart) emit();
      });
      stopTimer = (o.every ?? defaultEvery)(() => void check(), o.checkEveryMs ?? 4 * HOURS);
      void check();
    },
    stop() {
      stopTimer?.();
      stopActivity?.();
      stopTimer = stopActivity = undefined;
    },
    status,
    check,
    download,
    restart() {
      if (state.phase !== 'ready' || !o.port) throw new GuardianError('conflict', 'No verified update is ready to install.');
      const reason = o.activity.blocker();
      if (reason) throw new GuardianError('conflict', `Not restarting now: ${reason}. The update installs when you quit.`, { reason });
      o.logger?.info({ version: state.version }, 'installing update (restart chosen)');
      o.port.install();
      return status();
    },
    markRequired(minimumVersion) {
      if (required?.minimumVersion === minimumVersion) return;
      required = { minimumVersion };
      emit();
      // The person will want the update: look for it now rather than at the next periodic check.
      if (o.port && (state.phase === 'idle' || state.phase === 'none' || (state.phase === 'error' && !state.version))) void check();
    },
    clearRequired() {
      if (!required) return;
      required = null;
      emit();
    },
    noteMinimum(minimumVersion, current) {
      const older = current !== undefined ? !current : !!minimumVersion && compareVersions(minimumVersion, o.currentVersion) > 0;
      if (minimumVersion && older) this.markRequired(minimumVersion);
      else this.clearRequired();
    },
    onChange(cb) {
      listeners.add(cb);
      return () => {
        listeners.delete(cb);
      };
    },
  };
}
