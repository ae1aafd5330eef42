// Electron main: the core (in this process, behind the CoreApi port, so it can move to a utility
// process) plus a thin shell — windows, security, the IPC bridge, notifications.
import { app, BrowserWindow, Menu, protocol } from 'electron';
import { join } from 'node:path';
import { loadConfig } from '../core/config.js';
import { createCore, type Core } from '../core/core.js';
import { createLogger } from '../core/log.js';
import { createSessionHost, type SessionHost } from '../core/session/session-host.js';
import { ensurePrivateDir } from '../core/store/private-dir.js';
import { createSafeStorageVault } from './credential-vault.js';
import { createDispatcher } from './ipc/dispatcher.js';
import { startWorkstationUpdates } from './updater.js';
import { forwardCoreEvents, forwardOutboxEvents } from './ipc/events.js';
import { registerIpc } from './ipc/register.js';
import { buildMenu } from './menu.js';
import { shellAttention } from './notify.js';
import { APP_ENTRY_URL, APP_SCHEME, createAppProtocolHandler } from './app-protocol.js';
import { CSP, DEV_CSP } from './csp.js';
import { createOriginCheck } from './origin.js';
import { hardenContents, hardenSession } from './security.js';
import { loadWindowState, trackWindowState } from './window-state.js';

const logger = createLogger({ name: 'workstation' });
let core: Core | undefined;
let win: BrowserWindow | null = null;
let seat: SessionHost | undefined;
const cleanups: Array<() => void> = [];

// The built renderer is served from app://guardian/ (app-protocol.ts), not file:// (DESIGN §10), so the
// grantFileProtocolExtraPrivileges fuse is off. A packaged app never honours ELECTRON_RENDERER_URL: only
// `electron-vite dev` loads the dev server.
const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const rendererUrl = devServerUrl ?? APP_ENTRY_URL;
const isOwnOrigin = createOriginCheck(rendererUrl);
// Before ready: a standard, secure scheme (its own origin, a secure context, fetch()); no bypassCSP.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('web-contents-created', (_e, contents) => hardenContents(contents, isOwnOrigin));
  app.whenReady().then(start, (err: unknown) => fatal(err));
}

function fatal(err: unknown) {
  logger.error({ err: err instanceof Error ? err.message : String(err) }, 'workstation failed to start');
  app.exit(1);
}

async function start() {
  try {
    hardenSession(devServerUrl ? DEV_CSP : CSP);
    protocol.handle(APP_SCHEME, createAppProtocolHandler({ root: join(__dirname, '../renderer'), csp: CSP }));
    Menu.setApplicationMenu(buildMenu());
    const env = { ...process.env };
    // Packaged: migrations, functions, policy and schemas are extra resources next to the asar.
    if (app.isPackaged && !process.env.GUARDIAN_RESOURCES_DIR) process.env.GUARDIAN_RESOURCES_DIR = join(process.resourcesPath, 'app-resources');
    env.GUARDIAN_DATA_DIR ??= join(app.getPath('userData'), 'data');
    // Cached moderated content, the outbox, the embedded database: this OS user's only (issue 12).
    ensurePrivateDir(env.GUARDIAN_DATA_DIR);
    const config = loadConfig(env);
    // A workstation opens while the shared servers are away: cached reads, decisions into the outbox.
    // In connected mode it runs no worker role unless an admin provisioned it (GUARDIAN_WORKER=on).
    core = await createCore({ config, logger, tolerateOffline: true });
    await core.start();
    if (config.mode === 'standalone') {
      const local = await core.openSession();
      if ((await local.listCases({ limit: 1 })).length === 0) await core.seedDemo();
      await local.close();
    }
    const send = (name: string, payload: unknown) => {
      if (win && !win.isDestroyed()) win.webContents.send(name, payload);
    };
    // The person signs in with their own login (DESIGN §10); kept only in the OS keychain (safeStorage).
    // DESIGN §9: their decisions are "saved" once in their local outbox (fsync) and delivered by the relay.
    let stopOutbox: (() => void) | undefined;
    let stopEvents: (() => void) | undefined;
    const host = (seat = createSessionHost({
      core,
      logger,
      dataDir: join(config.dataDir, 'workstation'),
      outbox: true,
      vault: createSafeStorageVault(join(app.getPath('userData'), 'session')),
      onChange: () => {
        stopOutbox?.();
        stopEvents?.();
        const current = host.current();
        stopOutbox = current?.workstation ? forwardOutboxEvents(current.workstation, send) : undefined;
        // Live events (ids and states only) and this person's connection state, while someone is signed in.
        stopEvents = current ? forwardCoreEvents(current.api, send) : undefined;
        send('session:changed', { signedIn: !!current });
      },
    }));
    await host.start();
    const updates = startWorkstationUpdates({ config, logger, send }); // issue 13: src/main/updater.ts
    const dispatcher = createDispatcher({ ...updates.options, wellbeing: config.wellbeing, attention: shellAttention(() => win), onError: (name, err) => logger.error({ name, err: (err as Error)?.message }, 'ipc handler failed') });
    cleanups.push(
      () => updates.stop(),
      () => stopOutbox?.(),
      () => stopEvents?.(),
      registerIpc({ dispatcher, context: () => ({ host, shell: 'electron' }), window: () => win, isOwnOrigin }),
    );
    createWindow();
  } catch (err) {
    fatal(err);
  }
}

function createWindow() {
  const state = loadWindowState(app.getPath('userData'));
  win = new BrowserWindow({
    x: state.x,
    y: state.y,
    width: state.width,
    height: state.height,
    minWidth: 800,
    minHeight: 560,
    show: false,
    title: 'Guardian Workstation',
    backgroundColor: '#0f1115',
    webPreferences: {
      preload: join(__dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  if (state.maximized) win.maximize();
  trackWindowState(win, app.getPath('userData'));
  win.once('ready-to-show', () => win?.show());
  win.on('closed', () => (win = null));
  void win.loadURL(rendererUrl);
}

app.on('activate', () => {
  if (core && BrowserWindow.getAllWindows().length === 0) createWindow();
});
app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

// Graceful quit: stop the core in order (consumers, in-flight work, bus, pools), bounded in time.
let quitting = false;
app.on('before-quit', (event) => {
  if (quitting || !core) return;
  event.preventDefault();
  quitting = true;
  for (const c of cleanups.splice(0)) c();
  const bound = new Promise((resolve) => setTimeout(resolve, 10_000));
  void Promise.race([(async () => (await seat?.stop(), await core!.stop()))(), bound])
    .catch((err: unknown) => logger.warn({ err: (err as Error)?.message }, 'core stop failed'))
    .finally(() => app.quit());
});
