// Issue 14, four defects: a note's text is on the case's timeline for everyone who may see the case; a
// conflict names the case and the time as people read them (no raw UUID or ISO timestamp); the Outbox
// names and links each command's case; filters that leave the queue empty offer "Clear filters".
import { contentMessage, TEXT } from '../test/support/harness.js';
import { AppPage, CasePage, DecidePage, QueuePage } from './pages/app.js';
import { EmptyQueuePage, NotePage, OutboxCasesPage } from './pages/triage.js';
import { expect, seatContext, shot, test } from './support/stack.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

test('a note is readable by the supervisor; a conflict and the Outbox name the case and the time as people read them', async ({ stack, browser }) => {
  const contentId = `tri-${Date.now().toString(36)}`;
  await stack.pub.publish('content.submitted', contentMessage(contentId, TEXT.threat));
  const { id: caseId } = await stack.h.waitForCase(contentId, 'awaiting_review');

  // mod-1 writes a note (with markup in it, which must stay text); sup-1 reads it on the timeline.
  const mod1 = await stack.openAs(browser, 'mod-1');
  const queue1 = new QueuePage(mod1);
  await queue1.search.fill(contentId);
  await queue1.row(contentId).click();
  const note = 'Same author as last week <b>bold?</b> — check the earlier threats';
  await new NotePage(mod1).add(note);
  await expect(new NotePage(mod1).notes).toHaveText([note]);

  const sup = await stack.openAs(browser, 'sup-1');
  const queueS = new QueuePage(sup);
  await queueS.search.fill(contentId);
  await queueS.row(contentId).click();
  const notesS = new NotePage(sup).notes;
  await expect(notesS).toHaveText([note]);
  await expect(notesS.locator('b')).toHaveCount(0); // text, never markup
  await expect(new CasePage(sup).timeline.filter({ hasText: 'case.note' })).toContainText(note);
  await notesS.first().scrollIntoViewIfNeeded();
  await shot(sup, 'triage-note-in-timeline');

  // mod-2's view goes stale (case pushes dropped), mod-1 decides, mod-2's decision conflicts.
  const mod2 = await stack.openAs(browser, 'mod-2');
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

  await new AppPage(mod1).press('r');
  await mod1.keyboard.type('Credible threat');
  await mod1.keyboard.press('Control+Enter');
  await expect(new CasePage(mod1).status).toHaveText('actioned');

  await expect(new DecidePage(mod2).form).toBeVisible();
  await new AppPage(mod2).press('a');
  await mod2.keyboard.type('Looks fine to me');
  await mod2.keyboard.press('Control+Enter');
  await expect(case2.notice).toContainText('Conflict');
  await expect(case2.notice).toContainText(`${caseId.slice(0, 8)} (${contentId})`);
  await expect(case2.notice).toContainText('decided by mod-1 (remove)');
  await expect(case2.notice).toContainText(/mod-1 decided remove at \d{2}:\d{2}, (just now|\d+ min ago)/);
  await expect(case2.notice).not.toContainText(UUID);
  await expect(case2.notice).not.toContainText(ISO);
  await shot(mod2, 'triage-conflict-text');

  // The Outbox names the case (short id and content id) and opens it.
  const outbox = new OutboxCasesPage(mod2);
  await outbox.tab.click();
  const link = outbox.caseLink(caseId);
  await expect(link).toHaveText(`${caseId.slice(0, 8)} (${contentId})`);
  await expect(outbox.forCase(caseId)).not.toContainText(UUID);
  await expect(outbox.forCase(caseId)).not.toContainText(ISO);
  await shot(mod2, 'triage-outbox-case');
  await link.click();
  await expect(mod2.getByTestId('case-view')).toHaveAttribute('data-case-id', caseId);
  // The stack (and mod-2's outbox) is shared with the other specs: leave nothing to resolve.
  await outbox.tab.click();
  await outbox.forCase(caseId).getByRole('button', { name: 'Discard' }).click();
  await expect(outbox.forCase(caseId)).toHaveAttribute('data-state', 'discarded');
  for (const p of [mod1, mod2, sup]) await p.context().close();
});

test('filters that leave the queue empty say so and offer "Clear filters", which brings the cases back', async ({ stack, browser }) => {
  const contentId = `tri-empty-${Date.now().toString(36)}`;
  await stack.pub.publish('content.submitted', contentMessage(contentId, TEXT.insult));
  await stack.h.waitForCase(contentId, 'awaiting_review');
  const page = await stack.openAs(browser, 'mod-1');
  const queue = new QueuePage(page);
  const empty = new EmptyQueuePage(page);
  await expect(queue.row(contentId)).toBeVisible();
  await expect(empty.empty).toHaveCount(0);

  await queue.search.fill(`no-such-thing-${Date.now()}`);
  await page.getByRole('combobox', { name: 'Severity' }).selectOption('critical');
  await expect(empty.empty).toContainText('No cases match these filters');
  await shot(page, 'triage-empty-filters');
  await empty.clear.click();
  await expect(queue.search).toHaveValue('');
  await expect(page.getByRole('combobox', { name: 'Severity' })).toHaveValue('any');
  await expect(queue.row(contentId)).toBeVisible();
  await expect(empty.empty).toHaveCount(0);
  await page.context().close();
});

test('a 20,000-character post is collapsed with "Show all", keeping the decision form in reach; every phrase of a mass threat is highlighted', async ({ stack, browser }) => {
  const contentId = `tri-long-${Date.now().toString(36)}`;
  const threat = 'I have a gun … kill everyone … I will shoot them';
  const filler = ' This is a very long post about many things, written on and on.'.repeat(400);
  const text = `${threat}.${filler}`.slice(0, 20_000);
  await stack.pub.publish('content.submitted', contentMessage(contentId, text));
  await stack.h.waitForCase(contentId, 'awaiting_review');
  try {
    const page = await stack.openAs(browser, 'mod-1');
    const queue = new QueuePage(page);
    const view = new CasePage(page);
    await queue.search.fill(contentId);
    await queue.row(contentId).click();
    const toggle = view.root.getByTestId('content-toggle');
    await expect(toggle).toHaveText('Show all (20,000 characters, 3 highlighted)');
    await expect(view.content.locator('mark')).toHaveText(['I have a gun', 'kill everyone', 'I will shoot them']);
    // Collapsed, the decision form starts within one screen of the content's top.
    const content = (await view.content.boundingBox())!;
    const form = (await new DecidePage(page).form.boundingBox())!;
    expect(form.y - content.y).toBeLessThan(page.viewportSize()!.height);
    await shot(page, 'triage-long-post-collapsed');
    await toggle.click();
    await expect(toggle).toHaveText('Show less');
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    expect((await new DecidePage(page).form.boundingBox())!.y - content.y).toBeGreaterThan(page.viewportSize()!.height);
  } finally {
    await stack.h.inst.dba('DELETE FROM cases WHERE content_id = $1', [contentId]);
  }
});

test('a page with a wrong dev host token says what is wrong and how to go on, with "Try again"', async ({ stack, browser }) => {
  const page = await (await seatContext(browser)).newPage();
  await page.goto(`${stack.host.url}/?token=not-the-token`);
  const error = page.getByTestId('start-error');
  await expect(error.getByRole('heading')).toHaveText('This page is not allowed to reach the workstation');
  await expect(error).toContainText('access token the dev host printed');
  await expect(error.getByRole('button', { name: 'Try again' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Views' })).toHaveCount(0);
  await shot(page, 'triage-bad-token');
});

test('a case decided by someone else while you write keeps your draft and says who decided what', async ({ stack, browser }) => {
  const contentId = `tri-draft-${Date.now().toString(36)}`;
  await stack.pub.publish('content.submitted', contentMessage(contentId, TEXT.insult));
  const { id, version } = await stack.h.waitForCase(contentId, 'awaiting_review');
  const bob = await stack.openAs(browser, 'mod-2');
  const queue = new QueuePage(bob);
  await queue.search.fill(contentId);
  await queue.row(contentId).click();
  const decide = new DecidePage(bob);
  await decide.form.getByRole('radio', { name: /^warn/ }).check();
  const draft = 'Rude, but a first offence: a warning is enough';
  await decide.reason.fill(draft);

  // Alice (mod-1) decides the case on her own workstation.
  const alice = await stack.h.as('mod-1');
  await alice.execute({ type: 'decide', caseId: id, decision: 'remove', reason: 'insult aimed at a person', tool: 'cli', commandId: stack.h.cmdId(), expectedVersion: version });

  const notice = bob.getByTestId('decided-elsewhere');
  await expect(notice).toContainText('mod-1 decided this case while you were writing: remove');
  await expect(notice).toContainText('insult aimed at a person');
  await expect(notice.getByTestId('kept-draft')).toContainText('warn');
  await expect(notice.getByTestId('kept-draft')).toContainText(draft);
  await expect(decide.form).toHaveCount(0);
  await notice.scrollIntoViewIfNeeded();
  await shot(bob, 'triage-decided-elsewhere');
  await notice.getByRole('button', { name: 'Dismiss' }).click();
  await expect(notice).toHaveCount(0);
});
