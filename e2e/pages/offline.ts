// Page objects for offline work (DESIGN §9): stale markers, the outbox view, a case's own commands.
import type { Locator, Page } from '@playwright/test';

export class OfflinePage {
  /** "Offline — showing data from HH:MM" above the queue and on the case view. */
  readonly queueStale: Locator;
  readonly caseStale: Locator;
  /** The user's commands on the open case, each with its outbox state. */
  readonly caseCommands: Locator;
  constructor(readonly page: Page) {
    this.queueStale = page.getByTestId('queue-stale');
    this.caseStale = page.getByTestId('case-view').getByTestId('case-stale');
    this.caseCommands = page.getByTestId('case-view').getByTestId('case-command');
  }
}

export class OutboxPage {
  readonly tab: Locator;
  readonly count: Locator;
  readonly rows: Locator;
  constructor(readonly page: Page) {
    this.tab = page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: /^Outbox/ });
    this.count = page.getByTestId('outbox-count');
    this.rows = page.getByRole('table', { name: 'Outbox entries' }).getByTestId('outbox-row');
  }
  async open() {
    await this.tab.click();
  }
  row(commandId: string) {
    return this.page.locator(`[data-testid="outbox-row"][data-id="${commandId}"]`);
  }
  forCase(caseId: string) {
    return this.page.locator(`[data-testid="outbox-row"][data-case-id="${caseId}"]`);
  }
}
