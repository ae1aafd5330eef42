// An isolated stack per spec file: its own PostgreSQL database, roles, RabbitMQ vhost, platform stub and
// core (test/support/harness.ts), plus the dev host serving the built renderer on loopback. Every browser
// context is a seat of the dev host where one of the harness's people signs in with their own login.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { plainPublisher, startHarness, type Harness } from '../../test/support/harness.js';
import { startDevHost, type DevHost } from '../../src/devhost/server.js';
import { SignInPage } from '../pages/app.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');

/** The settings view of a dev host without an undo window (the renderer reads undoSeconds from it). */
export const noUndoWindow = () => ({ file: null, settings: [{ key: 'undoSeconds', value: 0, source: 'user' as const, locked: false }] });

export interface Stack {
  h: Harness;
  host: DevHost;
  pub: Awaited<ReturnType<typeof plainPublisher>>;
  /** A new browser context (a new seat) where `user` signs in through the sign-in screen; on the queue. */
  openAs(browser: Browser, user: string): Promise<Page>;
}

// Seats a spec file opened are closed when the next file starts (a file's tests may hand a page on to the
// next test), so their sessions give back their database connections (the dev host closes a seat soon
// after its last tab goes) instead of piling up for the whole worker: ~5 connections a seat, and the
// shared server has 100 slots (CI once ran out: "remaining connection slots are reserved").
const opened = new Set<BrowserContext>();
let openedBy = '';
const closeOpened = async () => {
  await Promise.all([...opened].map((c) => c.close().catch(() => {})));
  opened.clear();
};

/** A new browser context (a seat), closed when the next spec file starts. */
export async function seatContext(browser: Browser, options: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  opened.add(context);
  context.once('close', () => opened.delete(context));
  return context;
}

export const test = base.extend<{ closeSeats: void }, { stack: Stack }>({
  closeSeats: [
    async ({}, use, info) => {
      if (info.file !== openedBy) await closeOpened();
      openedBy = info.file;
      await use();
    },
    { auto: true },
  ],
  stack: [
    async ({}, use) => {
      // The worker takes guardian.dead into the database (issue 15), as in production: the dead letters console reads it.
      const h = await startHarness({ env: { GUARDIAN_DEAD_LETTERS: 'table' } });
      // Each login's local store and outbox (DESIGN §9) live under here, as in the Electron app.
      const dataDir = mkdtempSync(join(tmpdir(), 'gw-e2e-seats-'));
      // No undo window here (GUARDIAN_UNDO_SECONDS=0): a decision is sent on submit, as the specs expect;
      // keyboard.spec.ts opens a dev host of its own with a real window.
      const host = await startDevHost({ core: h.core, rendererDir: join(ROOT, 'out', 'renderer'), dataDir, outbox: true, seatIdleMs: 1_000, settings: noUndoWindow });
      const pub = await plainPublisher(h.vhost.url);
      mkdirSync(SCREENSHOTS, { recursive: true });
      await use({
        h,
        host,
        pub,
        async openAs(browser, user) {
          const person = h.people[user];
          if (!person) throw new Error(`no test person ${user}`);
          const context = await seatContext(browser, { acceptDownloads: true });
          const page = await context.newPage();
          await page.goto(host.urlFor());
          await new SignInPage(page).signIn(person.login, person.password, user);
          return page;
        },
      });
      await closeOpened();
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
