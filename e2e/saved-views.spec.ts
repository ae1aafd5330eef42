// Issue 14: saved views — the queue's filters and sort under a name, per person and shareable with the
// team. A moderator saves the current filters as a view, clears the filters, applies the view again (the
// same filters, sort and rows); a supervisor's team view shows in the moderator's picker (after `g v`) and
// applies there; the moderator is offered no "share with the team" (the database refuses it anyway:
// test/db/functions/api/saved_views.test.ts). Dev host in Chromium, real PostgreSQL and RabbitMQ. Leaves
// the stack as it found it: both views deleted through the UI, the cases it made deleted.
import { contentMessage, TEXT } from '../test/support/harness.js';
import { AppPage, QueuePage } from './pages/app.js';
import { expect, shot, test } from './support/stack.js';

test('a view saved from the filters brings back the same filters and rows; a supervisor\'s team view is offered to a moderator', async ({ stack, browser }) => {
  const run = `views-${Date.now().toString(36)}`;
  const ids = [`${run}-a`, `${run}-b`, `${run}-c`];
  await stack.pub.publish('content.submitted', contentMessage(ids[0]!, TEXT.threat));
  await stack.pub.publish('content.submitted', contentMessage(ids[1]!, `${TEXT.threat}, I mean it`));
  await stack.pub.publish('content.submitted', contentMessage(ids[2]!, TEXT.insult));
  for (const id of ids) await stack.h.waitForCase(id, 'awaiting_review');
  const { rows: kinds } = await stack.h.inst.dba<{ violation_type: string }>('SELECT violation_type FROM cases WHERE content_id = $1', [ids[0]]);
  const violation = kinds[0]!.violation_type;

  const mod = await stack.openAs(browser, 'mod-1');
  const sup = await stack.openAs(browser, 'sup-1');
  try {
    const queue = new QueuePage(mod);
    const picker = mod.getByTestId('views-picker');
    const select = (name: string) => mod.getByRole('combobox', { name, exact: true });
    const rowIds = () => queue.list.locator('[data-testid="case-row"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-content-id')));
    await expect(queue.counts).toBeVisible();

    // Filters and sort as a moderator would set them.
    await queue.search.fill(run);
    await select('Violation').selectOption(violation);
    await select('Sort').selectOption('waiting');
    await expect(queue.row(ids[0]!)).toBeVisible();
    await expect(queue.row(ids[2]!)).toBeHidden();
    const wanted = await rowIds();
    expect(wanted).toEqual(expect.arrayContaining([ids[0], ids[1]]));

    // Save them under a name: one's own (a moderator is not offered the team).
    await mod.getByTestId('views-save-open').click();
    await expect(mod.getByTestId('views-team')).toHaveCount(0);
    await mod.getByTestId('views-name').fill(`Threats ${run}`);
    await mod.getByTestId('views-save').click();
    await expect(mod.getByTestId('views-notice')).toHaveText(`Saved "Threats ${run}" as your view.`);
    await expect(picker.locator('option:checked')).toHaveText(`Threats ${run}`);

    // Clear the filters: the picker says so, the rows are others.
    await queue.search.fill('');
    await select('Violation').selectOption('any');
    await select('Sort').selectOption('priority');
    await expect(picker).toHaveValue('');
    await expect(queue.search).toHaveValue('');

    // Apply the view: the same filters, sort and rows.
    await picker.selectOption({ label: `Threats ${run}` });
    await expect(queue.search).toHaveValue(run);
    await expect(select('Violation')).toHaveValue(violation);
    await expect(select('Sort')).toHaveValue('waiting');
    await expect.poll(rowIds).toEqual(wanted);
    await shot(mod, 'saved-views');

    // A supervisor shares a view with the team.
    const supQueue = new QueuePage(sup);
    await expect(supQueue.counts).toBeVisible();
    await supQueue.search.fill(run);
    await sup.getByRole('combobox', { name: 'Severity', exact: true }).selectOption('any');
    await sup.getByTestId('views-save-open').click();
    await sup.getByTestId('views-name').fill(`Team ${run}`);
    await sup.getByTestId('views-team').check();
    await sup.getByTestId('views-save').click();
    await expect(sup.getByTestId('views-notice')).toHaveText(`Saved "Team ${run}" as a team view.`);

    // The moderator finds it under "Team" (g v reads the list again and focuses the picker) and applies it.
    await new AppPage(mod).press('g');
    await mod.keyboard.press('v');
    await expect(picker).toBeFocused();
    await expect(picker.locator('optgroup[label="Team"] option', { hasText: `Team ${run}` })).toHaveCount(1);
    await picker.selectOption({ label: `Team ${run}` });
    await expect(queue.search).toHaveValue(run);
    await expect(select('Violation')).toHaveValue('any');
    await expect(queue.row(ids[2]!)).toBeVisible();
    // Not the moderator's to delete.
    await expect(mod.getByTestId('views-delete')).toHaveCount(0);
    await shot(mod, 'saved-views-team');

    // Clean up through the UI: the moderator deletes their own, the supervisor the team's.
    await picker.selectOption({ label: `Threats ${run}` });
    await mod.getByTestId('views-delete').click();
    await expect(mod.getByTestId('views-notice')).toHaveText(`Deleted the view "Threats ${run}".`);
    await expect(sup.getByTestId('views-picker').locator('option:checked')).toHaveText(`Team ${run}`);
    await sup.getByTestId('views-delete').click();
    await expect(sup.getByTestId('views-notice')).toHaveText(`Deleted the view "Team ${run}".`);
    const { rows: left } = await stack.h.inst.dba<{ n: string }>('SELECT count(*) AS n FROM saved_views');
    expect(Number(left[0]!.n)).toBe(0);
  } finally {
    await mod.context().close();
    await sup.context().close();
    await stack.h.inst.dba(`DELETE FROM saved_views WHERE name LIKE '%' || $1`, [run]);
    await stack.h.inst.dba(`DELETE FROM cases WHERE content_id LIKE $1 || '-%'`, [run]);
  }
});
