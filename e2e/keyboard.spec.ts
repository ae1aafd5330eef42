// Issue 14 "Keyboard" and "Undo window" (Must show 4, partly): a whole triage by keyboard only — the
// command palette (Ctrl+K), "/" to search, j/Enter to open, c to claim, x to release, a decision held
// in the undo window and taken back with z (the draft returns intact), decided again, Ctrl+Shift+Enter
// to submit & go on, n for the next urgent case, g-keys between views, and the help sheet generated from
// the same table (it lists Ctrl+Shift+Enter). On a dev host of its own with a real undo window (3 s);
// the shared stack's has none. The highlighted row is the open case (j/k open it). The urgent case is
// decided with a team reason template inserted by key (t then 1). Leaves the queue as it found it: both
// cases it makes are decided, the template deleted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import pg from 'pg';
import { startDevHost } from '../src/devhost/server.js';
import { contentMessage, TEXT } from '../test/support/harness.js';
import { CasePage, DecidePage, QueuePage, SignInPage } from './pages/app.js';
import { KeyboardPage } from './pages/keyboard.js';
import { expect, ROOT, seatContext, shot, test } from './support/stack.js';

const UNDO_SECONDS = 3;

test('a whole triage by keyboard only: palette, search, claim, decide, undo, decide again, submit & next, views', async ({ stack, browser }) => {
  const run = `kb-${Date.now().toString(36)}`;
  const first = `${run}-threat`;
  const urgent = `${run}-urgent`;
  await stack.pub.publish('content.submitted', contentMessage(first, TEXT.threat));
  await stack.pub.publish('content.submitted', contentMessage(urgent, TEXT.threat, { priority: 'urgent' }));
  await stack.h.waitForCase(first, 'awaiting_review');
  await stack.h.waitForCase(urgent, 'awaiting_review');

  // A supervisor keeps the team's reason templates (the database function, with their own login): one for
  // the urgent case's category, inserted below by key.
  const { rows: kinds } = await stack.h.inst.dba<{ violation_type: string }>('SELECT violation_type FROM cases WHERE content_id = $1', [urgent]);
  const sup = new pg.Client({ connectionString: stack.h.people['sup-1']!.url });
  await sup.connect();
  const templateTitle = `Film quote ${run}`;
  const { rows: saved } = await sup.query<{ r: { outcome: string; template: { id: number } } }>(
    `SELECT api.save_reason_template(p_command_id => $1, p_scope => 'team', p_title => $2, p_body => $3, p_category => $4) AS r`,
    [stack.h.cmdId(), templateTitle, 'Approved: {author} was quoting a film line, not threatening anyone.', kinds[0]!.violation_type],
  );
  expect(saved[0]!.r.outcome).toBe('applied');
  const templateId = Number(saved[0]!.r.template.id);

  const dataDir = mkdtempSync(join(tmpdir(), 'gw-e2e-keyboard-'));
  const host = await startDevHost({
    core: stack.h.core,
    rendererDir: join(ROOT, 'out', 'renderer'),
    dataDir,
    outbox: true,
    seatIdleMs: 1_000,
    settings: () => ({ file: null, settings: [{ key: 'undoSeconds', value: UNDO_SECONDS, source: 'user', locked: false }] }),
  });
  let page: Page | undefined;
  try {
    page = await (await seatContext(browser)).newPage();
    await page.goto(host.urlFor());
    const person = stack.h.people['mod-1']!;
    await new SignInPage(page).signIn(person.login, person.password, 'mod-1');
    const kb = new KeyboardPage(page);
    const queue = new QueuePage(page);
    const kase = new CasePage(page);
    const decide = new DecidePage(page);
    await expect(queue.counts).toBeVisible();

    // Ctrl+K: the palette, an accessible dialog with a combobox over a listbox, every action with its key.
    await page.keyboard.press('Control+k');
    await expect(kb.palette).toBeVisible();
    await expect(kb.command).toBeFocused();
    await expect(kb.command).toHaveAttribute('aria-expanded', 'true');
    await expect(kb.options).toHaveCount(await kb.tableSize());
    await expect(kb.option('decide.submitNext')).toContainText('Ctrl+Shift+Enter');
    // The focus stays in it.
    await page.keyboard.press('Tab');
    await expect(kb.command).toBeFocused();
    await page.keyboard.press('Shift+Tab');
    await expect(kb.command).toBeFocused();
    // Fuzzy: "srch" finds "Search the queue" first; unavailable actions say why.
    await page.keyboard.type('srch');
    await expect(kb.options.first()).toHaveAttribute('data-action', 'search.focus');
    await expect(kb.options.first()).toHaveAttribute('aria-selected', 'true');
    await shot(page, 'keyboard-palette');
    await page.keyboard.press('Enter');
    await expect(kb.palette).toBeHidden();
    await expect(queue.search).toBeFocused();
    await page.keyboard.type(run);
    await expect(queue.counts).toContainText(/^2 cases · 1 urgent/);
    // Esc leaves the field (the search stays); "/" comes back to it.
    await page.keyboard.press('Escape');
    await expect(queue.search).not.toBeFocused();
    await expect(queue.search).toHaveValue(run);
    await page.keyboard.press('/');
    await expect(queue.search).toBeFocused();
    await page.keyboard.press('Escape');

    // j selects, Enter opens (the urgent case sorts first: open the other with j j).
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await expect(queue.selected()).toHaveAttribute('data-content-id', first);
    // The highlighted row is the open case: resting on a row opens it (no Enter needed).
    await expect(kase.root).toHaveAttribute('aria-label', `Case ${first}`);
    await page.keyboard.press('k');
    await expect(queue.selected()).toHaveAttribute('data-content-id', urgent);
    await expect(kase.root).toHaveAttribute('aria-label', `Case ${urgent}`);
    await page.keyboard.press('j');
    await expect(queue.selected()).toHaveAttribute('data-content-id', first);
    await page.keyboard.press('Enter');
    await expect(kase.root).toHaveAttribute('aria-label', `Case ${first}`);
    await expect(kase.status).toHaveText('awaiting review');

    // c claims, x releases, c claims again.
    await page.keyboard.press('c');
    await expect(kase.claimHolder).toContainText('Claimed by mod-1');
    await page.keyboard.press('x');
    await expect(kase.claimHolder).toHaveText('Not claimed');
    await page.keyboard.press('c');
    await expect(kase.claimHolder).toContainText('Claimed by mod-1');

    // r picks remove and puts the cursor in the reason; Ctrl+Enter holds the decision in the undo window.
    await page.keyboard.press('r');
    await expect(decide.choice('remove')).toBeChecked();
    await expect(decide.reason).toBeFocused();
    await page.keyboard.type('Threat of violence against a named person');
    await page.keyboard.press('Control+Enter');
    await expect(kb.held).toBeVisible();
    await expect(kb.held).toContainText(`Decision remove on ${first} is sent in`);
    await expect(kb.held).toContainText('Closing the app before then cancels it');
    await expect(page.getByTestId('decide-held')).toBeVisible();
    await shot(page, 'keyboard-held');

    // z: undone before it was sent — the draft is back as it was, nothing reached the server.
    await page.keyboard.press('Escape');
    await page.keyboard.press('z');
    await expect(kb.held).toBeHidden();
    await expect(decide.choice('remove')).toBeChecked();
    await expect(decide.reason).toHaveValue('Threat of violence against a named person');
    await expect(page.getByTestId('decide-held')).toBeHidden();
    await expect(kase.status).toHaveText('awaiting review');
    expect((await stack.h.waitForCase(first, 'awaiting_review')).status).toBe('awaiting_review');
    await expect(page.getByTestId('outbox-count')).toContainText('0 waiting');

    // Decide again (warn instead), Ctrl+Shift+Enter: held, and the next case opens at once.
    await page.keyboard.press('Escape');
    await page.keyboard.press('w');
    await expect(decide.choice('warn')).toBeChecked();
    await expect(decide.reason).toHaveValue('Threat of violence against a named person');
    await page.keyboard.press('Control+Shift+Enter');
    await expect(kb.held).toContainText(`Decision warn on ${first}`);
    await expect(kase.root).not.toHaveAttribute('aria-label', `Case ${first}`);
    // The window ends: it is sent by itself, and the bar says how it went.
    await expect(kb.sent).toContainText(`Decision warn on ${first}`, { timeout: (UNDO_SECONDS + 20) * 1000 });
    await expect(kb.sent).toHaveAttribute('data-ok', 'true');
    await stack.h.waitForCase(first, ['actioned', 'closed']);
    await shot(page, 'keyboard-sent');

    // n: the next urgent case (the one open now is the urgent one; make sure n lands on it from the first).
    await expect(kase.root).toHaveAttribute('aria-label', `Case ${urgent}`);
    // …and opening a case selects its row.
    await expect(queue.selected()).toHaveAttribute('data-content-id', urgent);
    await page.keyboard.press('Escape');
    await page.keyboard.press('n');
    await expect(kase.root).toHaveAttribute('aria-label', `Case ${urgent}`);
    await page.keyboard.press('c');
    await expect(kase.claimHolder).toContainText('Claimed by mod-1');
    // a chooses approve; t then 1 inserts the team's template for this case's category (placeholders filled).
    await page.keyboard.press('a');
    await expect(decide.choice('approve')).toBeChecked();
    await page.keyboard.press('Escape'); // leave the reason field, so t is a shortcut
    await page.keyboard.press('t');
    await expect(page.getByTestId('template-picker').getByTestId('template-option').first()).toContainText(templateTitle);
    await page.keyboard.press('1');
    await expect(page.getByTestId('template-picker')).toHaveCount(0);
    await expect(decide.reason).toHaveValue(`Approved: author-${urgent} was quoting a film line, not threatening anyone.`);
    await shot(page, 'keyboard-template');
    await page.keyboard.press('Control+Enter');
    await expect(kb.held).toContainText(`Decision approve on ${urgent}`);
    // Sent when the window ends; on the open case its notice says so.
    await expect(kb.held).toBeHidden({ timeout: (UNDO_SECONDS + 20) * 1000 });
    await expect(kase.notice).toContainText('Decision approve');
    await stack.h.waitForCase(urgent, ['closed', 'actioned']);

    // g-keys switch views; the palette lists them too.
    await page.keyboard.press('Escape');
    await page.keyboard.press('g');
    await page.keyboard.press('s');
    await expect(kb.current).toHaveText('Supervisor');
    await page.keyboard.press('g');
    await page.keyboard.press('a');
    await expect(kb.current).toHaveText('Audit');
    await page.keyboard.press('Escape');
    await page.keyboard.press('g');
    await page.keyboard.press('o');
    await expect(kb.current).toContainText('Outbox');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+k');
    await page.keyboard.type('go queue');
    await expect(kb.options.first()).toHaveAttribute('data-action', 'view.queue');
    await page.keyboard.press('Enter');
    await expect(kb.current).toHaveText('Queue');

    // ? : the help sheet is the table — Ctrl+Shift+Enter is in it, as every action is.
    await page.keyboard.press('Escape');
    await page.keyboard.press('?');
    await expect(kb.help).toBeVisible();
    await expect(kb.helpRows).toHaveCount(await kb.tableSize());
    await expect(kb.helpRow('decide.submitNext')).toContainText('Submit the decision and open the next case');
    await expect(kb.helpRow('decide.submitNext')).toContainText('Ctrl+Shift+Enter');
    await shot(page, 'keyboard-help');
    await page.keyboard.press('Escape');
    await expect(kb.help).toBeHidden();
    await page.keyboard.press('Control+k');
    await page.keyboard.press('Escape');
    await expect(kb.palette).toBeHidden();
    // Both cases are decided: the queue is as it was.
    await expect(queue.counts).toContainText(/^0 cases/);
  } finally {
    await page?.context().close();
    await host.close();
    // Tidy the shared stack: the team template goes (the supervisor's own login; audited).
    await sup.query('SELECT api.delete_reason_template(p_command_id => $1, p_template_id => $2)', [stack.h.cmdId(), templateId]);
    await sup.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
