import type { Locator, Page } from '@playwright/test';

/** Presence (issue 14): who else is on a case, in the case view and on a queue row. */
export class PresencePage {
  constructor(readonly page: Page) {}
  /** The open case's "Also here" line. */
  get inCase(): Locator {
    return this.page.getByTestId('case-view').getByTestId('presence');
  }
  inCaseFor(personId: string): Locator {
    return this.inCase.locator(`[data-testid="presence-person"][data-person="${personId}"]`);
  }
  onRow(contentId: string, personId: string): Locator {
    return this.page.locator(`[data-testid="case-row"][data-content-id="${contentId}"] [data-testid="presence-person"][data-person="${personId}"]`);
  }
}
