// An isolated stack per spec file: its own PostgreSQL database, RabbitMQ vhost, platform stub and core
// (test/support/harness.ts), plus the dev host serving the built renderer on loopback.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, type Browser, type Page } from '@playwright/test';
import { plainPublisher, startHarness, type Harness } from '../../test/support/harness.js';
import { startDevHost, type DevHost } from '../../src/devhost/server.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');

export interface Stack {
  h: Harness;
  host: DevHost;
  pub: Awaited<ReturnType<typeof plainPublisher>>;
  /** A new browser context acting as `user` (dev host only), on the app's start page. */
  openAs(browser: Browser, user: string): Promise<Page>;
}

export const test = base.extend<object, { stack: Stack }>({
  stack: [
    async ({}, use) => {
      const h = await startHarness();
      // Decisions go through a per-user local outbox, as in the Electron app (DESIGN §9).
      const outboxDir = mkdtempSync(join(tmpdir(), 'gw-e2e-outbox-'));
      const host = await startDevHost({ core: h.core, rendererDir: join(ROOT, 'out', 'renderer'), defaultUser: 'mod-1', outboxDir });
      const pub = await plainPublisher(h.vhost.url);
      mkdirSync(SCREENSHOTS, { recursive: true });
      await use({
        h,
        host,
        pub,
        async openAs(browser, user) {
          const context = await browser.newContext({ acceptDownloads: true });
          const page = await context.newPage();
          await page.goto(host.urlFor(user));
          return page;
        },
      });
      await pub.close();
      await host.close();
      await h.close();
      rmSync(outboxDir, { recursive: true, force: true });
    },
    { scope: 'worker', timeout: 120_000 },
  ],
});

export { expect } from '@playwright/test';
export const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
