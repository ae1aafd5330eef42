// Issue 13 in the UI (dev host, Debian Chromium, real PostgreSQL/RabbitMQ): the update flow driven through
// the updater port (available → downloading N % → ready, "Restart now" held back by a draft), the settings
// screen with a policy file enforcing the update channel, and "Update required" when an admin raises the
// team's minimum version above this build (decisions refused, the case unchanged, reading still works).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { loadConfig } from '../src/core/config.js';
import { startDevHost, type DevHost, type DevHostOptions } from '../src/devhost/server.js';
import { cleanEnv, guardian } from '../test/support/cli.js';
import { contentMessage, TEXT } from '../test/support/harness.js';
import { AppPage, CasePage, DecidePage, QueuePage, SignInPage } from './pages/app.js';
import { SettingsPage, UpdatePage } from './pages/update.js';
import { expect, ROOT, seatContext, shot, test, type Stack } from './support/stack.js';

/** A dev host of its own over the spec's core (so its updater and settings are this test's). */
async function hostFor(stack: Stack, o: Partial<DevHostOptions> = {}): Promise<{ host: DevHost; close(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-e2e-update-'));
  const host = await startDevHost({ core: stack.h.core, rendererDir: join(ROOT, 'out', 'renderer'), dataDir, outbox: true, version: '0.1.0', ...o });
  return {
    host,
    async close() {
      await host.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function signInAt(browser: Browser, stack: Stack, host: DevHost, user: string): Promise<Page> {
  const page = await (await seatContext(browser)).newPage();
  await page.goto(host.urlFor());
  const person = stack.h.people[user]!;
  await new SignInPage(page).signIn(person.login, person.password, user);
  return page;
}

async function openCase(stack: Stack, page: Page, text: string): Promise<string> {
  const contentId = `upd-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  await stack.pub.publish('content.submitted', contentMessage(contentId, text));
  await stack.h.waitForCase(contentId, 'awaiting_review');
  const queue = new QueuePage(page);
  await queue.search.fill(contentId);
  await queue.row(contentId).click();
  await expect(new DecidePage(page).form).toBeVisible();
  return contentId;
}

async function dark(page: Page) {
  const theme = await page.evaluate(() => document.documentElement.dataset.theme);
  if (theme !== 'dark') await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
}

test('an update: available → downloading N % → ready ("restarts when you finish this case"); Restart now waits for the draft', async ({ stack, browser }) => {
  const { host, close } = await hostFor(stack, { updateAutoDownload: false });
  try {
    const page = await signInAt(browser, stack, host, 'mod-1');
    const up = new UpdatePage(page);
    await openCase(stack, page, TEXT.threat);
    await expect(up.status).toHaveCount(0); // nothing offered yet

    host.updater!.offer('0.2.0');
    await host.updates.check();
    await expect(up.status).toHaveText('Update 0.2.0 available — Download');
    await shot(page, 'update-available');

    await up.download.click();
    await expect(up.status).toContainText('Downloading 0 %');
    host.updater!.progress(42.4);
    await expect(up.status).toContainText('Downloading 42 %');
    await expect(up.progress).toHaveAttribute('value', '42');
    await shot(page, 'update-downloading');

    // A decision is being written: the update is ready, but a restart would lose it.
    const decide = new DecidePage(page);
    await decide.reason.fill('Threat of violence');
    host.updater!.progress(100);
    host.updater!.finish();
    await expect(up.status).toContainText('Update ready — restarts when you finish this case');
    await expect(up.status.getByRole('status')).toHaveAttribute('title', /^Version 0\.2\.0 is verified: it installs when you quit the app/);
    await expect(up.restart).toBeDisabled();
    await expect(up.restartWhy).toHaveText('Finish or clear your decision first.');
    await expect(up.restart).toHaveAccessibleDescription('Finish or clear your decision first.');
    expect(host.updater!.installOnQuit).toBe(true); // verified: it installs when the app quits
    await shot(page, 'update-ready');
    await dark(page);
    await shot(page, 'update-ready-dark');

    // Nothing typed any more: the person may restart now.
    await decide.reason.fill('');
    await expect(up.restart).toBeEnabled();
    await expect(up.restartWhy).toHaveCount(0);
    expect(host.updater!.installs).toBe(0);
    await up.restart.click();
    await expect.poll(() => host.updater!.installs).toBe(1);
  } finally {
    await close();
  }
});

test('a download that fails is an error the person can retry', async ({ stack, browser }) => {
  const { host, close } = await hostFor(stack, { updateAutoDownload: true });
  try {
    const page = await signInAt(browser, stack, host, 'mod-2');
    const up = new UpdatePage(page);
    host.updater!.offer('0.2.0');
    await host.updates.check(); // downloads in the background
    await expect(up.status).toContainText('Downloading 0 %');
    host.updater!.fail('socket hang up');
    await expect(up.status).toContainText('Update failed');
    await page.getByRole('button', { name: 'Retry the update: The download of 0.2.0 failed: socket hang up' }).click();
    await expect(up.status).toContainText('Downloading 0 %');
    host.updater!.finish();
    await expect(up.status).toContainText('Update ready');
    await expect(up.restart).toBeEnabled();
  } finally {
    await close();
  }
});

test('the settings screen shows what the policy file enforces as managed, not editable (keyboard reachable)', async ({ stack, browser }) => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-e2e-policy-'));
  const file = join(dir, 'policy.json');
  writeFileSync(file, JSON.stringify({ enforced: { updateChannel: 'beta', tracing: false }, defaults: { slaMinutes: 90 } }));
  // The person's own environment asks for stable: the enforced channel wins (src/core/managed).
  const config = loadConfig(cleanEnv({ GUARDIAN_MANAGED_POLICY_FILE: file, GUARDIAN_UPDATE_CHANNEL: 'stable', GUARDIAN_CLAIM_MINUTES: '20', GUARDIAN_DATA_DIR: dir }));
  expect(config.update.channel).toBe('beta');
  const { host, close } = await hostFor(stack, { settings: () => config.managed, channel: config.update.channel });
  try {
    const page = await signInAt(browser, stack, host, 'mod-1');
    const settings = new SettingsPage(page);
    await settings.tab.focus();
    await page.keyboard.press('Enter');
    await expect(settings.heading).toBeVisible();
    await expect(settings.policyFile).toContainText(file);
    await expect(page.getByTestId('settings-update')).toContainText('This workstation runs version 0.1.0 on the beta update channel.');

    const channel = settings.row('updateChannel');
    await expect(channel).toHaveAttribute('data-source', 'enforced');
    await expect(channel).toContainText('Managed by your organisation');
    await expect(settings.value('Update channel')).toHaveValue('beta');
    await expect(settings.value('Update channel')).toBeDisabled();
    await expect(settings.value('Update channel')).not.toBeEditable();
    await expect(settings.value('Update channel')).toHaveAccessibleDescription(/Managed by your organisation/);
    await expect(settings.row('tracing')).toContainText('Managed by your organisation');
    // What is not enforced says where it comes from.
    await expect(settings.row('slaMinutes')).toHaveAttribute('data-source', 'default');
    await expect(settings.row('slaMinutes')).toContainText("Your organisation's default");
    await expect(settings.value('Review deadline (SLA, minutes)')).toHaveValue('90');
    await expect(settings.row('claimMinutes')).toHaveAttribute('data-source', 'user');
    await expect(settings.value('Claim length (minutes)')).toHaveValue('20');
    await expect(settings.row('worker')).toContainText('Built-in default');
    await expect(settings.value('Run the worker on this computer')).toHaveValue('off');
    await shot(page, 'settings-managed');
    await dark(page);
    await shot(page, 'settings-managed-dark');
  } finally {
    await close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an admin raises the minimum version: the decision is refused with "Update required", the case is unchanged, the queue still reads; lowered again, it goes through', async ({ stack, browser }) => {
  const asAdmin = (args: string[]) => guardian(['release', 'require-version', ...args], cleanEnv(stack.h.envAs('admin-1')));
  const { host, close } = await hostFor(stack, { updateAutoDownload: false });
  try {
    const page = await signInAt(browser, stack, host, 'mod-1');
    const contentId = await openCase(stack, page, TEXT.threat);
    const casePage = new CasePage(page);
    const decide = new DecidePage(page);
    const up = new UpdatePage(page);
    const before = await stack.h.waitForCase(contentId, 'awaiting_review');

    const raised = await asAdmin(['0.2.0']);
    expect(raised.code, raised.stderr).toBe(0);
    host.updater!.offer('0.2.0');

    await decide.choice('remove').check();
    await decide.reason.fill('Threat of violence');
    await decide.submit.click();
    await expect(casePage.notice).toContainText('Update required: this client is 0.1.0, the minimum is 0.2.0.');
    await expect(up.required).toContainText('Update required: this workstation is 0.1.0, the team needs 0.2.0 or later.');
    await expect(up.required).toHaveAttribute('role', 'alert');
    // The update action is in the banner (the controller looked for the update at once).
    await expect(up.required.getByRole('button', { name: 'Download 0.2.0' })).toBeVisible();
    await expect(casePage.status).toHaveText('awaiting review');
    expect((await stack.h.waitForCase(contentId, 'awaiting_review')).version).toBe(before.version);
    // The decision buttons say why they are disabled.
    await expect(decide.why).toHaveText('Update required: this workstation is 0.1.0, the team needs 0.2.0 or later. Update it to decide cases.');
    await expect(decide.submit).toBeDisabled();
    // Reading keeps working: the queue answers and another case opens.
    const queue = new QueuePage(page);
    await queue.search.fill('');
    await expect(queue.counts).toContainText(/\d+ cases?/);
    await new AppPage(page).goto('Queue');
    await shot(page, 'update-required');

    // The decision waits in the outbox (same command id), saying why.
    await expect(page.getByTestId('outbox-count')).toContainText('1 waiting');
    const lowered = await asAdmin(['0.1.0']);
    expect(lowered.code, lowered.stderr).toBe(0);
    // "Check again" reads the team's minimum once more: this build may decide again, and the outbox delivers
    // the waiting decision by itself (its retry backs off to at most 15 s). The banner may already be gone by
    // the time the button is pressed — the delivered decision clears it — so the click is best effort.
    await up.required.getByRole('button', { name: 'Check again' }).click({ timeout: 5_000 }).catch(() => {});
    await expect(up.required).toHaveCount(0, { timeout: 30_000 });
    // The delivered decision takes the case out of the review queue: it is found among all cases.
    await queue.status().selectOption('all');
    await queue.search.fill(contentId);
    await queue.row(contentId).click();
    await expect(casePage.status).toHaveText('actioned', { timeout: 60_000 });
    await expect(page.getByTestId('outbox-count')).toContainText('0 waiting');
  } finally {
    await close();
  }
});
