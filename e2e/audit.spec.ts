// Must show 4 (issue 15): the audit view filters by the short id it shows and by the content id, lists
// newest first, links its rows to the case, and "Verify chain", after a superuser edits one event, names
// that event. Dev host in Chromium, real PostgreSQL and RabbitMQ; the edit is the DBA's (inst.dba).
import { contentMessage, TEXT } from '../test/support/harness.js';
import { AppPage, CasePage } from './pages/app.js';
import { AuditView } from './pages/audit.js';
import { expect, shot, test } from './support/stack.js';

test('filter by short id and content id, newest first, a row opens its case; Verify chain names the event a superuser edited', async ({ stack, browser }) => {
  const contentId = `audit-${Date.now().toString(36)}`;
  await stack.pub.publish('content.submitted', contentMessage(contentId, TEXT.threat));
  const { id: caseId } = await stack.h.waitForCase(contentId, 'awaiting_review');
  // Another case, so that a filter has something to leave out.
  const otherContent = `${contentId}-other`;
  await stack.pub.publish('content.submitted', contentMessage(otherContent, TEXT.threat));
  const { id: otherId } = await stack.h.waitForCase(otherContent, 'awaiting_review');

  const sup = await stack.openAs(browser, 'sup-1');
  const app = new AppPage(sup);
  const audit = new AuditView(sup);
  await app.goto('Audit');
  await expect(audit.rowsOf(otherId).first()).toBeVisible();
  const all = await audit.ids();
  expect(all).toEqual([...all].sort((a, b) => b - a)); // newest first

  // The short id the list shows, typed back into the filter.
  const shown = (await audit.caseLink(audit.rowsOf(caseId).first()).textContent())!.trim();
  expect(shown).toBe(caseId.slice(0, 8));
  await audit.field('Case id').fill(shown);
  await audit.apply.click();
  await expect(audit.rowsOf(otherId)).toHaveCount(0);
  await expect(audit.rows.first()).toHaveAttribute('data-case-id', caseId);
  const byShort = await audit.ids();
  expect(new Set(await audit.caseIds())).toEqual(new Set([caseId]));
  expect(byShort).toEqual([...byShort].sort((a, b) => b - a));

  // The content id alone: the same events.
  await audit.field('Case id').fill('');
  await audit.field('Content id').fill(contentId);
  await audit.apply.click();
  await expect(audit.rowsOf(otherId)).toHaveCount(0);
  await expect.poll(() => audit.ids()).toEqual(byShort);

  // Bad input is a clear message naming the field, not PostgreSQL's.
  await audit.field('Content id').fill('');
  await audit.field('Case id').fill('zz');
  await audit.apply.click();
  await expect(audit.error).toContainText('caseId');
  await expect(audit.error).not.toContainText('uuid');

  // A row opens its case.
  await audit.field('Case id').fill(shown);
  await audit.apply.click();
  await expect(audit.rows.first()).toHaveAttribute('data-case-id', caseId);
  await audit.caseLink(audit.rows.first()).click();
  await expect(new CasePage(sup).root).toHaveAttribute('data-case-id', caseId);

  // Intact first (this case's chain, then the whole log).
  await audit.verifyButton.click();
  await expect(audit.verification).toHaveAttribute('data-ok', 'true');
  await expect(audit.verification).toContainText(`case ${shown}`);

  // A superuser edits one event; verification names it.
  const { rows } = await stack.h.inst.dba<{ id: string }>(`SELECT id FROM audit_events WHERE case_id = $1 AND type = 'case.created'`, [caseId]);
  const edited = Number(rows[0]!.id);
  const { rows: original } = await stack.h.inst.dba<{ payload: unknown }>('SELECT payload FROM audit_events WHERE id = $1', [edited]);
  await stack.h.inst.dba(
    `BEGIN; SET LOCAL session_replication_role = replica;
     UPDATE audit_events SET payload = payload || '{"contentId":"something-else"}' WHERE id = ${edited}; COMMIT;`,
  );
  await sup.getByTestId('audit-close-case').click();
  await audit.field('Case id').fill('');
  await audit.apply.click();
  await audit.verifyButton.click();
  await expect(audit.verification).toHaveAttribute('data-ok', 'false');
  await expect(audit.verification).toContainText('Broken: the whole chain');
  await expect(audit.firstBroken).toHaveAttribute('data-event-id', String(edited));
  await expect(audit.firstBroken).toContainText(`#${edited}`);
  await expect(audit.firstBroken).toContainText('case.created');
  await expect(audit.firstBroken).toContainText(`case ${shown}`);
  await expect(audit.firstBroken).toContainText('edited');
  await sup.getByTestId('audit-broken-link').click();
  await expect(sup.locator(`#audit-event-${edited}`)).toBeInViewport();
  await expect(sup.locator(`#audit-event-${edited}`)).toHaveAttribute('data-broken', 'true');
  await expect(sup.locator(`#audit-event-${edited}`).getByTestId('audit-broken-mark')).toBeVisible();
  await audit.verification.scrollIntoViewIfNeeded();
  await shot(sup, 'audit-verify-light');
  await sup.getByRole('button', { name: /Switch to (dark|light) theme/ }).click();
  if ((await sup.evaluate(() => document.documentElement.dataset.theme)) !== 'dark') await sup.getByRole('button', { name: 'Switch to dark theme' }).click();
  await expect(sup.locator('html')).toHaveAttribute('data-theme', 'dark');
  await shot(sup, 'audit-verify-dark');

  // This case's chain only: broken too; the other case's is intact.
  await audit.field('Content id').fill(otherContent);
  await audit.verifyButton.click();
  await expect(audit.verification).toHaveAttribute('data-ok', 'true');
  await expect(audit.verification).toContainText(`case ${otherId.slice(0, 8)}`);
  await audit.field('Content id').fill(contentId);
  await audit.verifyButton.click();
  await expect(audit.verification).toHaveAttribute('data-ok', 'false');
  await expect(audit.firstBroken).toHaveAttribute('data-event-id', String(edited));

  // Leave the shared stack as this spec found it (the specs after it share the database and the queue): the
  // edit undone (the chain intact again) and both cases decided, so they leave the review queue.
  await stack.h.inst.dba(
    `BEGIN; SET LOCAL session_replication_role = replica; UPDATE audit_events SET payload = $1::jsonb WHERE id = ${edited}; COMMIT;`.replace('$1::jsonb', `'${JSON.stringify(original[0]!.payload).replace(/'/g, "''")}'::jsonb`),
  );
  const mod = await stack.h.as('mod-1');
  for (const id of [caseId, otherId]) {
    await mod.execute({ type: 'decide', caseId: id, decision: 'approve', reason: 'audit spec: tidy up', tool: 'cli', commandId: stack.h.cmdId() });
    await stack.h.waitForStatus(id, ['closed', 'actioned', 'auto_resolved']);
  }
  await audit.field('Content id').fill('');
  await audit.verifyButton.click();
  await expect(audit.verification).toHaveAttribute('data-ok', 'true');
});
