import type { Locator, Page } from '@playwright/test';
import type { Notice } from '../../src/renderer/src/lib/attention.js';

/** One entry of window.__notifications (src/renderer/src/lib/notify.ts). */
export type ShownRecord = Notice & { via: 'desktop' | 'toast'; at: string };

/** Notifications (issue 14): the in-app toasts, "N new urgent", the settings section, what the port fired. */
export class NotificationsPage {
  readonly toasts: Locator;
  readonly newUrgent: Locator;
  readonly settings: Locator;
  readonly settingsTab: Locator;
  readonly queueTab: Locator;
  constructor(readonly page: Page) {
    this.toasts = page.getByRole('region', { name: 'Notifications' }).getByTestId('toast');
    this.newUrgent = page.getByTestId('new-urgent');
    this.settings = page.getByTestId('notification-settings');
    this.settingsTab = page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' });
    this.queueTab = page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: /^Queue/ });
  }
  kind(label: RegExp | string) {
    return this.settings.getByRole('checkbox', { name: label });
  }
  /** What the browser half of the port showed (window.__notifications). */
  fired(): Promise<ShownRecord[]> {
    return this.page.evaluate(() => (window as unknown as { __notifications?: ShownRecord[] }).__notifications ?? []);
  }
}
