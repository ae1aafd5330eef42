// Page objects for the update state in the header, the "Update required" banner and the settings screen.
import type { Locator, Page } from '@playwright/test';

export class UpdatePage {
  readonly status: Locator;
  readonly download: Locator;
  readonly restart: Locator;
  readonly restartWhy: Locator;
  readonly progress: Locator;
  readonly required: Locator;
  constructor(readonly page: Page) {
    const header = page.getByRole('banner');
    this.status = header.getByTestId('update-status');
    this.download = this.status.getByRole('button', { name: 'Download' });
    this.restart = this.status.getByRole('button', { name: 'Restart now' });
    this.restartWhy = this.status.getByTestId('restart-why');
    this.progress = this.status.getByRole('progressbar', { name: /^Downloading update/ });
    this.required = page.getByTestId('update-required');
  }
}

export class SettingsPage {
  readonly tab: Locator;
  readonly heading: Locator;
  readonly policyFile: Locator;
  readonly table: Locator;
  constructor(readonly page: Page) {
    this.tab = page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' });
    this.heading = page.getByRole('heading', { name: 'Settings' });
    this.policyFile = page.getByTestId('policy-file');
    this.table = page.getByRole('table', { name: /Settings, their values/ });
  }
  row(key: string) {
    return this.table.locator(`[data-testid="setting"][data-key="${key}"]`);
  }
  /** The value field of a setting, by its label ("Update channel"). */
  value(label: string) {
    return this.table.getByRole('textbox', { name: label, exact: true });
  }
}
