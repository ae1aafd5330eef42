// Must show 5 (issue 15): a moderator opted out of violence sees a threat blurred (in the queue and in the
// case), reveals it with the key, and the reveal is in the audit (SQL, and on the case's timeline); the
// exposure count and the break suggestion appear at the configured point (the person's own setting, 2) and
// the suggestion can be dismissed. Dev host in Chromium, real PostgreSQL and RabbitMQ. Leaves the stack as
// it found it: both cases decided, the person's opt-outs reset.
import { contentMessage, TEXT } from '../test/support/harness.js';
import { AppPage, CasePage, QueuePage } from './pages/app.js';
import { WellbeingPage } from './pages/wellbeing.js';
import { expect, shot, test } from './support/stack.js';

test('opted out of violence: a threat is blurred, v reveals it (audited), the exposure count and the break suggestion come at 2', async ({ stack, browser }) => {
  const base = `wellbeing-${Date.now().toString(36)}`;
  const ids: string[] = [];
  for (const n of [1, 2]) {
    await stack.pub.publish('content.submitted', contentMessage(`${base}-${n}`, TEXT.threat));
    ids.push((await stack.h.waitForCase(`${base}-${n}`, 'awaiting_review')).id);
  }
  const page = await stack.openAs(browser, 'mod-1');
  const app = new AppPage(page);
  const queue = new QueuePage(page);
  const kase = new CasePage(page);
  const wb = new WellbeingPage(page);
  try {
    // The person's own settings: violence blurred, a break suggested after 2 sensitive cases.
    await wb.openSettings();
    await wb.category('violence').check();
    await wb.breakAfter.fill('2');
    await wb.save.click();
    await expect(wb.saved).toBeVisible();
    await wb.settings.scrollIntoViewIfNeeded();
    await shot(page, 'wellbeing-settings');
    const { rows: stored } = await stack.h.inst.dba<{ hidden_categories: string[]; break_after: number }>(
      `SELECT hidden_categories, break_after FROM wellbeing_settings WHERE person_id = 'mod-1'`,
    );
    expect(stored).toEqual([{ hidden_categories: ['violence'], break_after: 2 }]);

    // The queue does not show the threat's text either.
    await app.goto('Queue');
    await queue.search.fill(base); // earlier specs may leave many cases in the shared queue
    await expect(queue.row(`${base}-1`).getByTestId('preview-hidden')).toHaveText(/Hidden: violence/);
    await expect(queue.row(`${base}-1`)).not.toContainText(TEXT.threat);

    // Opened: blurred under a label naming the category; counted; no break suggestion yet.
    await queue.row(`${base}-1`).click();
    await expect(kase.root).toHaveAttribute('data-case-id', ids[0]!);
    await expect(wb.label).toHaveText('Hidden: violence');
    await expect(wb.blurred).toHaveCSS('filter', /blur/);
    await expect(wb.blurred).toHaveAttribute('aria-hidden', 'true');
    await expect(wb.exposure).toHaveText('1 sensitive this session');
    await expect(wb.breakSuggestion).toHaveCount(0);
    await shot(page, 'wellbeing-blurred');

    // One key reveals it, once the database recorded the reveal.
    await app.press('v');
    await expect(wb.gate).toHaveCount(0);
    await expect(kase.content).toHaveText(TEXT.threat);
    const { rows: reveals } = await stack.h.inst.dba<{ actor: string; db_login: string; payload: { category: string; commandId: string } }>(
      `SELECT actor, db_login, payload FROM audit_events WHERE case_id = $1 AND type = 'content.revealed'`,
      [ids[0]],
    );
    expect(reveals).toEqual([{ actor: 'mod-1', db_login: stack.h.people['mod-1']!.login, payload: { category: 'violence', commandId: expect.any(String) } }]);
    // The reveal is on the case's timeline too.
    await expect(kase.timeline.filter({ hasText: 'content.revealed' })).toHaveCount(1);
    await expect(kase.timeline.filter({ hasText: 'content.revealed' })).toContainText('category: violence');
    await shot(page, 'wellbeing-revealed');

    // The second sensitive case: blurred again, counted, and the break suggestion appears (the point is 2).
    await queue.row(`${base}-2`).click();
    await expect(kase.root).toHaveAttribute('data-case-id', ids[1]!);
    await expect(wb.label).toHaveText('Hidden: violence');
    await expect(wb.exposure).toHaveText('2 sensitive this session');
    await expect(wb.breakSuggestion).toContainText('2 cases in sensitive categories');
    await shot(page, 'wellbeing-break');
    await wb.dismissBreak.click();
    await expect(wb.breakSuggestion).toHaveCount(0);
    await expect(wb.exposure).toHaveText('2 sensitive this session');

    // The shortcut sheet lists the reveal key.
    await app.press('?');
    await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toContainText(/reveal content you chose to blur/i);
    await page.keyboard.press('Escape');

    // Back to seeing everything (the person's own settings, through the UI).
    await wb.openSettings();
    await wb.category('violence').uncheck();
    await wb.breakAfter.fill('');
    await wb.save.click();
    await expect(wb.saved).toBeVisible();
    // And the greyscale, low-contrast reading mode (this computer's).
    await wb.readingMode.check();
    await app.goto('Queue');
    await queue.search.fill(base);
    await queue.row(`${base}-2`).click();
    await expect(wb.gate).toHaveCount(0);
    await expect(kase.content).toHaveText(TEXT.threat);
    await expect(kase.content).toHaveCSS('filter', /grayscale/);
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await shot(page, 'wellbeing-reading-mode-dark');
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    await wb.openSettings();
    await wb.readingMode.uncheck();
  } finally {
    // Leave the shared stack as this spec found it: no opt-outs (the DBA, in case the UI steps failed), both
    // cases decided so they leave the review queue.
    await stack.h.inst.dba(`DELETE FROM wellbeing_settings WHERE person_id = 'mod-1'`);
    const mod = await stack.h.as('mod-2');
    for (const id of ids) {
      await mod.execute({ type: 'decide', caseId: id, decision: 'approve', reason: 'wellbeing spec: tidy up', tool: 'cli', commandId: stack.h.cmdId() });
    }
    for (const [n, id] of ids.entries()) await stack.h.waitForCase(`${base}-${n + 1}`, ['closed', 'actioned']).then((c) => expect(c.id).toBe(id));
  }
});
