// Must show 6 (issue 15), the case view: a removal's statement of reasons — what the author received with the
// platform action — is shown in the case, with the DSA fields and the full text; the agent's automatic warning
// says it was automated; the supervisor view's export has one row per decision. Dev host in Chromium, real PostgreSQL and RabbitMQ. The decisions are made through
// the command path (the UI's decide form is the journey spec's); both cases end actioned, out of the queue.
import { readFileSync } from 'node:fs';
import { STATEMENT_EXPORT_COLUMNS } from '../src/shared/statement.js';
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

  // The supervisor's bulk export: one row per decision with a statement, as in the database.
  const [dl] = await Promise.all([sup1.waitForEvent('download'), sup1.getByTestId('export-statements').click()]);
  expect(dl.suggestedFilename()).toMatch(/^statements-of-reasons-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = readFileSync((await dl.path())!, 'utf8');
  const lines = csv.trimEnd().split('\r\n');
  expect(lines[0]).toBe(STATEMENT_EXPORT_COLUMNS.join(','));
  const { rows } = await stack.h.inst.dba<{ decision_id: string }>('SELECT decision_id FROM statements ORDER BY created_at, decision_id');
  expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(rows.map((r) => r.decision_id));
  await expect(sup1.getByRole('status').filter({ hasText: 'exported' })).toHaveText(`${rows.length} statement${rows.length === 1 ? '' : 's'} exported`);
  await sup1.getByTestId('export-statements').scrollIntoViewIfNeeded();
  await shot(sup1, 'statements-export');
});
