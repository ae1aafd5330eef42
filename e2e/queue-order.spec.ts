// Issue 14, "Order and time": in priority order a critical threat comes above the medium insults that
// waited longer (urgency, severity, SLA deadline, age: src/shared/queue-order.ts), and every row and the
// open case count their SLA down — amber when due soon, red when overdue, said in words too — on one
// ticking clock in the renderer, without reading the list again. The cases come through the real pipeline
// (broker, worker, rules classifier); the deadlines of two are moved by the DBA (minutes a real queue would
// take to get there). The spec decides every case it made, so the queue is as it found it.
import type { Page } from '@playwright/test';
import { contentMessage, TEXT } from '../test/support/harness.js';
import { CasePage, QueuePage } from './pages/app.js';
import { expect, shot, test } from './support/stack.js';

/** Counts the page's list reads for `tag`, and can hold the server's live pushes (case:updated, queue:changed). */
async function watchSocket(page: Page, tag: string) {
  const seen = { lists: 0 };
  let frozen = false;
  await page.routeWebSocket(/\/ws/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((m) => {
      const msg = JSON.parse(String(m)) as { name?: string; input?: { search?: string } };
      if (msg.name === 'cases:list' && msg.input?.search === tag) seen.lists++;
      server.send(m);
    });
    server.onMessage((m) => {
      if (!(frozen && /"event":"(case:updated|queue:changed)"/.test(String(m)))) ws.send(m);
    });
  });
  await page.reload();
  return { seen, freeze: (on: boolean) => (frozen = on) };
}

test('priority order puts a critical threat above older medium insults; rows and the case count their SLA down, amber then red', async ({ stack, browser }) => {
  const run = `ord-${Date.now().toString(36)}`;
  const ids = [`${run}-insult-a`, `${run}-insult-b`, `${run}-insult-c`, `${run}-threat`];
  // The insults first (they wait longest), the threat last.
  for (const [i, id] of ids.slice(0, 3).entries()) {
    await stack.pub.publish('content.submitted', contentMessage(id, `${TEXT.insult} (${i})`));
    await stack.h.waitForCase(id, 'awaiting_review');
  }
  // A threat with a weapon against everyone: critical (the rules classifier, src/core/classify/frames.ts).
  await stack.pub.publish('content.submitted', contentMessage(ids[3]!, 'I have a gun and I will shoot everyone at school tomorrow'));
  await stack.h.waitForCase(ids[3]!, 'awaiting_review');
  const { rows: analysed } = await stack.h.inst.dba<{ content_id: string; severity: string }>(
    'SELECT content_id, severity FROM cases WHERE content_id = ANY($1) ORDER BY created_at',
    [ids],
  );
  expect(analysed.map((r) => r.severity)).toEqual(['medium', 'medium', 'medium', 'critical']);

  try {
    const page = await stack.openAs(browser, 'mod-1');
    const socket = await watchSocket(page, run);
    const queue = new QueuePage(page);
    await queue.search.fill(run);
    const rows = queue.list.getByTestId('case-row');
    await expect(queue.counts).toContainText(/^4 cases/);
    // The threat, newest, first; then the insults, soonest deadline (oldest) first.
    await expect.poll(() => rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-content-id')))).toEqual([ids[3], ids[0], ids[1], ids[2]]);
    // Every row counts down: the threat has 30 of its minutes (critical: half the 60-minute base), the insults 60.
    const sla = (id: string) => queue.row(id).getByTestId('sla');
    await expect(sla(ids[3]!)).toHaveText(/^(29|30)m left$/);
    await expect(sla(ids[3]!)).toHaveAttribute('data-sla', 'ok');
    await expect(sla(ids[3]!)).toHaveAttribute('aria-label', /^SLA (29|30) minutes left$/);
    for (const id of ids.slice(0, 3)) await expect(sla(id)).toHaveText(/^5\dm left$/);

    // Insult c is due in 10 minutes of its hour (amber, and now before a and b); insult b in a few seconds.
    await stack.h.inst.dba(
      `UPDATE cases SET created_at = now() - interval '50 minutes', updated_at = now(), version = version + 1,
              sla_due_at = date_trunc('milliseconds', now() + CASE content_id WHEN $2 THEN interval '10 minutes' ELSE interval '6 seconds' END)
        WHERE content_id = ANY($1)`,
      [[ids[1], ids[2]], ids[2]],
    );
    await expect(sla(ids[2]!)).toHaveText(/^⚠ (9|10)m left$/);
    await expect(sla(ids[2]!)).toHaveAttribute('data-sla', 'soon');
    await expect(sla(ids[2]!)).toHaveAttribute('aria-label', /, due soon$/);
    await expect(sla(ids[1]!)).toHaveText(/^⚠ \ds left$/);
    await expect.poll(() => rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-content-id')))).toEqual([ids[3], ids[1], ids[2], ids[0]]);

    // From here nothing reaches the page from the server: insult b turns red on the page's own clock.
    socket.freeze(true);
    const listsBefore = socket.seen.lists;
    await expect(sla(ids[1]!)).toHaveText(/^⚠ overdue \ds$/, { timeout: 15_000 });
    await expect(sla(ids[1]!)).toHaveAttribute('data-sla', 'overdue');
    await expect(sla(ids[1]!)).toHaveAttribute('aria-label', /^SLA overdue by \d seconds?$/);
    expect(socket.seen.lists).toBe(listsBefore);
    await shot(page, 'queue-order-sla');

    // The open case shows its countdown too.
    await queue.row(ids[3]!).click();
    const view = new CasePage(page);
    await expect(view.root.getByTestId('sla')).toHaveText(/^(29|30)m left$/);
    await shot(page, 'queue-order-case-sla');
    socket.freeze(false);
    await page.context().close();
  } finally {
    // As it found it: a supervisor decides each (insult b may have been escalated to level 2 by now).
    const sup = await stack.h.as('sup-1');
    for (const id of ids) {
      const c = (await stack.h.caseByContent(id)) as { id: string; version: number };
      await sup.execute({ type: 'decide', caseId: c.id, decision: 'approve', reason: 'queue-order spec, done', tool: 'cli', commandId: stack.h.cmdId(), expectedVersion: c.version });
    }
    for (const id of ids) await stack.h.waitForStatus((await stack.h.caseByContent(id))!.id, ['auto_resolved', 'actioned', 'closed']);
  }
});
