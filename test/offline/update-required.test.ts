// Issue 13: a decision delivered by the outbox from a workstation older than the team's minimum version is
// refused by the database (nothing recorded) — it stays pending in order, with the reason on the entry for
// the UI ("Update required"), and goes with the same id once the client may send again.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { contentMessage, plainPublisher, startHarness, TEXT, USERS, type Harness } from '../support/harness.js';
import { waitFor } from '../support/isolation.js';
import { startWorkstation, type TestWorkstation } from './support.js';

let h: Harness;
let w: TestWorkstation;
beforeAll(async () => {
  h = await startHarness();
  w = await startWorkstation(h, USERS.mod1);
});
afterAll(async () => {
  await w?.close();
  await h?.close();
});

async function setMinimum(version: string | null) {
  const admin = await h.as(USERS.admin);
  const { rows } = await admin.db.query<{ r: { outcome: string } }>("SELECT api.set_minimum_version($1, $2, 'cli') AS r", [version, h.cmdId()]);
  expect(rows[0]!.r.outcome).toBe('applied');
}

it('an outbox decision from an older client stays pending with update_required, nothing recorded, and is applied once the minimum allows it', async () => {
  const pub = await plainPublisher(h.vhost.url);
  const contentId = `update-required-${h.cmdId()}`;
  await pub.publish('content.submitted', contentMessage(contentId, TEXT.insult));
  await pub.close();
  const c = await h.waitForCase(contentId, 'awaiting_review');

  await setMinimum('99.0.0');
  const saved = w.ws.submit({ type: 'decide', caseId: c.id, decision: 'warn', reason: 'insult, sent by an old build', expectedVersion: c.version, commandId: h.cmdId() });
  await waitFor(() => w.store.outbox.get(saved.id)?.error?.code === 'update_required', { timeoutMs: 30_000, message: 'refused for the version' });
  const entry = w.store.outbox.get(saved.id)!;
  expect(entry.state).toBe('pending');
  expect(entry.error?.details).toMatchObject({ minimumVersion: '99.0.0' });
  const none = await h.inst.dba('SELECT 1 FROM commands WHERE id = $1', [saved.id]);
  expect(none.rows).toHaveLength(0);
  const still = await h.inst.dba<{ status: string; version: number }>('SELECT status, version FROM cases WHERE id = $1', [c.id]);
  expect(still.rows[0]).toEqual({ status: 'awaiting_review', version: c.version });

  // The admin lowers the minimum (in real life: this workstation was updated): the same command goes through.
  await setMinimum(null);
  await w.waitForState(saved.id, 'applied');
  expect(w.store.outbox.get(saved.id)?.error).toBeNull();
  await h.waitForStatus(c.id, 'actioned');
  expect(h.kinds(c.id)).toEqual(['warn_user']);
});
