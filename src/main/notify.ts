// The Electron shell's half of the notification port (issue 14; the renderer decides, src/renderer/src/
// lib/attention.ts + store/notifications.ts, and mutes per person): a desktop Notification and the
// dock/taskbar badge, asked for over the typed `shell:attention` channel. Thin on purpose: verifying it
// needs the Electron binary and a desktop session (the dev host's browser half is what e2e exercises).
import { app, Notification, type BrowserWindow } from 'electron';
import type { AttentionInput } from '../shared/contract.js';

export function shellAttention(win: () => BrowserWindow | null): (a: AttentionInput) => boolean {
  return (a) => {
    // macOS dock and Linux Unity launchers; on Windows the count goes on the taskbar button's flash.
    app.setBadgeCount(a.badge);
    const w = win();
    if (process.platform === 'win32' && w && !w.isDestroyed() && a.badge > 0 && !w.isFocused()) w.flashFrame(true);
    if (!a.notice || !Notification.isSupported()) return false;
    const n = new Notification({ title: a.notice.title, body: a.notice.body });
    n.on('click', () => {
      const cur = win();
      if (cur && !cur.isDestroyed()) {
        cur.show();
        cur.focus();
      }
    });
    n.show();
    return true;
  };
}
