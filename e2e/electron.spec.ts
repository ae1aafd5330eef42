// Must show 6: the same journey in the packaged shell, through Electron's real preload bridge and IPC.
// Needs the Electron binary; where it is missing (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1,
// as on this machine) every spec here reports itself skipped with the reason.
import { existsSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, type ElectronApplication, type Page } from '@playwright/test';
import { contentMessage, TEXT } from '../test/support/harness.js';
import { AppPage, CasePage, DecidePage, QueuePage, SignInPage } from './pages/app.js';
import { expect, ROOT, test, type Stack } from './support/stack.js';

function electronBinary(): string | undefined {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown as string;
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}
const binary = electronBinary();
const electronBinaryPresent = binary !== undefined;

test.describe('Electron shell', () => {
  test.skip(
    !electronBinaryPresent,
    'No Electron binary: electron was installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1 because its binary host is unreachable here; run where `npm ci` can download it',
  );

  /**
   * The workstation as a person's desktop runs it: their server, no worker, no platform secret (the
   * person's environment, DESIGN §10); they sign in on the sign-in screen with their own login.
   */
  async function launch(stack: Stack, user: string): Promise<{ app: ElectronApplication; win: Page }> {
    const app = await electron.launch({
      executablePath: binary,
      args: [join(ROOT, 'out', 'main', 'index.js')],
      env: { ...process.env, ...stack.h.envAs(user), GUARDIAN_WORKER: 'off', GUARDIAN_UNDO_SECONDS: '0', GUARDIAN_DATA_DIR: mkdtempSync(join(tmpdir(), 'gw-electron-')) } as Record<string, string>,
    });
    const win = await app.firstWindow();
    const person = stack.h.people[user]!;
    await new SignInPage(win).signIn(person.login, person.password, user);
    return { app, win };
  }

  test('window is hardened: only the contract bridge, no Node, navigation and window.open denied', async ({ stack }) => {
    const { app, win } = await launch(stack, 'mod-1');
    try {
      await expect(new AppPage(win).user).toContainText('mod-1');
      const surface = await win.evaluate(() => ({
        api: Object.keys((window as unknown as { api: object }).api).sort(),
        require: typeof (window as unknown as { require?: unknown }).require,
        process: typeof (window as unknown as { process?: unknown }).process,
      }));
      expect(surface.require).toBe('undefined');
      expect(surface.process).toBe('undefined');
      expect(surface.api).toContain('caseDecide');
      expect(surface.api).not.toContain('invoke');
      const before = win.url();
      await win.evaluate(() => {
        window.open('https://example.com/');
        location.href = 'https://example.com/';
      });
      await expect.poll(() => app.windows().length).toBe(1);
      expect(win.url()).toBe(before);
    } finally {
      await app.close();
    }
  });

  test('journey: ingest appears live, claim and decide with the keyboard, actioned', async ({ stack }) => {
    const { app, win } = await launch(stack, 'mod-1');
    try {
      const shell = new AppPage(win);
      const queue = new QueuePage(win);
      const view = new CasePage(win);
      const decide = new DecidePage(win);
      const contentId = `electron-${Date.now().toString(36)}`;
      await stack.pub.publish('content.submitted', contentMessage(contentId, TEXT.threat));
      await queue.search.fill(contentId);
      await expect(queue.row(contentId)).toBeVisible();
      await shell.press('j');
      await shell.press('Enter');
      await expect(view.root).toBeVisible();
      await shell.press('c');
      await expect(view.claimHolder).toContainText('Claimed by mod-1');
      await expect(decide.form).toBeVisible();
      await shell.press('r');
      await expect(decide.reason).toBeFocused();
      await win.keyboard.type('Credible threat');
      await win.keyboard.press('Control+Enter');
      await expect(view.status).toHaveText('actioned');
    } finally {
      await app.close();
    }
  });
});
