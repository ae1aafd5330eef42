// Two seats of one login in one process (two dev-host tabs; the CI failure of 2026-12-02): both seats use
// the login's one outbox. A command saved in one seat may be delivered by the other's relay; every seat
// must still hear it go pending → applied, and the command is applied once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import type { OutboxEntry } from '../../src/core/offline/local-store.js';
import { shareLocalStore } from '../../src/core/offline/local-store.js';
import { createSessionHost, type SessionHost } from '../../src/core/session/session-host.js';
import { contentMessage, plainPublisher, startHarness, TEXT, USERS, type Harness } from '../support/harness.js';
import { waitFor } from '../support/isolation.js';

let h: Harness;
let dataDir: string;
const hosts: SessionHost[] = [];

beforeAll(async () => {
  h = await startHarness();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-shared-outbox-'));
});
afterAll(async () => {
  for (const host of hosts) await host.stop();
  await h?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

it('a store is shared per data dir while anyone holds it, and closed after the last release', () => {
  const dir = path.join(dataDir, 'share-check');
  const a = shareLocalStore(dir);
  const b = shareLocalStore(path.join(dir, '.'));
  expect(b.store).toBe(a.store);
  a.release();
  a.release(); // a second release of one handle does not close the store under b
  expect(b.store.outbox.active()).toEqual([]);
  b.release();
  const c = shareLocalStore(dir);
  expect(c.store).not.toBe(a.store);
  c.release();
});

it('a decision saved in one seat is heard as applied in both seats of the login, and applied once', async () => {
  const mod1 = h.people[USERS.mod1]!;
  const seat = async () => {
    const host = createSessionHost({ core: h.core, logger: silentLogger, dataDir, outbox: true, initial: { login: mod1.login, password: mod1.password } });
    hosts.push(host);
    await host.start();
    const s = host.current()!;
    const heard: OutboxEntry[] = [];
    s.workstation!.onOutboxChange((e) => heard.push(e));
    return { s, heard };
  };
  const a = await seat();
  const b = await seat();

  const pub = await plainPublisher(h.vhost.url);
  const contentId = `shared-outbox-${Date.now().toString(36)}`;
  await pub.publish('content.submitted', contentMessage(contentId, TEXT.insult));
  await pub.close();
  const c = await h.waitForCase(contentId, 'awaiting_review');

  // The race the e2e run lost, made certain: the other seat's relay delivers B's command. (B's relay is
  // stopped; its listeners stay, as a tab's do while another tab's relay happens to run first.)
  b.s.workstation!.stop();
  const saved = b.s.workstation!.submit({ type: 'decide', caseId: c.id, decision: 'warn', reason: 'insult, from the second tab', expectedVersion: c.version, commandId: h.cmdId() });
  expect(saved.state).toBe('pending');
  void a.s.workstation!.kick();
  for (const seatOf of [a, b])
    await waitFor(() => seatOf.heard.some((e) => e.id === saved.id && e.state === 'applied'), { timeoutMs: 30_000, message: 'applied heard by every seat' });
  expect(a.s.workstation!.outbox().find((e) => e.id === saved.id)?.state).toBe('applied');
  await h.waitForStatus(c.id, 'actioned');
  const { rows } = await h.inst.dba<{ n: number }>("SELECT count(*)::int AS n FROM commands WHERE case_id = $1 AND type = 'decide'", [c.id]);
  expect(rows).toEqual([{ n: 1 }]);
  expect(h.kinds(c.id)).toEqual(['warn_user']);
});
