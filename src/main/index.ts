// Electron main: the core (in this process, behind the CoreApi port, so it can move to a utility
// process) plus a thin shell — windows, security, the IPC bridge, notifications.
import { app, BrowserWindow, Menu } from 'electron';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../core/config.js';
import { createCore, type Core } from '../core/core.js';
import { createLogger } from '../core/log.js';
import { openLocalStore, type LocalStore } from '../core/offline/local-store.js';
import { createWorkstation, type Workstation } from '../core/offline/workstation.js';
import type { SessionUser } from '../shared/contract.js';
import { createDispatcher, localUserId, resolveSessionUser } from './ipc/dispatcher.js';
import { forwardCoreEvents, forwardOutboxEvents } from './ipc/events.js';
import { registerIpc } from './ipc/register.js';
import { buildMenu } from './menu.js';
import { startAttentionWatch } from './notify.js';
import { CSP, DEV_CSP } from './csp.js';
import { createOriginCheck } from './origin.js';
import { hardenContents, hardenSession } from './security.js';
import { loadWindowState, trackWindowState } from './window-state.js';

const logger = createLogger({ name: 'workstation' });
let core: Core | undefined;
let win: BrowserWindow | null = null;
let user: SessionUser | undefined;
let store: LocalStore | undefined;
let workstation: Workstation | undefined;
const cleanups: Array<() => void> = [];

const rendererUrl = process.env.ELECTRON_RENDERER_URL ?? pathToFileURL(join(__dirname, '../renderer/index.html')).toString();
const isOwnOrigin = createOriginCheck(rendererUrl);

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
    hardenSession(process.env.ELECTRON_RENDERER_URL && !app.isPackaged ? DEV_CSP : CSP);
    Menu.setApplicationMenu(buildMenu());
    const env = { ...process.env };
    env.GUARDIAN_DATA_DIR ??= join(app.getPath('userData'), 'data');
    mkdirSync(env.GUARDIAN_DATA_DIR, { recursive: true });
    const config = loadConfig(env);
    // A workstation opens while the shared servers are away: cached reads, decisions into the outbox.
    core = await createCore({ config, logger, tolerateOffline: true });
    await core.start();
    if (config.mode === 'standalone' && (await core.listCases({ limit: 1 })).length === 0) await core.seedDemo();
    // The acting user comes from the session (GUARDIAN_USER or the standalone local user), never from IPC input.
    const userId = localUserId(config.user);
    user = await resolveSessionUser(core, userId, join(config.dataDir, 'workstation', 'session-user.json')).catch(() => {
      throw new Error(
        `No active moderator "${userId}" in the ${config.mode} database: set GUARDIAN_USER to your moderator id (an admin adds it with \`guardian moderators add\`).`,
      );
    });

    // DESIGN §9: decisions are "saved" once in the local outbox (fsync) and delivered by the relay.
    store = openLocalStore(join(config.dataDir, 'workstation'));
    workstation = createWorkstation({ core, store, user: user.id, logger });
    workstation.start();
    const ws = workstation;
    const dispatcher = createDispatcher(core, {
      workstationFor: (id) => (id === user?.id ? ws : undefined),
      onError: (name, err) => logger.error({ name, err: (err as Error)?.message }, 'ipc handler failed'),
    });
    const send = (name: string, payload: unknown) => {
      if (win && !win.isDestroyed()) win.webContents.send(name, payload);
    };
    cleanups.push(
      forwardOutboxEvents(ws, send),
      registerIpc({ dispatcher, context: () => ({ user: user!, shell: 'electron' }), window: () => win, isOwnOrigin }),
      forwardCoreEvents(core, send),
      startAttentionWatch(core, () => win),
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
  workstation?.stop();
  const bound = new Promise((resolve) => setTimeout(resolve, 10_000));
  void Promise.race([core.stop(), bound])
    .catch((err: unknown) => logger.warn({ err: (err as Error)?.message }, 'core stop failed'))
    .finally(() => {
      store?.close();
      app.quit();
    });
});
