// Page objects for the keyboard (issue 14): the command palette, the help sheet from the action table,
// the undo window's bar.
import type { Locator, Page } from '@playwright/test';

export class KeyboardPage {
  readonly palette: Locator;
  readonly command: Locator;
  readonly options: Locator;
  readonly help: Locator;
  readonly helpRows: Locator;
  readonly held: Locator;
  readonly sent: Locator;
  readonly current: Locator;
  constructor(readonly page: Page) {
    this.palette = page.getByRole('dialog', { name: 'Command palette' });
    this.command = this.palette.getByRole('combobox', { name: 'Command' });
    this.options = this.palette.getByRole('listbox', { name: 'Commands' }).getByRole('option');
    this.help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    this.helpRows = this.help.getByTestId('shortcut');
    this.held = page.getByTestId('held-bar');
    this.sent = page.getByTestId('held-sent');
    this.current = page.getByRole('navigation', { name: 'Views' }).locator('[aria-current="page"]');
  }
  option(actionId: string) {
    return this.palette.locator(`[role="option"][data-action="${actionId}"]`);
  }
  helpRow(actionId: string) {
    return this.help.locator(`[data-testid="shortcut"][data-action="${actionId}"]`);
  }
  /** How many actions the table has (the palette with an empty query lists them all). */
  async tableSize(): Promise<number> {
    const { ACTIONS } = await import('../../src/renderer/src/lib/keymap.js');
    return ACTIONS.length;
  }
}
