// Issue 14 "the author's history one key away": beside the author of the open case, one line says what
// their other cases came to; h opens the list (focus moves to it), h again closes it. The author here has two
// earlier posts the agent settled and the one open case. Leaves the queue as it found it: the open case is
// approved (no undo window on this dev host).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { startDevHost } from '../src/devhost/server.js';
import { contentMessage, TEXT } from '../test/support/harness.js';
import { CasePage, DecidePage, QueuePage, SignInPage } from './pages/app.js';
import { expect, ROOT, seatContext, shot, test } from './support/stack.js';

test("the author's history: a line beside the author, h opens and closes the list", async ({ stack, browser }) => {
  const run = `ah-${Date.now().toString(36)}`;
  const authorId = `author-${run}`;
  const earlier = [`${run}-walk-1`, `${run}-walk-2`];
  const open = `${run}-threat`;
  for (const id of earlier) await stack.pub.publish('content.submitted', contentMessage(id, TEXT.clean, { authorId }));
  for (const id of earlier) await stack.h.waitForCase(id, 'auto_resolved');
  await stack.pub.publish('content.submitted', contentMessage(open, TEXT.threat, { authorId }));
  await stack.h.waitForCase(open, 'awaiting_review');

  const dataDir = mkdtempSync(join(tmpdir(), 'gw-e2e-author-history-'));
  const host = await startDevHost({
    core: stack.h.core,
    rendererDir: join(ROOT, 'out', 'renderer'),
    dataDir,
    seatIdleMs: 1_000,
    settings: () => ({ file: null, settings: [{ key: 'undoSeconds', value: 0, source: 'user', locked: false }] }),
  });
  let page: Page | undefined;
  try {
    page = await (await seatContext(browser)).newPage();
    await page.goto(host.urlFor());
    const person = stack.h.people['mod-1']!;
    await new SignInPage(page).signIn(person.login, person.password, 'mod-1');
    const queue = new QueuePage(page);
    const kase = new CasePage(page);
    await queue.row(open).click();
    await expect(kase.root).toHaveAttribute('aria-label', `Case ${open}`);
    // The dev-host link connects while the bundle starts: the header must not stay on "connecting" (it did,
    // when the socket opened before the header subscribed).
    await expect(page.getByText(/Link: connecting/)).toHaveCount(0);

    const history = kase.root.getByTestId('author-history');
    await expect(history.getByTestId('author-history-line')).toHaveText('2 other cases · 2 auto resolved');
    await expect(history.getByTestId('author-history-list')).toHaveCount(0);

    // h: the list, with both earlier posts, and the focus on its heading; h again: closed.
    await kase.root.getByTestId('content-text').click(); // focus off any field, as a moderator reading the post
    await page.keyboard.press('h');
    const list = history.getByTestId('author-history-list');
    await expect(list).toBeVisible();
    await expect(list.getByRole('heading')).toBeFocused();
    for (const id of earlier) await expect(list.getByRole('button', { name: id })).toBeVisible();
    await expect(list).toContainText('auto resolved');
    await shot(page, 'author-history');
    await page.keyboard.press('h');
    await expect(list).toHaveCount(0);

    // Leave the queue clean: claim and approve the open case.
    await page.keyboard.press('c');
    await expect(kase.claimHolder).toContainText('Claimed by mod-1');
    const decide = new DecidePage(page);
    await page.keyboard.press('a');
    await decide.reason.fill('Quoting, not a threat (author history checked).');
    await page.keyboard.press('Control+Enter');
    await expect
      .poll(async () => (await stack.h.inst.dba<{ status: string }>('SELECT status FROM cases WHERE content_id = $1', [open])).rows[0]?.status, { timeout: 30_000 })
      .not.toBe('awaiting_review');
  } finally {
    await page?.context().close();
    await host.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
