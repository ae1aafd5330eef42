import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.js';
import { createCore, type Core } from '../../src/core/core.js';
import type { Logger } from '../../src/core/ports.js';
import { TEXT } from '../support/harness.js';
import { waitFor } from '../support/isolation.js';
import { startConfirmProxy, type ConfirmProxy } from './support/confirm-proxy.js';
import { checkInvariants, publishAll, startRig, waitSettled, type Rig } from './support/rig.js';

// A moderator's decision is committed; its job hint (basic.publish) reaches the broker, then the link
// dies before the confirm comes back. The client must treat the missing confirm as "unknown" and resend
// by command id (DESIGN §5); the worker applies the command once. No server is stopped here: the shared
// servers, through a proxy in front of the broker for the moderator's core only.
let rig: Rig;
let proxy: ConfirmProxy;
let station: Core;
let stopReturned: boolean | undefined;
const logs: Array<{ level: string; msg?: string; obj: Record<string, unknown> }> = [];

function recordingLogger(bindings: Record<string, unknown> = {}): Logger {
  const rec = (level: string) => (obj: object, msg?: string) => void logs.push({ level, msg, obj: { ...bindings, ...obj } });
  return { debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error'), child: (b) => recordingLogger({ ...bindings, ...b }) };
}

beforeAll(async () => {
  rig = await startRig();
  const u = new URL(rig.amqpUrl);
  proxy = await startConfirmProxy({ host: u.hostname, port: Number(u.port || 5672) });
  // The moderator's own core (no worker role), whose broker link goes through the proxy.
  station = await createCore({ config: loadConfig({ ...rig.env, DATABASE_URL: rig.people['mod-1']!.url, AMQP_URL: proxy.url(rig.amqpUrl), PLATFORM_URL: '', PLATFORM_WEBHOOK_SECRET: '' }), logger: recordingLogger(), worker: false });
  await station.start();
}, 120_000);
afterAll(async () => {
  proxy?.heal();
  if (!stopReturned) await station?.stop().catch(() => {});
  await proxy?.close();
  await rig?.close();
});

it('a lost publisher confirm: the job hint is resent by id and the decision applied once', async () => {
  await publishAll(rig.amqpUrl, [{ contentId: 'lostconfirm-1', text: TEXT.threat }]);
  const c = await waitFor(async () => (await rig.reader.query(`SELECT id FROM cases WHERE content_id = 'lostconfirm-1' AND status = 'awaiting_review'`)).rows[0], {
    timeoutMs: 60_000,
    message: 'the case awaiting review',
  });
  const session = await station.openSession({ login: rig.people['mod-1']!.login, password: rig.people['mod-1']!.password, tool: 'cli' });
  const commandId = randomUUID();
  const cut = proxy.armAfterNextPublish();
  const result = await session.execute({ type: 'decide', caseId: c.id, decision: 'remove', reason: 'threat', tool: 'cli', commandId });
  await cut;
  expect(result).toMatchObject({ commandId, status: 'accepted' });
  // The confirm never came: the client says so and resends in the background.
  expect(logs.some((l) => l.msg === 'job hint not confirmed; resending in the background' && l.obj.commandId === commandId)).toBe(true);
  // The first hint reached the broker: the worker applies the decision while the link is still dead.
  await waitFor(async () => (await rig.reader.query(`SELECT status FROM commands WHERE id = $1`, [commandId])).rows[0]?.status === 'applied', {
    timeoutMs: 60_000,
    message: 'the command applied',
  });
  proxy.heal();
  await waitFor(() => logs.some((l) => l.msg === 'job hint resent and confirmed' && l.obj.commandId === commandId), { timeoutMs: 90_000, message: 'the hint resent by id and confirmed' });
  // The resent hint is delivered too and finds the command applied: nothing runs twice.
  await waitSettled(rig, ['lostconfirm-1']);
  const inv = await checkInvariants(rig, ['lostconfirm-1']);
  expect(inv).toMatchObject({ lost: [], duplicatedEffects: [], stuckCommands: [], stuckCases: [], auditOk: true });
  expect(rig.stub.requests.filter((r) => r.kind === 'remove_content').map((r) => r.status)).toEqual([200]);
  const { rows } = await rig.reader.query(`SELECT kind, status FROM actions WHERE case_id = $1`, [c.id]);
  expect(rows).toEqual([{ kind: 'remove_content', status: 'done' }]);
  await session.close();
}, 240_000);

it("the moderator's core stops cleanly after the lost confirm", async () => {
  // First the station's live events flow again on its new connection (its channels are all set up again):
  // a new case's update reaches it.
  const seen = new Promise<void>((resolve) => {
    const off = station.onEvent((e) => {
      if (e.type === 'case.updated') {
        off();
        resolve();
      }
    });
  });
  await publishAll(rig.amqpUrl, [{ contentId: 'lostconfirm-2', text: TEXT.clean }]);
  await seen;
  await station.stop();
  stopReturned = true;
}, 60_000);
