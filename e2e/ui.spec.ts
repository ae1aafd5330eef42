// The rest of the triage UI: a stale decision becomes a visible conflict naming who decided what,
// bans ask for confirmation, the queue is virtualised and searchable, shortcuts and themes; a long queue
// loads progressively and follows changes made elsewhere without reading the list again.
import type { Page } from '@playwright/test';
import { contentMessage, TEXT } from '../test/support/harness.js';
import { AppPage, CasePage, DecidePage, QueuePage } from './pages/app.js';
import { expect, shot, test } from './support/stack.js';

test('a decision made on a stale view is a visible conflict that says who decided what; bans need confirmation', async ({ stack, browser }) => {
  const contentId = `race-${Date.now().toString(36)}`;
  await stack.pub.publish('content.submitted', contentMessage(contentId, TEXT.threat));
  await stack.h.waitForCase(contentId, 'awaiting_review');

  const mod1 = await stack.openAs(browser, 'mod-1');
  const mod2 = await stack.openAs(browser, 'mod-2');
  // mod-2's view of the case goes stale: drop case pushes on its dev host socket (as a slow link would).
  let stale = false;
  await mod2.routeWebSocket(/\/ws/, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((m) => {
      if (!(stale && /"event":"(case:updated|queue:changed)"/.test(String(m)))) ws.send(m);
    });
    ws.onMessage((m) => server.send(m));
  });
  await mod2.reload();

  const queue2 = new QueuePage(mod2);
  await queue2.search.fill(contentId);
  await queue2.row(contentId).click();
  const case2 = new CasePage(mod2);
  await expect(case2.status).toHaveText('awaiting review');
  stale = true;

  const queue1 = new QueuePage(mod1);
  await queue1.search.fill(contentId);
  await queue1.row(contentId).click();
  const app1 = new AppPage(mod1);
  const decide1 = new DecidePage(mod1);
  await expect(decide1.form).toBeVisible(); // shortcuts act on the open case's form
  await app1.press('b');
  await expect(decide1.choice('remove and ban')).toBeChecked();
  await mod1.keyboard.type('Threat of violence, repeat offender');
  await mod1.keyboard.press('Control+Enter');
  await expect(decide1.confirmBan).toBeVisible();
  await expect(mod1.getByRole('dialog', { name: /Ban author-/ })).toContainText('permanently');
  await decide1.confirmBan.click();
  await expect(new CasePage(mod1).status).toHaveText('actioned');

  // mod-2 still sees "awaiting review" and decides: the core refuses, and the UI says who decided what.
  await expect(case2.status).toHaveText('awaiting review');
  await expect(new DecidePage(mod2).form).toBeVisible();
  await new AppPage(mod2).press('a');
  await mod2.keyboard.type('Looks like a joke to me');
  await mod2.keyboard.press('Control+Enter');
  await expect(case2.notice).toContainText('Conflict');
  await expect(case2.notice).toContainText('decided by mod-1 (remove_and_ban)');
  await expect(case2.notice).toContainText('mod-1 decided remove and ban');
  await expect(case2.status).toHaveText('actioned'); // refreshed after the refusal

  // The refused decision stays in mod-2's outbox as a conflict, to discard or to escalate.
  const conflicted = case2.root.locator('[data-testid="case-command"][data-state="conflict"]');
  await expect(conflicted).toContainText('approve — Looks like a joke to me');
  await expect(mod2.getByTestId('outbox-count')).toContainText('1 to resolve');
  await conflicted.getByRole('button', { name: 'Request escalation' }).click();
  await expect(case2.root.locator('[data-testid="case-command"][data-state="discarded"]')).toContainText('approve');
  await expect(case2.root.locator('[data-testid="case-command"][data-state="applied"]')).toContainText('escalation request');
  await expect(case2.timeline.filter({ hasText: 'escalation.requested' })).toHaveCount(1);
  await shot(mod2, 'conflict');
});

test('the queue is virtualised, searchable by author, filterable, and keyboard-navigable; shortcuts sheet and dark theme', async ({ stack, browser }) => {
  const run = Date.now().toString(36);
  for (let i = 0; i < 300; i++) await stack.pub.publish('content.submitted', contentMessage(`bulk-${run}-${i}`, `${TEXT.insult} #${i}`, { priority: i === 7 ? 'urgent' : 'normal' }));
  const page = await stack.openAs(browser, 'mod-2');
  const queue = new QueuePage(page);
  const app = new AppPage(page);
  await queue.search.fill(`bulk-${run}`);
  await expect(queue.counts).toContainText(/^300 cases · 1 urgent/, { timeout: 90_000 });
  // Only the visible window of rows is in the DOM.
  const rendered = await queue.list.getByTestId('case-row').count();
  expect(rendered).toBeGreaterThan(5);
  expect(rendered).toBeLessThan(60);
  // Sorted by priority: the urgent case comes first.
  await app.press('j');
  await expect(queue.selected()).toHaveAttribute('data-content-id', `bulk-${run}-7`);
  for (let i = 0; i < 25; i++) await app.press('j');
  await expect(queue.selected()).toBeInViewport();

  await page.getByRole('combobox', { name: 'Priority' }).selectOption('urgent');
  await expect(queue.counts).toContainText(/^1 case ·/);
  await page.getByRole('combobox', { name: 'Priority' }).selectOption('any');
  await queue.search.fill(`author-bulk-${run}-42`);
  await expect(queue.counts).toContainText(/^1 case ·/);
  await expect(queue.row(`bulk-${run}-42`)).toBeVisible();

  await app.press('?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeHidden();

  await page.getByRole('button', { name: /Switch to (dark|light) theme/ }).click();
  const theme = await page.evaluate(() => document.documentElement.dataset.theme);
  if (theme !== 'dark') await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await queue.row(`bulk-${run}-42`).click();
  await expect(new CasePage(page).status).toHaveText('awaiting review');
  await expect(new DecidePage(page).form).toBeVisible();
  await shot(page, 'case-dark');
});

/** Counts the page's cases:list requests by kind (first page / next page / what changed) and can hold back next pages. */
async function watchListRequests(page: Page, tag: string) {
  const seen = { first: 0, more: 0, changes: 0 };
  let hold = false;
  const held: string[] = [];
  let forward: (m: string) => void = () => {};
  await page.routeWebSocket(/\/ws/, (ws) => {
    const server = ws.connectToServer();
    forward = (m) => server.send(m);
    ws.onMessage((m) => {
      const msg = JSON.parse(String(m)) as { name?: string; input?: { search?: string; after?: unknown; updatedSince?: string } };
      if (msg.name === 'cases:list' && msg.input?.search === tag) {
        const kind = msg.input.after ? 'more' : msg.input.updatedSince ? 'changes' : 'first';
        seen[kind]++;
        if (kind === 'more' && hold) return void held.push(String(m));
      }
      server.send(m);
    });
    server.onMessage((m) => ws.send(m));
  });
  await page.reload();
  return {
    seen,
    holdNextPages: () => (hold = true),
    release() {
      hold = false;
      for (const m of held.splice(0)) forward(m);
    },
  };
}

test('a long queue shows its first page at once and says the rest is loading until it is there', async ({ stack, browser }) => {
  const run = `load-${Date.now().toString(36)}`;
  // 700 waiting cases straight into the read model (the pipeline would take minutes), arranged as the DBA
  // (no application login may write a table): a first page of 300, then the rest in pages. The next page
  // is held back on the socket to look at the loading state.
  await stack.h.inst.dba(
    `INSERT INTO cases (id, content_id, author_id, text, priority, submitted_at, status, level, review_kind, verdict, severity, violation_type, version, created_at, updated_at)
     SELECT gen_random_uuid(), $1 || '-' || i, 'author-' || $1, 'Loaded case ' || i, CASE WHEN i % 50 = 0 THEN 'urgent' ELSE 'normal' END, now(),
            'awaiting_review', 1, 'initial', 'review', (ARRAY['low', 'medium', 'high', 'critical'])[1 + i % 4], 'harassment', 2,
            now() - make_interval(secs => 10000 - i), now() - make_interval(secs => 10000 - i)
       FROM generate_series(1, 700) i`,
    [run],
  );
  try {
    const page = await stack.openAs(browser, 'mod-2');
    const socket = await watchListRequests(page, run);
    const queue = new QueuePage(page);
    const loadingMore = page.getByTestId('queue-loading-more');
    socket.holdNextPages();
    await queue.search.fill(run);
    await expect(queue.counts).toContainText(/^300 cases · 14 urgent/);
    await expect(loadingMore).toHaveText('· loading more… 300 so far');
    await expect(page.getByRole('status').filter({ hasText: 'loading more' })).toBeVisible();
    await expect(queue.row(`${run}-50`)).toBeVisible(); // urgent first
    await shot(page, 'queue-loading');

    socket.release();
    await expect(queue.counts).toContainText(/^700 cases · 14 urgent/);
    await expect(loadingMore).toBeHidden();
    expect(socket.seen).toMatchObject({ first: 1, more: 1 }); // 300, then the other 400 (pages of up to 2,500)
    await shot(page, 'queue-loaded');
    await page.context().close();
  } finally {
    await stack.h.inst.dba(`DELETE FROM cases WHERE content_id LIKE $1 || '-%'`, [run]);
  }
});

test('a case decided elsewhere leaves the queue and a new case appears, without reading the list again; the selection stays put', async ({ stack, browser }) => {
  const run = `live-${Date.now().toString(36)}`;
  const ids: Record<string, { id: string; version: number }> = {};
  for (const k of ['a', 'b', 'c']) await stack.pub.publish('content.submitted', contentMessage(`${run}-${k}`, `${TEXT.threat} (${k})`));
  for (const k of ['a', 'b', 'c']) ids[k] = await stack.h.waitForCase(`${run}-${k}`, 'awaiting_review');

  const page = await stack.openAs(browser, 'mod-2');
  const socket = await watchListRequests(page, run);
  const queue = new QueuePage(page);
  const app = new AppPage(page);
  await queue.search.fill(run);
  await expect(queue.counts).toContainText(/^3 cases/);
  // Select case b with the keyboard.
  await app.press('j');
  for (let i = 0; i < 3 && (await queue.selected().getAttribute('data-content-id')) !== `${run}-b`; i++) await app.press('j');
  await expect(queue.selected()).toHaveAttribute('data-content-id', `${run}-b`);

  // mod-1 decides case a on another workstation (their own session on the core); a new case is published.
  const mod1 = await stack.h.as('mod-1');
  await mod1.execute({ type: 'decide', caseId: ids.a!.id, decision: 'remove', reason: 'threat, decided elsewhere', tool: 'cli', commandId: stack.h.cmdId(), expectedVersion: ids.a!.version });
  await expect(queue.row(`${run}-a`)).toHaveCount(0);
  await stack.pub.publish('content.submitted', contentMessage(`${run}-d`, `${TEXT.threat} (d)`));
  await expect(queue.row(`${run}-d`)).toBeVisible();
  await expect(queue.counts).toContainText(/^3 cases/);
  await expect(queue.selected()).toHaveAttribute('data-content-id', `${run}-b`);
  await expect(queue.selected()).toBeInViewport();

  // Decided elsewhere while selected: the selection moves to the row that took its place.
  await mod1.execute({ type: 'decide', caseId: ids.b!.id, decision: 'approve', reason: 'fine, decided elsewhere', tool: 'cli', commandId: stack.h.cmdId(), expectedVersion: ids.b!.version });
  await expect(queue.row(`${run}-b`)).toHaveCount(0);
  await expect(queue.selected()).toHaveCount(1);
  await expect(queue.selected()).not.toHaveAttribute('data-content-id', `${run}-b`);

  // One read of the list for this search (when it was typed); everything after came as changes.
  expect(socket.seen.first).toBe(1);
  expect(socket.seen.more).toBe(0);
  expect(socket.seen.changes).toBeGreaterThan(0);
  await page.context().close();
});
