// The Electron adapter of the UpdaterPort (src/core/update/port.ts): electron-updater's autoUpdater on the
// admins' generic feed (a static HTTPS server or S3 bucket), nothing else. What to check, when to download,
// whether a download may install and when, are the UpdateController's (src/core/update/controller.ts); this
// file only translates. electron-updater checks the artifact against the feed's yml (sha512) and, on
// Windows/macOS, the OS signature; the controller adds the admins' signed manifest (manifest-check.ts).
import path from 'node:path';
import { app } from 'electron';
import { autoUpdater, type ProgressInfo, type UpdateDownloadedEvent } from 'electron-updater';
import type { Config } from '../core/config.js';
import type { Logger } from '../core/ports.js';
import { electronUpdaterChannel, embeddedReleaseKeys, type ReleaseChannel } from '../core/release/manifest.js';
import { createActivity } from '../core/update/activity.js';
import { createUpdateController } from '../core/update/controller.js';
import { channelFeedUrl, manifestCheck } from '../core/update/manifest-check.js';
import type { UpdaterPort } from '../core/update/port.js';
import type { DispatcherOptions } from './ipc/dispatcher.js';
import { forwardUpdateEvents, type Emit } from './ipc/events.js';

export function electronUpdaterPort(o: { feedUrl: string; channel: ReleaseChannel; logger: Logger }): UpdaterPort {
  let installOnQuit = false;
  let installing = false;
  let hooked = false;
  autoUpdater.logger = {
    info: (m?: unknown) => o.logger.info({ updater: String(m) }, 'updater'),
    warn: (m?: unknown) => o.logger.warn({ updater: String(m) }, 'updater'),
    error: (m?: unknown) => o.logger.error({ updater: String(m) }, 'updater'),
  };
  // The controller decides when to download and whether a download may install (after the manifest check).
  autoUpdater.autoDownload = false;
  autoUpdater.autoInstallOnAppQuit = false;
  autoUpdater.setFeedURL({ provider: 'generic', url: o.feedUrl, channel: electronUpdaterChannel(o.channel) });
  // Setting a channel turns electron-updater's allowDowngrade on: an older build is never offered here.
  autoUpdater.allowDowngrade = false;
  return {
    currentVersion: app.getVersion(),
    async check() {
      const r = await autoUpdater.checkForUpdates();
      if (!r?.isUpdateAvailable) return null;
      const notes = typeof r.updateInfo.releaseNotes === 'string' ? r.updateInfo.releaseNotes : (r.updateInfo.releaseName ?? undefined);
      return { version: r.updateInfo.version, notes: notes ?? undefined };
    },
    async download(onProgress) {
      let downloaded: UpdateDownloadedEvent | undefined;
      const progress = (p: ProgressInfo) => onProgress(p.percent);
      const done = (e: UpdateDownloadedEvent) => (downloaded = e);
      autoUpdater.on('download-progress', progress);
      autoUpdater.on('update-downloaded', done);
      try {
        const files = await autoUpdater.downloadUpdate();
        const file = downloaded?.downloadedFile ?? files[0];
        if (!file) throw new Error('electron-updater reported no downloaded file');
        return { version: downloaded?.version ?? autoUpdater.currentVersion.version, file };
      } finally {
        autoUpdater.off('download-progress', progress);
        autoUpdater.off('update-downloaded', done);
      }
    },
    install() {
      // Not silent, run the new build after installing. Windows close first; the app's before-quit stops
      // the core in order (the outbox is on disk) before the installer replaces it.
      installing = true;
      autoUpdater.quitAndInstall(false, true);
    },
    setInstallOnQuit(enabled) {
      // electron-updater's own autoInstallOnAppQuit stays off: it registers its quit handler only when a
      // download finishes (before our manifest check has run), so turning it on afterwards installs nothing,
      // and turning it on before would install an unverified download. The app's own quit does it instead.
      installOnQuit = enabled;
      if (hooked) return;
      hooked = true;
      app.on('will-quit', () => {
        if (installOnQuit && !installing) {
          installing = true;
          o.logger.info({}, 'installing the verified update on quit');
          autoUpdater.quitAndInstall(true, false);
        }
      });
    },
  };
}

/**
 * The admins' keys the packaged app trusts: always its own resources (never GUARDIAN_RESOURCES_DIR, which an
 * environment could point at keys of its own); in development, the repository's resources/release-keys.
 */
function releaseKeysDir(): string | undefined {
  return app.isPackaged ? path.join(process.resourcesPath, 'app-resources', 'release-keys') : undefined;
}

/**
 * The workstation's updates, composed for Electron main: the controller over electron-updater (only in a
 * packaged app with a feed URL; otherwise updates are "not configured"), its live state pushed to the window,
 * and what the dispatcher needs (the controller, the restart gate, the managed settings view).
 */
export function startWorkstationUpdates(o: { config: Config; logger: Logger; send: Emit }): { options: DispatcherOptions; stop(): void } {
  const { channel, feedUrl } = o.config.update;
  // electron-updater reads no dev config and refuses to update an unpackaged app.
  // The channel's own folder of the team's feed (one signed manifest per folder).
  const channelUrl = feedUrl ? channelFeedUrl(feedUrl, channel) : null;
  const port = channelUrl && app.isPackaged ? electronUpdaterPort({ feedUrl: channelUrl, channel, logger: o.logger }) : null;
  if (!port) o.logger.info({ feedUrl, packaged: app.isPackaged }, 'updates not configured (no feed URL, or not a packaged app)');
  const activity = createActivity();
  const updates = createUpdateController({
    port,
    currentVersion: app.getVersion(),
    channel,
    activity,
    verify: manifestCheck({ feedUrl: channelUrl ?? 'http://invalid.invalid/', channel, publicKeys: embeddedReleaseKeys(releaseKeysDir()) }),
    logger: o.logger,
  });
  const off = forwardUpdateEvents(updates, o.send);
  updates.start();
  return {
    options: { updates, activity, settings: () => o.config.managed },
    stop() {
      off();
      updates.stop();
    },
  };
}
