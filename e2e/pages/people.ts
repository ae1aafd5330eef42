// The admins' People screen (src/renderer/src/features/people/PeopleView.tsx).
import type { Locator, Page } from '@playwright/test';

export class PeoplePage {
  readonly root: Locator;
  readonly addForm: Locator;
  readonly rows: Locator;
  readonly oneTimePassword: Locator;
  readonly otpCard: Locator;
  readonly notice: Locator;
  constructor(readonly page: Page) {
    this.root = page.getByRole('region', { name: 'People' });
    this.addForm = page.getByRole('form', { name: 'Add a person' });
    this.rows = page.getByTestId('person-row');
    this.oneTimePassword = page.getByTestId('one-time-password');
    this.otpCard = page.getByRole('region', { name: 'One-time password' });
    this.notice = page.getByTestId('people-notice');
  }
  field(name: 'Id' | 'Display name') {
    return this.addForm.getByLabel(name, { exact: true });
  }
  get role() {
    return this.addForm.getByRole('combobox', { name: /^Role/ });
  }
  get addButton() {
    return this.addForm.getByRole('button', { name: /^(Add person|Reset and enable)$/ });
  }
  row(id: string) {
    return this.page.locator(`[data-testid="person-row"][data-person-id="${id}"]`);
  }
  roleOf(id: string) {
    return this.page.getByRole('combobox', { name: `Role of ${id}` });
  }
}
