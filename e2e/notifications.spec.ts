// Notifications (issue 14, Must show 3): a moderator reading far down a long queue is told of an urgent
// post arriving — through the notification port (here the dev host's browser half: an in-app toast, as
// notification permission was not given), the count in the window title, and a "1 new urgent" control
// that jumps to it — while the rows being read stay where they are. Muting the kind in Settings silences
// the next one (still counted).
import type { Page } from '@playwright/test';
import { contentMessage, TEXT } from '../test/support/harness.js';
import { CasePage, QueuePage } from './pages/app.js';
import { NotificationsPage } from './pages/notifications.js';
import { expect, shot, test } from './support/stack.js';

/** The content id of the first row whose top is inside the list's viewport, and where it is. */
const topRow = (page: Page) =>
  new QueuePage(page).list.evaluate((list) => {
    const box = list.getBoundingClientRect();
    const rows = [...list.querySelectorAll<HTMLElement>('[data-testid="case-row"]')]
      .map((r) => ({ id: r.dataset.contentId!, top: r.getBoundingClientRect().top - box.top }))
      .filter((r) => r.top >= -1)
      .sort((a, b) => a.top - b.top);
    return rows[0]!;
  });

test('an urgent post arriving while the queue is scrolled: notified through the port, counted in the title, "1 new urgent" jumps to it; muting stops the next', async ({ stack, browser }) => {
  const run = `notify-${Date.now().toString(36)}`;
  // 60 normal cases waiting (straight into the read model as the DBA, as ui.spec.ts does: the pipeline
  // would take minutes on a shared machine), older than anything the pipeline brings.
  await stack.h.inst.dba(
    `INSERT INTO cases (id, content_id, author_id, text, priority, submitted_at, status, level, review_kind, verdict, severity, violation_type, version, created_at, updated_at)
     SELECT gen_random_uuid(), $1 || '-' || i, 'author-' || $1, 'Waiting case ' || i, 'normal', now(),
            'awaiting_review', 1, 'initial', 'review', 'low', 'harassment', 2,
            now() - make_interval(secs => 10000 - i), now() - make_interval(secs => 10000 - i)
       FROM generate_series(1, 60) i`,
    [run],
  );
  try {
    const page = await stack.openAs(browser, 'mod-2');
    const queue = new QueuePage(page);
    const n = new NotificationsPage(page);
    await queue.search.fill(run);
    await expect(queue.counts).toContainText(/^60 cases · 0 urgent/);
    await expect(page).toHaveTitle('Guardian Workstation');

    // Read far down the list.
    await queue.list.evaluate((el) => (el.scrollTop = 2000));
    await expect.poll(() => queue.list.evaluate((el) => el.scrollTop)).toBe(2000);
    const before = await topRow(page);

    await stack.pub.publish('content.submitted', contentMessage(`${run}-urgent-1`, `${TEXT.threat} (first)`, { priority: 'urgent' }));
    await stack.h.waitForCase(`${run}-urgent-1`, 'awaiting_review');
    await expect(queue.counts).toContainText(/^61 cases · 1 urgent/);

    // Fired through the port: the dev host's browser half, without permission, shows a toast.
    await expect(n.toasts).toHaveCount(1);
    await expect(n.toasts.first()).toContainText(`Urgent case: ${run}-urgent-1`);
    await expect(n.toasts.first()).toHaveAttribute('data-kind', 'urgent');
    expect((await n.fired()).filter((f) => f.title.includes(run))).toEqual([expect.objectContaining({ kind: 'urgent', via: 'toast', title: `Urgent case: ${run}-urgent-1` })]);
    await expect(page).toHaveTitle('(1) Guardian Workstation');
    await expect(page.getByTestId('attention-count')).toHaveText('1');

    // The viewport did not move: the row being read is where it was; the new case is above, out of view.
    await expect(n.newUrgent).toHaveText('↑ 1 new urgent');
    expect(await topRow(page)).toEqual(before);
    await expect(queue.row(`${run}-urgent-1`)).not.toBeInViewport();
    await shot(page, 'notify-new-urgent');

    // "1 new urgent" scrolls to it, selects and opens it: it is seen, the count goes.
    await n.newUrgent.click();
    await expect(queue.row(`${run}-urgent-1`)).toBeInViewport();
    await expect(queue.selected()).toHaveAttribute('data-content-id', `${run}-urgent-1`);
    await expect(new CasePage(page).root).toContainText(`${run}-urgent-1`);
    await expect(n.newUrgent).toBeHidden();
    await expect(page).toHaveTitle('Guardian Workstation');
    await expect(page.getByTestId('attention-count')).toBeHidden();
    await shot(page, 'notify-jumped');

    // Mute urgent arrivals (per person, this computer); the next one is counted but not shown.
    await n.toasts.first().getByRole('button', { name: 'Dismiss notification' }).click();
    await expect(n.toasts).toHaveCount(0);
    await n.settingsTab.click();
    await expect(n.kind('Urgent cases arriving')).toBeChecked();
    await expect(n.kind('Appeals and escalations for your role')).toHaveCount(0); // a moderator takes none
    await n.kind('Urgent cases arriving').uncheck();
    await shot(page, 'notify-settings');
    await n.queueTab.click();
    await expect(queue.counts).toContainText(/^61 cases/);
    await stack.pub.publish('content.submitted', contentMessage(`${run}-urgent-2`, `${TEXT.threat} (second)`, { priority: 'urgent' }));
    await stack.h.waitForCase(`${run}-urgent-2`, 'awaiting_review');
    await expect(queue.counts).toContainText(/^62 cases · 2 urgent/);
    await expect(page).toHaveTitle('(1) Guardian Workstation');
    await expect(n.toasts).toHaveCount(0);
    expect((await n.fired()).filter((f) => f.title.includes(run))).toHaveLength(1);
    // The mute is kept for this person on this computer.
    expect(await page.evaluate(() => localStorage.getItem('guardian.notify.muted.mod-2'))).toBe('{"urgent":true}');
    await page.context().close();
  } finally {
    await stack.h.inst.dba(`DELETE FROM cases WHERE content_id LIKE $1 || '-%'`, [run]);
  }
});

test('a supervisor who allowed desktop notifications gets one for an appeal routed to the role; a moderator gets none for it', async ({ stack, browser }) => {
  const run = `notify-sup-${Date.now().toString(36)}`;
  const sup = await stack.openAs(browser, 'sup-2');
  const mod = await stack.openAs(browser, 'mod-1');
  try {
    await sup.context().grantPermissions(['notifications'], { origin: new URL(sup.url()).origin });
    const n = new NotificationsPage(sup);
    const m = new NotificationsPage(mod);
    await expect.poll(() => sup.evaluate(() => Notification.permission)).toBe('granted');
    for (const p of [sup, mod]) await new QueuePage(p).search.fill(run);
    await expect(new QueuePage(sup).counts).toContainText(/^0 cases/);
    await expect(new QueuePage(mod).counts).toContainText(/^0 cases/);

    // An appeal arrives (straight into the read model as the DBA; the database announces the change).
    await stack.h.inst.dba(
      `INSERT INTO cases (id, content_id, author_id, text, priority, submitted_at, status, level, review_kind, verdict, severity, violation_type, version, created_at, updated_at)
       VALUES (gen_random_uuid(), $1 || '-appeal', 'author-' || $1, 'Please look again at my post', 'normal', now(), 'awaiting_review', 1, 'appeal', 'review', 'low', 'harassment', 3, now(), now())`,
      [run],
    );
    await expect(new QueuePage(sup).row(`${run}-appeal`)).toBeVisible();
    await expect.poll(async () => (await n.fired()).filter((f) => f.caseId && f.title.includes(run))).toEqual([
      expect.objectContaining({ kind: 'routed', via: 'desktop', title: `Appeal to review: ${run}-appeal` }),
    ]);
    await expect(n.toasts).toHaveCount(0); // shown on the desktop, not in the window
    await expect(sup).toHaveTitle('(1) Guardian Workstation');
    await shot(sup, 'notify-supervisor-appeal');

    // The moderator lists it too, but it is not routed to a moderator: nothing fired, nothing counted.
    await expect(new QueuePage(mod).row(`${run}-appeal`)).toBeVisible();
    expect((await m.fired()).filter((f) => f.title.includes(run))).toEqual([]);
    await expect(mod).toHaveTitle('Guardian Workstation');
    await n.settingsTab.click();
    await expect(n.kind('Appeals and escalations for your role')).toBeChecked();
  } finally {
    await sup.context().close();
    await mod.context().close();
    await stack.h.inst.dba(`DELETE FROM cases WHERE content_id LIKE $1 || '-%'`, [run]);
  }
});
