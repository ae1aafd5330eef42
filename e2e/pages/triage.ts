// Page objects for the issue 14 triage defects: notes in the timeline, the Outbox's case column, the
// queue's empty state.
import type { Locator, Page } from '@playwright/test';

export class NotePage {
  readonly form: Locator;
  readonly input: Locator;
  readonly submit: Locator;
  readonly notes: Locator;
  constructor(readonly page: Page) {
    this.form = page.getByRole('form', { name: 'Add a note' });
    this.input = this.form.getByRole('textbox', { name: 'Note for the timeline' });
    this.submit = this.form.getByRole('button', { name: 'Add note' });
    this.notes = page.getByTestId('case-view').getByTestId('timeline-note');
  }
  async add(text: string) {
    await this.input.fill(text);
    await this.submit.click();
  }
}

export class OutboxCasesPage {
  readonly tab: Locator;
  constructor(readonly page: Page) {
    this.tab = page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: /^Outbox/ });
  }
  forCase(caseId: string) {
    return this.page.locator(`[data-testid="outbox-row"][data-case-id="${caseId}"]`);
  }
  caseLink(caseId: string) {
    return this.forCase(caseId).getByTestId('outbox-case');
  }
}

export class EmptyQueuePage {
  readonly empty: Locator;
  readonly clear: Locator;
  constructor(readonly page: Page) {
    this.empty = page.getByTestId('queue-empty');
    this.clear = this.empty.getByRole('button', { name: 'Clear filters' });
  }
}
