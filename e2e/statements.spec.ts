// Must show 6 (issue 15), the case view: a removal's statement of reasons — what the author received with the
// platform action — is shown in the case, with the DSA fields and the full text; the agent's automatic warning
// says it was automated. Dev host in Chromium, real PostgreSQL and RabbitMQ. The decisions are made through
// the command path (the UI's decide form is the journey spec's); both cases end actioned, out of the queue.
import { contentMessage, TEXT } from '../test/support/harness.js';
import { AppPage, CasePage, SupervisorPage } from './pages/app.js';
import { expect, shot, test } from './support/stack.js';

test("the case view shows the statement of reasons sent with a removal, and an automatic warning's says automated", async ({ stack, browser }) => {
  const contentId = `sor-${Date.now().toString(36)}`;
  await stack.pub.publish('content.submitted', contentMessage(contentId, TEXT.threat, { reportedBy: 'user-42', reportReason: 'he threatens me' }));
  const c = await stack.h.waitForCase(contentId, 'awaiting_review');
  const mod = await stack.h.as('mod-1');
  await mod.execute({ type: 'decide', caseId: c.id, decision: 'remove_and_ban', durationHours: 48, reason: 'Credible threat of violence against another user', policyIds: ['violence'], tool: 'cli', commandId: stack.h.cmdId(), expectedVersion: c.version });
  await stack.h.waitForStatus(c.id, 'actioned');
  const spamId = `${contentId}-spam`;
  await stack.pub.publish('content.submitted', contentMessage(spamId, TEXT.spam));
  await stack.h.waitForCase(spamId, 'actioned');

  const sup1 = await stack.openAs(browser, 'sup-1');
  const app = new AppPage(sup1);
  const view = new CasePage(sup1);
  await app.goto('Supervisor');
  await new SupervisorPage(sup1).row('Actioned (can be rolled back)', contentId).click();
  await expect(view.root).toHaveAttribute('data-case-id', c.id);
  await expect(view.statements).toHaveCount(1);
  const st = view.statements.first();
  await expect(st).toContainText('remove and ban');
  await expect(st).toContainText('content removed, account suspended for 48 h');
  await expect(st.getByTestId('statement-automated')).toHaveText('detection: no (a user report); decision: no, a person decided');
  await expect(st).toContainText('violence: Threats of violence');
  await expect(st).toContainText('Credible threat of violence against another user');
  await st.getByText('Text the author received').click();
  // What the platform received is what the case shows.
  const sent = stack.h.sent(c.id)[0]!.body.statement as { text: string };
  await expect(st.getByTestId('statement-text')).toHaveText(sent.text);
  await st.scrollIntoViewIfNeeded();
  await shot(sup1, 'statement-of-reasons');

  await new SupervisorPage(sup1).row('Actioned (can be rolled back)', spamId).click();
  await expect(view.root).toHaveAttribute('data-case-id', (await stack.h.caseByContent(spamId))!.id);
  await expect(view.statements.first().getByTestId('statement-automated')).toHaveText('detection: yes; decision: yes, fully automated');
  await view.statements.first().scrollIntoViewIfNeeded();
  await shot(sup1, 'statement-of-reasons-automated');
});
