// The audit view's filters, its case links and "Verify chain" (src/renderer/src/features/audit).
import type { Locator, Page } from '@playwright/test';
import { AuditPage } from './app.js';

export class AuditView extends AuditPage {
  readonly verifyButton: Locator;
  readonly verification: Locator;
  readonly firstBroken: Locator;
  readonly error: Locator;
  constructor(page: Page) {
    super(page);
    this.verifyButton = page.getByRole('button', { name: 'Verify chain' });
    this.verification = page.getByTestId('audit-verify');
    this.firstBroken = page.getByTestId('audit-first-broken');
    this.error = page.getByTestId('audit-error');
  }
  field(name: 'Case id' | 'Content id' | 'Actor' | 'Event type') {
    return this.page.getByRole('form', { name: 'Audit filters' }).getByLabel(name, { exact: true });
  }
  rowsOf(caseId: string) {
    return this.page.locator(`[data-testid="audit-row"][data-case-id="${caseId}"]`);
  }
  /** The short id a row shows for its case (its link to the case). */
  caseLink(row: Locator) {
    return row.getByTestId('audit-case-link');
  }
  async ids(): Promise<number[]> {
    return (await this.rows.evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-id')))));
  }
  async caseIds(): Promise<string[]> {
    return this.rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-case-id') ?? ''));
  }
}
