// Issue 12, must show 3, in the real UI (dev host as its own process through fault proxies, as in
// offline.spec.ts): a restart with both servers blackholed opens on the cache with the offline banner; a
// corrupt local store is moved aside, named in the UI and the log, and a fresh one used; user-supplied
// strings carrying bidi controls are isolated (<bdi dir="auto"> / dir="auto").
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { contentMessage, TEXT } from '../test/support/harness.js';
import { AppPage, CasePage, QueuePage } from './pages/app.js';
import { OfflinePage } from './pages/offline.js';
import { expect, test, type HostProcess } from './support/offline-stack.js';
import { shot } from './support/stack.js';

test.describe.configure({ mode: 'serial' });

const tag = Date.now().toString(36);
let host: HostProcess | undefined;
const pages = (page: Page) => ({ app: new AppPage(page), queue: new QueuePage(page), view: new CasePage(page), off: new OfflinePage(page) });

test('restarted with both servers blackholed, the UI is usable on the cache with the offline banner', async ({ offlineStack: offline, browser }) => {
  test.setTimeout(180_000);
  const contentId = `restart-ui-${tag}`;
  await offline.pub.publish('content.submitted', contentMessage(contentId, TEXT.threat));
  await offline.h.waitForCase(contentId, 'awaiting_review');

  host = await offline.startHost();
  const page = await (await browser.newContext()).newPage();
  await page.goto(host.url);
  const { app, queue, off } = pages(page);
  await expect(app.database).toContainText('Database: up');
  await expect(queue.row(contentId)).toBeVisible(); // cached while online

  host.child.kill('SIGKILL');
  await host.exited;
  offline.route('blackhole');
  const spawned = Date.now();
  host = await offline.startHost();
  const listening = Date.now() - spawned;
  await page.goto(host.url);
  await expect(app.user).toContainText('mod-1', { timeout: 60_000 });
  await expect(app.database).toContainText('Database: offline');
  await expect(off.queueStale).toContainText(/^Offline — showing data from \d\d:\d\d/);
  await expect(queue.row(contentId)).toBeVisible();
  const usable = Date.now() - spawned;
  console.log(`[measure] dev host restarted with both servers blackholed: listening after ${listening} ms, offline banner and cached queue shown after ${usable} ms (process start included)`);
  await shot(page, 'restart-offline-banner');
  offline.route('pass');
  await expect(app.database).toContainText('Database: up', { timeout: 30_000 });
});

test('a corrupt local store is moved aside, named in the UI and the log, and a fresh one opened; the dev host keeps running', async ({ offlineStack: offline, browser }) => {
  test.setTimeout(180_000);
  host ??= await offline.startHost();
  const seatDir = join(offline.dataDir, 'devhost-seats', offline.h.people['mod-1']!.login);
  const store = join(seatDir, 'workstation.sqlite');
  host.child.kill('SIGKILL');
  await host.exited;
  expect(existsSync(store)).toBe(true);
  // The file replaced by garbage (its WAL gone with it: a WAL holding every page would still be read).
  writeFileSync(store, 'not an sqlite database '.repeat(500));
  rmSync(`${store}-wal`, { force: true });
  rmSync(`${store}-shm`, { force: true });
  host = await offline.startHost();
  const page = await (await browser.newContext()).newPage();
  await page.goto(host.url);
  const { app } = pages(page);
  await expect(app.user).toContainText('mod-1');
  const notice = page.getByTestId('store-moved-aside');
  await expect(notice).toContainText('The local store was damaged');
  await expect(notice).toContainText(`${store}.corrupt-`);
  const aside = (await notice.locator('code').textContent())!;
  expect(existsSync(aside)).toBe(true);
  await expect.poll(() => host!.output()).toContain(aside.split('/').pop()!);
  await shot(page, 'store-moved-aside');
  // Still serving: the queue loads, and the process is alive.
  await expect(app.database).toContainText('Database: up');
  expect(host.child.exitCode).toBeNull();
});

test('bidi controls in content, author ids and content ids are isolated', async ({ offlineStack: offline, browser }) => {
  test.setTimeout(120_000);
  const rlo = '\u202e';
  const contentId = `bidi-${tag}-${rlo}gpj.exe`;
  const authorId = `author-${rlo}nimda`;
  await offline.pub.publish('content.submitted', contentMessage(contentId, `${TEXT.threat} ${rlo}reversed tail`, { authorId }));
  const c = await offline.h.waitForCase(contentId, 'awaiting_review');
  host ??= await offline.startHost();
  const page = await (await browser.newContext()).newPage();
  await page.goto(host.url);
  const { queue, view } = pages(page);
  const row = queue.row(contentId);
  await expect(row).toBeVisible();
  // Each user-supplied string in the row sits in its own isolate; in ids the controls are shown, not obeyed.
  const shown = (s: string) => s.replace(rlo, '⟨RLO⟩');
  await expect(row.locator('bdi[dir="auto"][data-bidi="controls"]', { hasText: shown(contentId) })).toHaveCount(1);
  await expect(row.locator('bdi[dir="auto"][data-bidi="controls"]', { hasText: shown(authorId) })).toHaveCount(1);
  // The preview (content) keeps its text as written, isolated and marked.
  await expect(row.locator('bdi[dir="auto"][data-bidi="controls"].preview')).toContainText(`${rlo}reversed tail`);
  await row.click();
  await expect(view.root).toHaveAttribute('data-case-id', c.id);
  await expect(view.content).toHaveAttribute('dir', 'auto');
  await expect(view.content).toContainText(`${rlo}reversed tail`);
  await expect(view.root.locator('h2 bdi[dir="auto"]')).toHaveText(shown(contentId));
  await expect(view.root.locator('dd bdi[dir="auto"]', { hasText: shown(authorId) })).toHaveCount(1);
  const isolated = await view.root.locator('h2 bdi').evaluate((el) => getComputedStyle(el).unicodeBidi);
  expect(isolated).toBe('isolate');
  await shot(page, 'bidi-isolated');
});
