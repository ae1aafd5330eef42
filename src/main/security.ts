// Window and session hardening (DESIGN §10). Everything here denies by default.
import { session, shell, type BrowserWindow, type IpcMainInvokeEvent, type WebContents } from 'electron';

import { CSP } from './csp.js';

export { CSP };

export function hardenSession(): void {
  const ses = session.defaultSession;
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
}

/** The app's own origin: the packaged file:// page, or the dev server in `electron-vite dev`. */
export function createOriginCheck(rendererUrl: string): (url: string) => boolean {
  const app = new URL(rendererUrl);
  return (url: string) => {
    try {
      const u = new URL(url);
      if (app.protocol === 'file:') return u.protocol === 'file:' && u.pathname === app.pathname;
      return u.origin === app.origin;
    } catch {
      return false;
    }
  };
}

export function hardenContents(contents: WebContents, isOwnOrigin: (url: string) => boolean): void {
  contents.on('will-navigate', (event, url) => {
    if (!isOwnOrigin(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isOwnOrigin(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // Links in moderated content never open inside the app; https links may open in the system browser.
    if (/^https:\/\//i.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

/** IPC sender validation: only the app's own top-level page may call the core. */
export function isTrustedSender(event: IpcMainInvokeEvent, win: BrowserWindow | null, isOwnOrigin: (url: string) => boolean): boolean {
  const frame = event.senderFrame;
  if (!frame || !win || win.isDestroyed()) return false;
  if (event.sender.id !== win.webContents.id) return false;
  if (frame.parent) return false;
  return isOwnOrigin(frame.url);
}
