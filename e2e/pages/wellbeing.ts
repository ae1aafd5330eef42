import type { Locator, Page } from '@playwright/test';

/** Wellbeing (issue 15): the settings section, the blur over opted-out content, the exposure count. */
export class WellbeingPage {
  readonly settings: Locator;
  readonly save: Locator;
  readonly saved: Locator;
  readonly breakAfter: Locator;
  readonly gate: Locator;
  readonly label: Locator;
  readonly blurred: Locator;
  readonly reveal: Locator;
  readonly revealError: Locator;
  readonly exposure: Locator;
  readonly breakSuggestion: Locator;
  readonly dismissBreak: Locator;
  readonly readingMode: Locator;
  constructor(readonly page: Page) {
    this.settings = page.getByTestId('wellbeing-settings');
    this.save = this.settings.getByRole('button', { name: 'Save wellbeing settings' });
    this.saved = this.settings.getByTestId('wellbeing-saved');
    this.breakAfter = this.settings.getByRole('textbox', { name: /Suggest a break after/ });
    this.gate = page.getByTestId('case-view').getByTestId('blur-gate');
    this.label = this.gate.getByTestId('blur-label');
    this.blurred = this.gate.getByTestId('blurred-content');
    this.reveal = this.gate.getByRole('button', { name: /^Reveal/ });
    this.revealError = this.gate.getByTestId('reveal-error');
    this.exposure = page.getByTestId('exposure-count');
    this.breakSuggestion = page.getByTestId('break-suggestion');
    this.dismissBreak = this.breakSuggestion.getByRole('button', { name: 'Dismiss' });
    this.readingMode = this.settings.getByTestId('reading-mode');
  }
  category(name: 'violence' | 'self-harm' | 'sexual content' | 'hate') {
    return this.settings.getByRole('checkbox', { name });
  }
  async openSettings() {
    await this.page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click();
  }
}
