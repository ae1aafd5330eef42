import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ConnectionState, CoreEvent } from '../../src/core/api.js';
import { waitFor } from '../support/isolation.js';
import { contentMessage, plainPublisher, startHarness, TEXT, type Harness } from '../support/harness.js';

const run = promisify(execFile);
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

it('reconnects after the broker drops its connections, re-declares the topology and goes on consuming', async () => {
  const states: ConnectionState[] = [];
  h.core.onEvent((e: CoreEvent) => {
    if (e.type === 'connection.changed') states.push(e.state);
  });
  const pub = await plainPublisher(h.vhost.url);
  await pub.publish('content.submitted', contentMessage('before-drop', TEXT.clean));
  await h.waitForCase('before-drop', 'auto_resolved');
  await pub.close();

  // What a broker restart or a network cut looks like to the client: every connection closed.
  await run('rabbitmqctl', ['close_all_connections', '-p', h.vhost.vhost, 'test: simulated broker outage']);
  await waitFor(() => states.some((s) => s.broker === 'down'), { message: 'broker shown down' });
  await waitFor(() => h.core.connection().broker === 'up', { timeoutMs: 30_000, message: 'broker reconnected' });

  const again = await plainPublisher(h.vhost.url);
  await again.publish('content.submitted', contentMessage('after-drop', TEXT.threat));
  await again.close();
  const c = await h.waitForCase('after-drop', 'awaiting_review');
  // Publishing (decision jobs) works on the new connection too.
  await (await h.as('mod-1')).execute({ type: 'decide', caseId: c.id, decision: 'remove', reason: 'threat', tool: 'cli', commandId: h.cmdId() });
  await h.waitForStatus(c.id, 'actioned');
  expect(h.kinds(c.id)).toEqual(['remove_content']);
});
