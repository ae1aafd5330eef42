// Must show 1–3 and 5: the moderator → supervisor → audit journey in the real UI, via the dev host,
// on real PostgreSQL and RabbitMQ. Content enters the way a platform sends it: amqplib to moderation.ingest.
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { contentMessage, TEXT } from '../test/support/harness.js';
import { AppPage, AuditPage, CasePage, DecidePage, QueuePage, SupervisorPage } from './pages/app.js';
import { expect, shot, test } from './support/stack.js';

test.describe.configure({ mode: 'serial' });

const contentId = `e2e-${Date.now().toString(36)}`;
let caseId = '';
let mod1: Page;
let mod2: Page;
let sup1: Page;

test('content published to the ingest exchange appears live; a moderator claims and decides with the keyboard; a second user sees the claim and the result', async ({ stack, browser }) => {
  mod1 = await stack.openAs(browser, 'mod-1');
  mod2 = await stack.openAs(browser, 'mod-2');
  const app1 = new AppPage(mod1);
  const queue1 = new QueuePage(mod1);
  const case1 = new CasePage(mod1);
  const decide1 = new DecidePage(mod1);
  await expect(app1.user).toContainText('moderator');
  await expect(app1.database).toContainText('Database: up');
  await expect(app1.broker).toContainText('Broker: up');
  await expect(queue1.counts).toContainText('0 cases');

  // Published from outside, no reload: the row arrives through case:updated / queue:changed.
  await stack.pub.publish('content.submitted', contentMessage(contentId, TEXT.threat, { reportedBy: 'user-77', reportReason: 'threat' }));
  await expect(queue1.row(contentId)).toBeVisible();
  await expect(queue1.row(contentId).getByTestId('row-status')).toHaveText('awaiting review');
  await shot(mod1, 'queue');

  // Keyboard: j selects, Enter opens, c claims.
  await app1.press('j');
  await expect(queue1.selected()).toHaveAttribute('data-content-id', contentId);
  await app1.press('Enter');
  await expect(case1.root).toBeVisible();
  caseId = (await case1.root.getAttribute('data-case-id'))!;
  await expect(case1.content).toContainText(TEXT.threat);
  await expect(case1.content.locator('mark').first()).toBeVisible();
  await app1.press('c');
  await expect(case1.claimHolder).toContainText('Claimed by mod-1');
  await shot(mod1, 'case');

  // The second user sees the claim, and cannot decide while it is held.
  const queue2 = new QueuePage(mod2);
  const case2 = new CasePage(mod2);
  await expect(queue2.row(contentId).getByTestId('row-claim')).toHaveText('claimed by mod-1');
  await queue2.row(contentId).click();
  await expect(case2.claimHolder).toContainText('Claimed by mod-1');
  await expect(new DecidePage(mod2).why).toContainText('Claimed by mod-1');

  // r picks "remove" and focuses the reason; Ctrl+Enter submits.
  await expect(decide1.form).toBeVisible();
  await app1.press('r');
  await expect(decide1.choice('remove')).toBeChecked();
  await expect(decide1.reason).toBeFocused();
  await mod1.keyboard.type('Credible threat of violence against another user');
  await shot(mod1, 'decision');
  await mod1.keyboard.press('Control+Enter');
  await expect(case1.status).toHaveText('actioned');
  await expect(case1.action('remove_content')).toHaveAttribute('data-status', 'done');
  await expect(case1.lastDecision).toContainText('remove by mod-1');

  // …and the second user sees the result live.
  await expect(case2.status).toHaveText('actioned');
  await expect(case2.lastDecision).toContainText('remove by mod-1');
  await expect(queue2.row(contentId)).toHaveCount(0);
});

test('a supervisor rolls back, watches the reversals and decides the level-2 review; the original moderator cannot, and the UI says why', async ({ stack, browser }) => {
  sup1 = await stack.openAs(browser, 'sup-1');
  const app = new AppPage(sup1);
  const sup = new SupervisorPage(sup1);
  const view = new CasePage(sup1);
  await expect(app.user).toContainText('supervisor');
  await app.goto('Supervisor');
  await sup.row('Actioned (can be rolled back)', contentId).click();
  await expect(view.status).toHaveText('actioned');

  // A moderator's rollback control is disabled with the reason.
  const modApp = new AppPage(mod1);
  await modApp.goto('Supervisor');
  await new SupervisorPage(mod1).row('Actioned (can be rolled back)', contentId).click();
  await expect(mod1.getByText('Rollback needs a supervisor or an admin.')).toBeVisible();
  await expect(new SupervisorPage(mod1).rollbackButton).toBeDisabled();

  await sup.rollbackReason.fill('Context shows this is a quote from a film');
  await sup.rollbackButton.click();
  // Reversal progress: the removal is reversed (restore_content done) and the case returns at level 2.
  await expect(view.action('restore_content')).toHaveAttribute('data-status', 'done');
  await expect(sup.reversalProgress).toContainText('1 of 1 finished');
  await expect(view.status).toHaveText('awaiting review');
  await expect(view.root.getByText('level 2', { exact: true })).toBeVisible();
  await expect(sup.row('Escalated reviews', contentId)).toBeVisible();
  await expect(sup.backlog).toContainText('Awaiting review');
  // The week's metrics count mod-1's decision above (AI–human agreement) and what the agent settled alone.
  await expect(sup.decisionMetrics).toContainText('AI–human agreement');
  await expect(sup.decisionMetrics).toContainText(/\d+ of [1-9]\d* decisions/);
  await shot(sup1, 'supervisor');

  // The original moderator cannot decide the level-2 review, and is told why (role + four-eyes).
  const modCase = new CasePage(mod1);
  await expect(modCase.status).toHaveText('awaiting review');
  const modDecide = new DecidePage(mod1);
  await expect(modDecide.why).toContainText('supervisors and admins only');
  await expect(modDecide.fourEyes).toContainText('mod-1 made the decision under review');
  await expect(modDecide.submit).toBeDisabled();
  await expect(modDecide.choice('warn')).toBeDisabled();

  // The supervisor decides it with the keyboard: w = warn.
  const decide = new DecidePage(sup1);
  await expect(decide.choice('warn')).toBeEnabled();
  await app.press('w');
  await expect(decide.choice('warn')).toBeChecked();
  await sup1.keyboard.type('A quote, but a warning about context is fair');
  await sup1.keyboard.press('Control+Enter');
  await expect(view.status).toHaveText('actioned');
  await expect(view.lastDecision).toContainText('warn by sup-1');
  await expect(view.action('warn_user')).toHaveAttribute('data-status', 'done');
});

test('the audit view shows every step with its actor; CSV and JSON exports hold the same rows', async () => {
  const app = new AppPage(sup1);
  const audit = new AuditPage(sup1);
  await app.goto('Audit');
  await audit.filter('Case id').fill(caseId);
  await audit.apply.click();
  await expect(audit.count).not.toHaveText(/^0 events/);
  const want: Array<[string, string]> = [
    ['case.claimed', 'mod-1'],
    ['decision.made', 'mod-1'],
    ['rollback.requested', 'sup-1'],
    ['decision.made', 'sup-1'],
  ];
  for (const [type, actor] of want) {
    await expect(audit.rows.filter({ has: sup1.getByRole('cell', { name: type, exact: true }) }).filter({ has: sup1.getByRole('cell', { name: actor, exact: true }) }).first()).toBeVisible();
  }
  for (const type of ['case.created', 'action.executed', 'action.reversed']) {
    await expect(audit.rows.filter({ has: sup1.getByRole('cell', { name: type, exact: true }) }).first()).toBeVisible();
  }
  await shot(sup1, 'audit');

  const ids = await audit.rows.evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.id));
  const [csvDownload] = await Promise.all([sup1.waitForEvent('download'), audit.exportButton('CSV').click()]);
  const csv = readFileSync((await csvDownload.path())!, 'utf8').trim().split('\r\n');
  expect(csv[0]).toBe('id,at,caseId,type,actor,tool,payload');
  expect(csv.slice(1).map((l) => JSON.parse(l.split(',')[0]!))).toEqual(ids);
  const [jsonDownload] = await Promise.all([sup1.waitForEvent('download'), audit.exportButton('JSON').click()]);
  const json = JSON.parse(readFileSync((await jsonDownload.path())!, 'utf8')) as Array<{ id: number; actor: string; type: string; caseId: string }>;
  expect(json.map((e) => String(e.id))).toEqual(ids);
  expect(json.every((e) => e.caseId === caseId)).toBe(true);
  // The audit view lists newest first (issue 15), and its exports hold its rows in its order.
  expect(json.filter((e) => e.type === 'decision.made').map((e) => e.actor)).toEqual(['sup-1', 'mod-1']);
});

test('an appeal lands in the supervisors’ appeal queue beside the appealed decision; four-eyes keeps its decider out; another supervisor upholds it', async ({ stack, browser }) => {
  await stack.pub.publish('appeal.submitted', {
    schemaVersion: 1,
    contentId,
    authorId: `author-${contentId}`,
    reason: 'It was a line from a film, not a threat',
    submittedAt: new Date().toISOString(),
  });
  const app = new AppPage(sup1);
  const sup = new SupervisorPage(sup1);
  await app.goto('Supervisor');
  await sup.row('Appeals', contentId).click();
  const view = new CasePage(sup1);
  await expect(view.status).toHaveText('awaiting review');
  await expect(sup1.getByRole('region', { name: 'Appealed decision' })).toContainText('warn by sup-1');
  await expect(sup1.getByTestId('appeal-reason')).toContainText('It was a line from a film, not a threat');
  const decide = new DecidePage(sup1);
  await expect(decide.why).toContainText('Four-eyes: you made the decision under review');
  await expect(decide.choice('uphold')).toBeDisabled();
  await shot(sup1, 'appeal');

  const sup2 = await stack.openAs(browser, 'sup-2');
  const app2 = new AppPage(sup2);
  await app2.goto('Supervisor');
  await new SupervisorPage(sup2).row('Appeals', contentId).click();
  const decide2 = new DecidePage(sup2);
  await expect(decide2.form).toBeVisible();
  await app2.press('u');
  await expect(decide2.choice('uphold')).toBeChecked();
  await sup2.keyboard.type('The warning stands: context does not excuse it');
  await sup2.keyboard.press('Control+Enter');
  await expect(new CasePage(sup2).status).toHaveText('closed');
  await expect(view.status).toHaveText('closed'); // sup-1 sees it live
  await expect(view.timeline.filter({ hasText: 'appeal.decided' })).toContainText('sup-2');
});
