// Issue 14, Must show 2 (presence): two moderators on one case each see the other's presence — viewing, then
// typing a decision — in the case view and on the queue row, and it disappears once one of them closes the
// case (here: closes the window; its 'left' or, failing that, the database's expiry removes it). Presence
// is the database's (api.touch_presence with each seat's own login), read by polling api.presence once a
// second: the expect default timeout is the bound, the poll makes it about a second.
import { contentMessage, TEXT } from '../test/support/harness.js';
import { CasePage, QueuePage } from './pages/app.js';
import { PresencePage } from './pages/presence.js';
import { expect, shot, test } from './support/stack.js';

test('two moderators on one case see each other viewing and typing; it is gone when one closes the case', async ({ stack, browser }) => {
  const contentId = `presence-${Date.now().toString(36)}`;
  await stack.pub.publish('content.submitted', contentMessage(contentId, TEXT.threat));
  const { id: caseId } = await stack.h.waitForCase(contentId, 'awaiting_review');

  const mod1 = await stack.openAs(browser, 'mod-1');
  const mod2 = await stack.openAs(browser, 'mod-2');
  for (const p of [mod1, mod2]) {
    const q = new QueuePage(p);
    await q.search.fill(contentId);
    await q.row(contentId).click();
    await expect(new CasePage(p).status).toHaveText('awaiting review');
  }
  const p1 = new PresencePage(mod1);
  const p2 = new PresencePage(mod2);

  // Each sees the other viewing, never themselves.
  await expect(p1.inCaseFor('mod-2')).toHaveAttribute('data-state', 'viewing');
  await expect(p2.inCaseFor('mod-1')).toHaveAttribute('data-state', 'viewing');
  await expect(p1.inCaseFor('mod-1')).toHaveCount(0);
  await expect(p2.inCaseFor('mod-2')).toHaveCount(0);
  await expect(p1.onRow(contentId, 'mod-2')).toBeVisible();

  // mod-2 starts a decision: mod-1 sees "typing a decision", in the case and on the row.
  await mod2.keyboard.press('a');
  await mod2.keyboard.type('Looks like a quote from a film');
  await expect(p1.inCaseFor('mod-2')).toHaveAttribute('data-state', 'typing');
  await expect(p1.inCaseFor('mod-2')).toContainText('typing a decision');
  await expect(p1.onRow(contentId, 'mod-2')).toHaveAttribute('data-state', 'typing');
  // And the other way round.
  await mod1.keyboard.press('r');
  await expect(p2.inCaseFor('mod-1')).toHaveAttribute('data-state', 'typing');
  await shot(mod1, 'presence-other-typing');

  // mod-2 closes the case (the window): gone from mod-1's case view and row.
  const closedAt = Date.now();
  await mod2.close({ runBeforeUnload: true });
  await expect(p1.inCase).toHaveCount(0);
  // For the record (not asserted): how long "gone" took — about a poll when the 'left' arrived.
  test.info().annotations.push({ type: 'presence gone after close (ms)', description: String(Date.now() - closedAt) });
  await expect(p1.onRow(contentId, 'mod-2')).toHaveCount(0);
  await shot(mod1, 'presence-after-close');

  // Leave the queue as found: mod-1 decides the case, then closes it too; no presence is left behind.
  await mod1.keyboard.type('Credible threat');
  await mod1.keyboard.press('Control+Enter');
  await expect(new CasePage(mod1).status).toHaveText(/actioned|closed/);
  await mod1.close({ runBeforeUnload: true });
  await expect
    .poll(async () => (await stack.h.inst.dba<{ n: number }>('SELECT count(*)::int AS n FROM case_presence WHERE case_id = $1 AND expires_at > now()', [caseId])).rows[0]!.n)
    .toBe(0);
});
