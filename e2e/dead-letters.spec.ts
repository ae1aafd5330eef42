// Must show 3 (issue 15): a malformed message and a poison message reach guardian.dead; the worker takes them
// into the database; the admin's "Dead letters" console shows them with their reasons; the replay of the fixed
// one (after the cause is gone) creates its case once; the discard removes the other; the audit shows both.
// A moderator has no such view. Dev host in Chromium, real PostgreSQL and RabbitMQ. Leaves the stack clean:
// the replayed content is clean (auto-resolved, in nobody's queue) and the other is discarded.
import { randomUUID } from 'node:crypto';
import { contentMessage, TEXT } from '../test/support/harness.js';
import { waitFor } from '../test/support/isolation.js';
import { AppPage } from './pages/app.js';
import { AuditView } from './pages/audit.js';
import { DeadLettersPage } from './pages/dead-letters.js';
import { expect, shot, test } from './support/stack.js';

test('dead letters: shown with reasons, inspected, one replayed after the fix (one case), one discarded, both audited', async ({ stack, browser }) => {
  const { h } = stack;
  const tag = Date.now().toString(36);
  const poisonId = `poison-e2e-${tag}`;
  const marker = `not json ${tag} ${randomUUID().slice(0, 8)}`;
  // "The bug": this content's ingest fails until the trigger is dropped (the fix).
  await h.inst.dba(`CREATE OR REPLACE FUNCTION public.e2e_poison_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.content_id LIKE 'poison-e2e-%' THEN RAISE EXCEPTION 'simulated ingest bug for %', NEW.content_id; END IF; RETURN NEW; END $$`);
  await h.inst.dba('CREATE TRIGGER e2e_poison_guard BEFORE INSERT ON cases FOR EACH ROW EXECUTE FUNCTION public.e2e_poison_guard()');
  try {
    await stack.pub.publish('content.submitted', Buffer.from(`{${marker}`));
    await stack.pub.publish('content.submitted', contentMessage(poisonId, TEXT.clean));
    const admin = await h.api();
    await waitFor(
      async () => {
        const list = await admin.deadLetters.list();
        return list.some((d) => d.excerpt.includes(marker)) && list.some((d) => d.excerpt.includes(poisonId));
      },
      { timeoutMs: 60_000, message: 'both dead letters recorded' },
    );
  } finally {
    await h.inst.dba('DROP TRIGGER IF EXISTS e2e_poison_guard ON cases');
  }
  const list = await (await h.api()).deadLetters.list();
  const malformed = list.find((d) => d.excerpt.includes(marker))!;
  const poison = list.find((d) => d.excerpt.includes(poisonId))!;

  // A moderator has no dead letters view.
  const mod = await stack.openAs(browser, 'mod-1');
  await expect(new AppPage(mod).tab('Queue')).toBeVisible();
  await expect(new DeadLettersPage(mod).tab).toHaveCount(0);

  const page = await stack.openAs(browser, 'admin-1');
  const dl = new DeadLettersPage(page);
  await dl.tab.click();
  await expect(dl.row(poison.id)).toBeVisible();
  await expect(dl.row(malformed.id)).toBeVisible();
  await expect(dl.row(malformed.id).getByTestId('dl-reason')).toContainText('malformed JSON');
  await expect(dl.row(poison.id).getByTestId('dl-reason')).toContainText('gave up after 5 attempts');
  await expect(dl.row(poison.id)).toContainText('guardian.ingest');
  await expect(dl.row(poison.id)).toContainText('content.submitted');
  await expect(dl.row(poison.id)).toContainText(poisonId);
  await shot(page, 'dead-letters-list');

  // Inspect one: the whole body and what it was.
  await dl.open(poison.id).click();
  await expect(dl.inspect).toContainText(`Dead letter ${poison.id}`);
  await expect(dl.body).toContainText(`"contentId":"${poisonId}"`);
  await expect(dl.inspect).toContainText('simulated ingest bug');
  await shot(page, 'dead-letters-inspect');

  // Replay the fixed one, after the confirmation.
  await dl.select(poison.id).check();
  await dl.replay.click();
  await expect(dl.confirmDialog).toContainText('Replay 1 dead letter?');
  await shot(page, 'dead-letters-confirm-replay');
  await dl.confirm.click();
  await expect(dl.last).toContainText(`Replay of ${poison.id} sent to the worker`);
  // Pending until the worker carried it out; then it leaves the pending list.
  await expect(dl.row(poison.id)).toHaveCount(0, { timeout: 30_000 });
  await h.waitForCase(poisonId, 'auto_resolved');
  const { rows: n } = await h.inst.dba<{ n: number }>('SELECT count(*)::int AS n FROM cases WHERE content_id = $1', [poisonId]);
  expect(n[0]!.n).toBe(1);

  // Discard the other.
  await dl.select(malformed.id).check();
  await dl.discard.click();
  await expect(dl.confirmDialog).toContainText('Discard 1 dead letter?');
  await dl.confirm.click();
  await expect(dl.row(malformed.id)).toHaveCount(0);
  await dl.show.selectOption('all');
  await expect(dl.state(poison.id)).toHaveText('replayed');
  await expect(dl.state(malformed.id)).toHaveText('discarded');
  await shot(page, 'dead-letters-done');

  // The audit shows both actions, by the admin (and the worker's replay).
  await new AppPage(page).goto('Audit');
  const audit = new AuditView(page);
  for (const type of ['dead_letter.replay_requested', 'dead_letter.replayed', 'dead_letter.discarded']) {
    await audit.field('Event type').fill(type);
    await audit.apply.click();
    await expect(audit.rows.first()).toContainText(type);
    await expect(audit.rows.first().getByTestId('audit-detail')).toContainText(type === 'dead_letter.discarded' ? String(malformed.id) : String(poison.id));
  }
  await shot(page, 'dead-letters-audit');
  await h.inst.dba('DROP FUNCTION IF EXISTS public.e2e_poison_guard()');
});
