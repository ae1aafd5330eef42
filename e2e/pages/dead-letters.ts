// The admins' dead letters console (src/renderer/src/features/deadletters).
import type { Locator, Page } from '@playwright/test';

export class DeadLettersPage {
  readonly tab: Locator;
  readonly rows: Locator;
  readonly replay: Locator;
  readonly discard: Locator;
  readonly confirmDialog: Locator;
  readonly confirm: Locator;
  readonly inspect: Locator;
  readonly body: Locator;
  readonly last: Locator;
  readonly show: Locator;
  constructor(readonly page: Page) {
    this.tab = page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Dead letters' });
    this.rows = page.getByTestId('dl-row');
    this.replay = page.getByTestId('dl-replay');
    this.discard = page.getByTestId('dl-discard');
    this.confirmDialog = page.getByRole('dialog');
    this.confirm = page.getByTestId('dl-confirm');
    this.inspect = page.getByTestId('dl-inspect');
    this.body = page.getByTestId('dl-body');
    this.last = page.getByTestId('dl-last');
    this.show = page.getByLabel('Show dead letters');
  }
  row(id: number) {
    return this.page.locator(`[data-testid="dl-row"][data-id="${id}"]`);
  }
  select(id: number) {
    return this.row(id).getByRole('checkbox');
  }
  state(id: number) {
    return this.row(id).getByTestId('dl-state');
  }
  open(id: number) {
    return this.row(id).getByTestId('dl-open');
  }
}
