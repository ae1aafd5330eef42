// Issue 14, "Bulk actions": a supervisor removes 50 cases of a spam wave at once. The 50 come through the
// real pipeline (broker, worker, rules classifier) with a unique prefix and are chosen by the current filter
// (search), after a hand-picked selection (checkbox and `s`) is tried and cleared. Two cannot be decided:
// one claimed by mod-1, one already decided by mod-2 — the preview says "48 … removed, 2 skipped because …"
// with each reason; the job shows its progress and a result per case (no silent skips), every case through
// api.decide_case with its own command id 'bulk:<batch>:<case>'; then "Undo batch" rolls back each of the
// 48 through api.rollback_case, with its own results. As it found it: the 48 return at level 2 (sup-1 may not
// take them, four-eyes) and sup-2 decides them; mod-1 decides its claimed case.
import { contentMessage, TEXT } from '../test/support/harness.js';
import { QueuePage } from './pages/app.js';
import { expect, shot, test } from './support/stack.js';

test.setTimeout(240_000);

test('a supervisor bulk-removes 50 cases (2 skipped with why), sees progress and per-case results, then undoes the batch', async ({ stack, browser }) => {
  const run = `bulk-${Date.now().toString(36)}`;
  const ids = Array.from({ length: 50 }, (_, i) => `${run}-${String(i).padStart(2, '0')}`);
  for (const [i, id] of ids.entries()) await stack.pub.publish('content.submitted', contentMessage(id, `${TEXT.insult} (${i})`));
  const cases = new Map<string, string>();
  for (const id of ids) cases.set(id, (await stack.h.waitForCase(id, 'awaiting_review')).id);
  const [claimedId, decidedId] = [ids[7]!, ids[23]!];
  const mod1 = await stack.h.as('mod-1');
  await mod1.execute({ type: 'claim', caseId: cases.get(claimedId)!, commandId: stack.h.cmdId(), tool: 'cli' });
  const mod2 = await stack.h.as('mod-2');
  const d = (await stack.h.caseByContent(decidedId))!;
  await mod2.execute({ type: 'decide', caseId: d.id, decision: 'approve', reason: 'not spam', tool: 'cli', commandId: stack.h.cmdId(), expectedVersion: d.version });

  try {
    const page = await stack.openAs(browser, 'sup-1');
    const queue = new QueuePage(page);
    await queue.status().selectOption('all');
    await queue.search.fill(run);
    await expect(queue.counts).toContainText(/^50 cases/);
    const bar = page.getByTestId('bulk-bar');
    await expect(bar.getByTestId('bulk-selected')).toHaveText('0');

    // By hand: a row's checkbox, and `s` on the highlighted row (keyboard navigation still moves with j).
    await queue.row(ids[0]!).getByTestId('row-check').check();
    await expect(bar.getByTestId('bulk-selected')).toHaveText('1');
    // j highlights the list's first row; the order is the queue's priority order (50 cases of one kind, made
    // by a batching worker: not necessarily in publish order), so the row it lands on may be the one checked
    // by hand — then one j more. The highlight is waited for, never assumed.
    await queue.list.focus();
    await page.keyboard.press('j');
    await expect(queue.selected()).toHaveCount(1);
    if ((await queue.selected().getAttribute('data-content-id')) === ids[0]) {
      await page.keyboard.press('j');
      await expect(queue.selected()).not.toHaveAttribute('data-content-id', ids[0]!);
    }
    await page.keyboard.press('s');
    await expect(bar.getByTestId('bulk-selected')).toHaveText('2');
    await expect(queue.selected().getByTestId('row-check')).toBeChecked();
    await shot(page, 'bulk-hand-selection');
    await bar.getByRole('button', { name: 'Clear' }).click();
    await expect(bar.getByTestId('bulk-selected')).toHaveText('0');

    // By the filter: all 50, previewed by the database's state of each case.
    await bar.getByTestId('bulk-open-filter').click();
    const panel = page.getByTestId('bulk-panel');
    const summary = panel.getByTestId('bulk-preview-summary');
    await expect(summary).toContainText('48 cases will be removed, 2 skipped because:');
    await expect(summary).toContainText('1 claimed by someone else');
    await expect(summary).toContainText('1 already decided / not awaiting review');
    const skips = panel.getByTestId('bulk-skip');
    await expect(skips).toHaveCount(2);
    await expect(panel.locator(`[data-testid="bulk-skip"][data-content-id="${claimedId}"]`)).toContainText('claimed by someone else (mod-1)');
    await expect(panel.locator(`[data-testid="bulk-skip"][data-content-id="${decidedId}"]`)).toHaveAttribute('data-skip', 'not_awaiting');
    await expect(panel.getByTestId('bulk-run')).toBeDisabled();
    await panel.getByTestId('bulk-reason').fill('spam wave: the same insult from 50 posts');
    await shot(page, 'bulk-preview');
    await panel.getByTestId('bulk-run').click();

    // The job: progress, then one result per case.
    const job = panel.getByTestId('bulk-job');
    await expect(job).toHaveAttribute('data-state', 'finished', { timeout: 120_000 });
    await expect(job.getByTestId('bulk-job-counts')).toContainText('50 / 50 · 48 done · 2 skipped · 0 failed');
    await expect(job.locator('[data-testid="bulk-result"][data-outcome="done"]')).toHaveCount(48);
    await expect(job.locator(`[data-testid="bulk-result"][data-content-id="${claimedId}"]`)).toHaveAttribute('data-outcome', 'skipped');
    await expect(job.locator(`[data-testid="bulk-result"][data-content-id="${claimedId}"]`)).toContainText('claimed by someone else (mod-1)');
    await expect(job.locator(`[data-testid="bulk-result"][data-content-id="${decidedId}"]`)).toHaveAttribute('data-outcome', 'skipped');
    await shot(page, 'bulk-job-results');

    // Each case went through the normal command path: a decide command of its own, by sup-1, with the batch id.
    const { rows: cmds } = await stack.h.inst.dba<{ id: string; actor: string; type: string; content_id: string }>(
      `SELECT m.id, m.actor, m.type, c.content_id FROM commands m JOIN cases c ON c.id = m.case_id WHERE c.content_id LIKE $1 AND m.id LIKE 'bulk:%'`,
      [`${run}-%`],
    );
    expect(cmds).toHaveLength(48);
    const batch = cmds[0]!.id.split(':')[1]!;
    for (const c of cmds) expect(c).toMatchObject({ id: `bulk:${batch}:${cases.get(c.content_id)}`, actor: 'sup-1', type: 'decide' });
    expect(cmds.map((c) => c.content_id)).not.toContain(claimedId);

    // Undo the batch: a rollback per actioned case (the job waits for the worker to have carried each out).
    await panel.getByTestId('bulk-undo-reason').fill('the wave was satire: restore them');
    await panel.getByTestId('bulk-undo').click();
    const undo = panel.getByTestId('bulk-undo-job');
    await expect(undo).toHaveAttribute('data-state', 'finished', { timeout: 150_000 });
    await expect(undo.getByTestId('bulk-undo-job-counts')).toContainText('48 / 48 · 48 done · 0 skipped · 0 failed');
    await expect(undo.locator('[data-testid="bulk-result"][data-outcome="done"]')).toHaveCount(48);
    await shot(page, 'bulk-undo-results');
    const { rows: rollbacks } = await stack.h.inst.dba<{ n: number }>(
      `SELECT count(*)::int AS n FROM commands m JOIN cases c ON c.id = m.case_id WHERE c.content_id LIKE $1 AND m.type = 'rollback' AND m.actor = 'sup-1' AND m.id LIKE 'bulk:%'`,
      [`${run}-%`],
    );
    expect(rollbacks[0]!.n).toBe(48);
    // Reversed by the worker: back at level 2, and sup-1 (who decided them) is excluded (four-eyes).
    for (const id of ids) if (id !== claimedId && id !== decidedId) await stack.h.waitForStatus(cases.get(id)!, 'awaiting_review', 60_000);
    const { rows: back } = await stack.h.inst.dba<{ level: number; excluded: string[] }>(
      `SELECT DISTINCT level, excluded_deciders AS excluded FROM cases WHERE content_id LIKE $1 AND review_kind = 'rollback'`,
      [`${run}-%`],
    );
    expect(back).toEqual([{ level: 2, excluded: ['sup-1'] }]);
    await panel.getByTestId('bulk-close').click();
    await expect(panel).toHaveCount(0);
    await page.context().close();
  } finally {
    // As it found it: every case of this spec decided (sup-2 takes the level-2 reviews; mod-1 its claimed case).
    const sup2 = await stack.h.as('sup-2');
    for (const id of ids) {
      const c = (await stack.h.caseByContent(id))!;
      if (c.status !== 'awaiting_review') continue;
      const who = id === claimedId ? mod1 : sup2;
      await who.execute({ type: 'decide', caseId: c.id, decision: 'approve', reason: 'bulk spec, done', tool: 'cli', commandId: stack.h.cmdId(), expectedVersion: c.version });
    }
    for (const id of ids) await stack.h.waitForStatus(cases.get(id)!, ['auto_resolved', 'actioned', 'closed'], 60_000);
  }
});
