// Page objects: every locator the specs use lives here.
import { expect, type Locator, type Page } from '@playwright/test';

/** The sign-in screen (connected mode): a person's own login and password against the server shown. */
export class SignInPage {
  readonly form: Locator;
  readonly title: Locator;
  readonly server: Locator;
  readonly login: Locator;
  readonly password: Locator;
  readonly keep: Locator;
  readonly keepWhy: Locator;
  readonly submit: Locator;
  readonly error: Locator;
  constructor(readonly page: Page) {
    this.form = page.getByRole('form', { name: 'Sign in to Guardian' });
    this.title = page.getByRole('heading', { name: 'Sign in to Guardian' });
    this.server = page.getByTestId('signin-server');
    this.login = this.form.getByLabel('Login', { exact: true });
    this.password = this.form.getByLabel('Password', { exact: true });
    this.keep = this.form.getByRole('checkbox', { name: 'Keep me signed in on this computer' });
    this.keepWhy = this.form.locator('#signin-keep-why');
    this.submit = this.form.getByRole('button', { name: /^Sign(ing)? in/ });
    this.error = this.form.getByRole('alert');
  }
  /** Fills the form and submits it with Enter (as a person would); does not wait for the outcome. */
  async submitWith(login: string, password: string) {
    await expect(this.form).toBeVisible();
    await this.login.fill(login);
    await this.password.fill(password);
    await this.password.press('Enter');
  }
  /** Signs in and waits until the header names the person. */
  async signIn(login: string, password: string, expectUser?: string | RegExp) {
    await this.submitWith(login, password);
    await expect(this.page.getByTestId('current-user')).toBeVisible();
    if (expectUser) await expect(this.page.getByTestId('current-user')).toContainText(expectUser);
  }
  /** This tab's dev host seat id (kept in sessionStorage by the renderer). */
  seat() {
    return this.page.evaluate(() => sessionStorage.getItem('guardian.seat'));
  }
}

export class AppPage {
  readonly user: Locator;
  readonly database: Locator;
  readonly broker: Locator;
  readonly signOutButton: Locator;
  readonly unverified: Locator;
  constructor(readonly page: Page) {
    this.user = page.getByTestId('current-user');
    this.database = page.getByTestId('conn-database');
    this.broker = page.getByTestId('conn-broker');
    this.signOutButton = page.getByRole('banner').getByRole('button', { name: 'Sign out' });
    this.unverified = page.getByTestId('signin-unverified');
  }
  /** The confirmation asked before signing out with decisions still in the outbox. */
  get signOutDialog() {
    return this.page.getByRole('alertdialog', { name: 'Sign out?' });
  }
  async signOut() {
    await this.signOutButton.click();
  }
  tab(name: 'Queue' | 'Supervisor' | 'Audit' | 'People') {
    return this.page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name });
  }
  async goto(name: 'Queue' | 'Supervisor' | 'Audit' | 'People') {
    await this.tab(name).click();
  }
  /** Shortcuts are window-level: make sure no field has focus first. */
  async press(key: string) {
    await this.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await this.page.keyboard.press(key);
  }
}

export class QueuePage {
  readonly list: Locator;
  readonly counts: Locator;
  readonly search: Locator;
  constructor(readonly page: Page) {
    this.list = page.getByRole('listbox', { name: 'Cases' });
    this.counts = page.getByTestId('queue-counts');
    this.search = page.getByRole('searchbox', { name: 'Search' });
  }
  row(contentId: string) {
    return this.list.locator(`[data-testid="case-row"][data-content-id="${contentId}"]`);
  }
  selected() {
    return this.list.locator('[data-testid="case-row"][aria-selected="true"]');
  }
  status() {
    return this.page.getByRole('combobox', { name: 'Status' });
  }
}

export class CasePage {
  readonly root: Locator;
  readonly status: Locator;
  readonly claimHolder: Locator;
  readonly claimButton: Locator;
  readonly content: Locator;
  readonly notice: Locator;
  readonly actions: Locator;
  readonly timeline: Locator;
  readonly lastDecision: Locator;
  /** The statements of reasons sent to the author (issue 15). */
  readonly statements: Locator;
  constructor(readonly page: Page) {
    this.root = page.getByTestId('case-view');
    this.status = this.root.getByTestId('case-status');
    this.claimHolder = this.root.getByTestId('claim-holder');
    this.claimButton = this.root.getByRole('button', { name: /^Claim/ });
    this.content = this.root.getByTestId('content-text');
    this.notice = this.root.getByTestId('notice');
    this.actions = this.root.getByTestId('action-row');
    this.timeline = this.root.getByTestId('timeline-event');
    this.lastDecision = this.root.getByTestId('last-decision');
    this.statements = this.root.getByTestId('statement');
  }
  action(kind: string) {
    return this.root.locator(`[data-testid="action-row"][data-kind="${kind}"]`);
  }
}

export class DecidePage {
  readonly form: Locator;
  readonly reason: Locator;
  readonly submit: Locator;
  readonly why: Locator;
  readonly fourEyes: Locator;
  readonly confirmBan: Locator;
  constructor(readonly page: Page) {
    this.form = page.getByRole('form', { name: /Decision|Appeal decision/ });
    this.reason = this.form.getByRole('textbox', { name: /Reason/ });
    this.submit = this.form.getByRole('button', { name: 'Submit', exact: true });
    this.why = page.getByTestId('decide-why');
    this.fourEyes = page.getByText(/^Four-eyes: .* cannot decide it\.$/);
    this.confirmBan = page.getByRole('button', { name: 'Confirm ban' });
  }
  /** A decision option by its visible label ("remove", "remove and ban"); the shortcut key follows it. */
  choice(label: string) {
    return this.form.getByRole('radio', { name: new RegExp(`^${label} \\w$`) });
  }
}

export class SupervisorPage {
  constructor(readonly page: Page) {}
  list(name: 'Escalated reviews' | 'Appeals' | 'Actioned (can be rolled back)') {
    return this.page.getByRole('listbox', { name });
  }
  row(name: 'Escalated reviews' | 'Appeals' | 'Actioned (can be rolled back)', contentId: string) {
    return this.list(name).locator(`[data-testid="case-row"][data-content-id="${contentId}"]`);
  }
  get rollbackReason() {
    return this.page.getByRole('textbox', { name: 'Rollback reason (required)' });
  }
  get rollbackButton() {
    return this.page.getByRole('button', { name: 'Roll back' });
  }
  get backlog() {
    return this.page.getByTestId('backlog');
  }
  get decisionMetrics() {
    return this.page.getByTestId('decision-metrics');
  }
  get reversalProgress() {
    return this.page.getByTestId('reversal-progress');
  }
}

export class AuditPage {
  readonly rows: Locator;
  readonly count: Locator;
  constructor(readonly page: Page) {
    this.rows = page.getByTestId('audit-row');
    this.count = page.getByTestId('audit-count');
  }
  filter(name: 'Case id' | 'Actor' | 'Event type' | 'From' | 'To') {
    return this.page.getByRole('form', { name: 'Audit filters' }).getByLabel(name, { exact: true });
  }
  get apply() {
    return this.page.getByRole('button', { name: 'Apply' });
  }
  exportButton(kind: 'CSV' | 'JSON') {
    return this.page.getByRole('button', { name: `Export ${kind}` });
  }
}
