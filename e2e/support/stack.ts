// An isolated stack per spec file: its own PostgreSQL database, roles, RabbitMQ vhost, platform stub and
// core (test/support/harness.ts), plus the dev host serving the built renderer on loopback. Every browser
// context is a seat of the dev host where one of the harness's people signs in with their own login.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, type Browser, type Page } from '@playwright/test';
import { plainPublisher, startHarness, type Harness } from '../../test/support/harness.js';
import { startDevHost, type DevHost } from '../../src/devhost/server.js';
import { SignInPage } from '../pages/app.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');

export interface Stack {
  h: Harness;
  host: DevHost;
  pub: Awaited<ReturnType<typeof plainPublisher>>;
  /** A new browser context (a new seat) where `user` signs in through the sign-in screen; on the queue. */
  openAs(browser: Browser, user: string): Promise<Page>;
}

export const test = base.extend<object, { stack: Stack }>({
  stack: [
    async ({}, use) => {
      const h = await startHarness();
      // Each login's local store and outbox (DESIGN §9) live under here, as in the Electron app.
      const dataDir = mkdtempSync(join(tmpdir(), 'gw-e2e-seats-'));
      const host = await startDevHost({ core: h.core, rendererDir: join(ROOT, 'out', 'renderer'), dataDir, outbox: true });
      const pub = await plainPublisher(h.vhost.url);
      mkdirSync(SCREENSHOTS, { recursive: true });
      await use({
        h,
        host,
        pub,
        async openAs(browser, user) {
          const person = h.people[user];
          if (!person) throw new Error(`no test person ${user}`);
          const context = await browser.newContext({ acceptDownloads: true });
          const page = await context.newPage();
          await page.goto(host.urlFor());
          await new SignInPage(page).signIn(person.login, person.password, user);
          return page;
        },
      });
      await pub.close();
      await host.close();
      await h.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
    { scope: 'worker', timeout: 120_000 },
  ],
});

export { expect } from '@playwright/test';
export const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
