// The notification port (issue 14). The store (store/notifications.ts) says what to show and the count;
// an implementation shows it where this renderer runs:
// - in Electron, the shell (`shell:attention`, src/main/notify.ts): a desktop Notification and the
//   dock/taskbar badge;
// - in a browser (the dev host, test/dev only): the Web Notification API when the person allowed it,
//   otherwise an in-app toast; the count is in the window title either way.
// The browser half also records what it showed in `window.__notifications` (the dev host is a test/dev
// shell): e2e reads it to see a notification was fired through the port.
import { api } from './api';
import type { Notice } from './attention';

export type Shown = 'desktop' | 'toast';

export interface NotifyPort {
  /** Shows one notice; where it went. */
  show(n: Notice, count: number): Promise<Shown>;
  /** The count of unseen items: the badge (the window title is set by the store, for every shell). */
  setCount(count: number): void;
}

export interface ShownRecord extends Notice {
  via: Shown;
  at: string;
}

declare global {
  interface Window {
    __notifications?: ShownRecord[];
  }
}

function electronPort(toast: (n: Notice) => void): NotifyPort {
  return {
    async show(n, count) {
      const r = await api.call('shell:attention', { badge: count, notice: { kind: n.kind, title: n.title.slice(0, 200), body: n.body.slice(0, 500) } });
      if (r.ok && r.value.shown) return 'desktop';
      toast(n);
      return 'toast';
    },
    setCount(count) {
      void api.call('shell:attention', { badge: count });
    },
  };
}

function browserPort(toast: (n: Notice) => void): NotifyPort {
  const log = (n: Notice, via: Shown) => (window.__notifications ??= []).push({ ...n, via, at: new Date().toISOString() });
  return {
    async show(n) {
      if (typeof Notification !== 'undefined' && Notification.permission === 'granted') {
        try {
          const d = new Notification(n.title, { body: n.body, tag: `${n.kind}:${n.caseId}` });
          d.onclick = () => window.focus();
          log(n, 'desktop');
          return 'desktop';
        } catch {
          // Some browsers allow notifications only from a service worker: fall back to the toast.
        }
      }
      toast(n);
      log(n, 'toast');
      return 'toast';
    },
    setCount() {
      // A browser tab has no badge: the count is in its title.
    },
  };
}

export const createNotifyPort = (toast: (n: Notice) => void): NotifyPort => (window.api ? electronPort(toast) : browserPort(toast));

/** Whether the browser could show desktop notifications once asked (the dev host; Electron needs no asking). */
export const canAskPermission = () => !window.api && typeof Notification !== 'undefined' && Notification.permission === 'default';
export const askPermission = () => (typeof Notification !== 'undefined' ? Notification.requestPermission() : Promise.resolve('denied' as NotificationPermission));
