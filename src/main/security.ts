// Window and session hardening (DESIGN §10). Everything here denies by default.
import { session, type BrowserWindow, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { CSP } from './csp.js';

export { createOriginCheck } from './origin.js';

export { CSP };

export function hardenSession(csp: string = CSP): void {
  const ses = session.defaultSession;
  // app:// responses carry the CSP from app-protocol.ts itself; this covers the dev server's responses.
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
}

/** Navigation stays on the app's own origin (origin.ts: app://guardian or the dev server; never file://). */
export function hardenContents(contents: WebContents, isOwnOrigin: (url: string) => boolean): void {
  contents.on('will-navigate', (event, url) => {
    if (!isOwnOrigin(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isOwnOrigin(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // No new windows, ever: moderated content is untrusted and its URLs are shown as text, not links.
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** IPC sender validation: only the app's own top-level page may call the core. */
export function isTrustedSender(event: IpcMainInvokeEvent, win: BrowserWindow | null, isOwnOrigin: (url: string) => boolean): boolean {
  const frame = event.senderFrame;
  if (!frame || !win || win.isDestroyed()) return false;
  if (event.sender.id !== win.webContents.id) return false;
  if (frame.parent) return false;
  return isOwnOrigin(frame.url);
}
