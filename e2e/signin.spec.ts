// Issue 10, must show 5: the sign-in flow in the real UI through the dev host, against REAL password
// checking — a private PostgreSQL cluster with scram-sha-256 (the shared test server trusts every
// password). Set up as an operator would: `setupDatabase` creates the roles and the first admin (ada) with
// a one-time password, and she adds the other people through her own login. The core's DATABASE_URL
// carries no credentials at all: every read and command of the page goes through the login signed in at
// its seat.
//   the sign-in screen names the server; nothing is reachable before sign-in;
//   a wrong password is said as such (and nothing else opens); a disabled login is refused with its reason;
//   the one-time password opens the queue, the header names ada (admin);
//   sign out returns to sign-in and the queue is no longer reachable; the next person sees nothing of ada;
//   an unreachable server is said as such, naming it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { expect, test as base, type Browser, type Page } from '@playwright/test';
import { loadConfig } from '../src/core/config.js';
import { createCore, type Core } from '../src/core/core.js';
import { createLogger, silentLogger } from '../src/core/log.js';
import { declareBrokerTopology } from '../src/core/setup/broker-setup.js';
import { setupDatabase } from '../src/core/setup/db-setup.js';
import { startDevHost, type DevHost } from '../src/devhost/server.js';
import { uniquePrefix } from '../test/support/installation.js';
import { createTestVhost, type TestVhost } from '../test/support/isolation.js';
import { scramClusterAvailable, startScramCluster, type ScramCluster } from '../test/support/scram-cluster.js';
import { AppPage, CasePage, QueuePage, SignInPage } from './pages/app.js';
import { ownSocket, rawCommand } from './support/raw-command.js';
import { ROOT, shot } from './support/stack.js';

const avail = scramClusterAvailable();
const DB = 'guardian_signin';
const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'error' });

interface ScramStack {
  /** How long the cluster, the setup, the vhost, the core and the dev host took to start. */
  setupMs: number;
  cluster: ScramCluster;
  prefix: string;
  vhost: TestVhost;
  core: Core;
  host: DevHost;
  /** host:port/database, as the sign-in screen must show it. */
  server: string;
  ada: { login: string; password: string };
  bo: { login: string; password: string };
  cy: { login: string; password: string };
  /** Runs SQL as the cluster's superuser on the installation's database (arranging, inspecting). */
  dba<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
}

const test = base.extend<object, { scram: ScramStack }>({
  scram: [
    async ({}, use) => {
      const cleanups: Array<() => Promise<unknown>> = [];
      try {
        const t0 = Date.now();
        const cluster = await startScramCluster();
        cleanups.unshift(() => cluster.stop());
        const admin = new pg.Client({ connectionString: cluster.adminUrl });
        await admin.connect();
        await admin.query(`CREATE DATABASE ${DB}`);
        await admin.end();
        const dbaUrl = cluster.urlFor('postgres', cluster.adminPassword, DB);
        const prefix = uniquePrefix();
        const dbaPool = new pg.Pool({ connectionString: dbaUrl, max: 2 });
        cleanups.unshift(async () => {
          // Roles are cluster-wide: the database first (nothing then depends on them), then every role of
          // the prefix, then the cluster itself (above).
          await dbaPool.end().catch(() => {});
          const c = new pg.Client({ connectionString: cluster.adminUrl });
          await c.connect();
          try {
            await c.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
            const { rows } = await c.query<{ rolname: string }>(`SELECT rolname FROM pg_roles WHERE rolname LIKE $1 || '%' ORDER BY rolname LIKE '%\\_owner', rolname`, [prefix]);
            for (const { rolname } of rows) await c.query(`DROP ROLE IF EXISTS "${rolname.replace(/"/g, '""')}"`);
            const left = await c.query(`SELECT rolname FROM pg_roles WHERE rolname LIKE $1 || '%'`, [prefix]);
            if (left.rowCount) throw new Error(`roles left behind: ${left.rows.map((r) => r.rolname).join(', ')}`);
          } finally {
            await c.end().catch(() => {});
          }
        });
        const report = await setupDatabase({ url: dbaUrl, prefix, mode: 'connected', logger: silentLogger, admin: { id: 'ada' } });
        const ada = { login: report.admin!.login, password: report.admin!.oneTimePassword! };
        const vhost = await createTestVhost();
        cleanups.unshift(() => vhost.drop());
        await declareBrokerTopology(vhost.url);
        // No credentials in DATABASE_URL: the process has no login of its own; persons bring theirs.
        const databaseUrl = `postgres://127.0.0.1:${cluster.port}/${DB}`;
        const core = await createCore({
          config: loadConfig({ DATABASE_URL: databaseUrl, AMQP_URL: vhost.url, GUARDIAN_ROLE_PREFIX: prefix, GUARDIAN_LOG_LEVEL: 'error' }),
          logger,
          tolerateOffline: true,
        });
        await core.start();
        cleanups.unshift(() => core.stop());

        // ada (the first admin, through her own login) adds a moderator, and another one she disables.
        const adaSession = await core.openSession({ login: ada.login, password: ada.password, tool: 'cli' });
        const added = await adaSession.people.add({ id: 'bo', role: 'moderator', displayName: 'Bo Lindqvist' });
        const bo = { login: added.login, password: added.oneTimePassword };
        const gone = await adaSession.people.add({ id: 'cy', role: 'moderator' });
        const cy = { login: gone.login, password: gone.oneTimePassword };
        await adaSession.people.disable('cy');
        await adaSession.close();
        const dba = <R extends pg.QueryResultRow>(sql: string, params?: unknown[]) => dbaPool.query<R>(sql, params as unknown[]);

        // Three waiting cases, arranged as the DBA (no application login writes a table).
        await dba(
          `INSERT INTO cases (id, content_id, author_id, text, priority, submitted_at, status, level, review_kind, verdict, severity, violation_type, version, created_at, updated_at)
           SELECT gen_random_uuid(), 'signin-' || i, 'author-' || i, t, CASE WHEN i = 1 THEN 'urgent' ELSE 'normal' END, now(), 'awaiting_review', 1, 'initial',
                  'review', s, 'harassment', 2, now() - make_interval(mins => 60 - i), now() - make_interval(mins => 60 - i)
             FROM (VALUES (1, 'you are an idiot and everyone knows it', 'high'), (2, 'nobody wants you here, leave', 'medium'), (3, 'what a stupid take', 'low')) v(i, t, s)`,
        );

        const dataDir = mkdtempSync(join(tmpdir(), 'gw-e2e-signin-'));
        cleanups.unshift(async () => rmSync(dataDir, { recursive: true, force: true }));
        const host = await startDevHost({ core, rendererDir: join(ROOT, 'out', 'renderer'), dataDir, outbox: true });
        cleanups.unshift(() => host.close());
        await use({
          setupMs: Date.now() - t0,
          cluster,
          prefix,
          vhost,
          core,
          host,
          server: `127.0.0.1:${cluster.port}/${DB}`,
          ada,
          bo,
          cy,
          dba,
        });
      } finally {
        for (const c of cleanups) await c().catch((err: unknown) => console.error('cleanup failed:', err));
      }
    },
    { scope: 'worker', timeout: 180_000 },
  ],
});

test.describe.configure({ mode: 'serial' });
test.skip(!avail.ok, `no private PostgreSQL cluster with scram-sha-256 here: ${avail.ok ? '' : avail.reason}`);

let page: Page;

/** A measured time, as an annotation and on the reporter's output. */
function timing(what: string) {
  test.info().annotations.push({ type: 'timing', description: what });
  console.log(`timing: ${what}`);
}

async function openSeat(browser: Browser, host: DevHost): Promise<Page> {
  const p = await (await browser.newContext()).newPage();
  await p.goto(host.urlFor());
  return p;
}

/** The page's own seat asks for the queue, around the UI. */
const listFromPage = async (p: Page) => rawCommand(p, await ownSocket(p), 'cases:list', { limit: 10 });

test('the sign-in screen names the server; before sign-in nothing else is shown or reachable', async ({ scram, browser }) => {
  timing(`scram cluster + setup + vhost + core + dev host: ${scram.setupMs} ms`);
  page = await openSeat(browser, scram.host);
  const signIn = new SignInPage(page);
  const app = new AppPage(page);
  await expect(signIn.title).toBeVisible();
  await expect(signIn.server).toHaveText(`Server: ${scram.server}`);
  await expect(signIn.login).toBeFocused();
  await expect(signIn.login).toHaveAttribute('autocomplete', 'username');
  await expect(signIn.password).toHaveAttribute('type', 'password');
  await expect(signIn.password).toHaveAttribute('autocomplete', 'current-password');
  // The dev host keeps no credentials (no keychain): the box is off, and says why.
  await expect(signIn.keep).toBeDisabled();
  await expect(signIn.keep).not.toBeChecked();
  await expect(signIn.keepWhy).toContainText('this computer has no OS keychain: you will sign in at each start');
  await expect(signIn.keep).toHaveAccessibleDescription(/no OS keychain/);
  await expect(signIn.error).toHaveCount(0);
  // Nothing of the workstation before sign-in: no views, no person, no connection chips, no queue.
  await expect(app.user).toHaveCount(0);
  await expect(page.getByRole('navigation', { name: 'Views' })).toHaveCount(0);
  await expect(app.database).toHaveCount(0);
  await expect(new QueuePage(page).list).toHaveCount(0);
  expect(await listFromPage(page)).toMatchObject({ ok: false, error: { code: 'forbidden', message: 'Sign in first.', details: { reason: 'signed_out' } } });
  await shot(page, 'signin');

  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await shot(page, 'signin-dark');
  await page.getByRole('button', { name: 'Switch to light theme' }).click();
});

test('a wrong password is said as such and opens nothing; the login stays, the password is cleared and focused', async ({ scram }) => {
  const signIn = new SignInPage(page);
  const app = new AppPage(page);
  const started = Date.now();
  await signIn.submitWith(scram.ada.login, `${scram.ada.password}-wrong`);
  await expect(signIn.error).toHaveText('Wrong login or password.');
  timing(`wrong password refused by the server and shown in ${Date.now() - started} ms`);
  await expect(signIn.login).toHaveValue(scram.ada.login);
  await expect(signIn.password).toHaveValue('');
  await expect(signIn.password).toBeFocused();
  await expect(signIn.password).toHaveAttribute('aria-invalid', 'true');
  await expect(signIn.password).toHaveAccessibleDescription('Wrong login or password.');
  await expect(signIn.submit).toHaveText('Sign in');
  await expect(signIn.form).toHaveAttribute('aria-busy', 'false');
  // …and nothing else: still the sign-in screen, nobody signed in, the queue unreachable.
  await expect(signIn.title).toBeVisible();
  await expect(app.user).toHaveCount(0);
  await expect(new QueuePage(page).list).toHaveCount(0);
  expect(await listFromPage(page)).toMatchObject({ ok: false, error: { message: 'Sign in first.' } });
  await shot(page, 'signin-wrong-password');

  // A disabled person's login is refused with its reason (PostgreSQL: not permitted to log in).
  await signIn.submitWith(scram.cy.login, scram.cy.password);
  await expect(signIn.error).toHaveText('This login cannot sign in (unknown or disabled).');
  await expect(signIn.login).toHaveValue(scram.cy.login);
  await expect(signIn.login).toHaveAttribute('aria-invalid', 'true');
  await expect(signIn.password).not.toHaveAttribute('aria-invalid', 'true');
  await expect(signIn.password).toHaveValue('');
  await expect(app.user).toHaveCount(0);

  // An empty password is not sent at all.
  await signIn.login.fill(scram.ada.login);
  await signIn.password.press('Enter');
  await expect(signIn.error).toHaveText('Enter your password.');
  await expect(signIn.password).toBeFocused();
});

test('the one-time password opens the queue, and the header names ada (admin)', async ({ scram }) => {
  const signIn = new SignInPage(page);
  const app = new AppPage(page);
  const queue = new QueuePage(page);
  const started = Date.now();
  await signIn.submitWith(scram.ada.login, scram.ada.password);
  await expect(queue.list).toBeVisible();
  await expect(queue.counts).toContainText(/^3 cases · 1 urgent/);
  timing(`sign-in to a loaded queue in ${Date.now() - started} ms`);
  await expect(app.user).toContainText('ada');
  await expect(app.user).toContainText('admin');
  await expect(signIn.form).toHaveCount(0);
  await expect(app.database).toContainText('Database: up');
  await expect(app.unverified).toHaveCount(0);
  await expect(app.signOutButton).toBeVisible();
  // The page's seat reads as ada now; the database says so.
  expect(await rawCommand(page, await ownSocket(page), 'session:get', {})).toMatchObject({
    ok: true,
    value: { user: { id: 'ada', role: 'admin' }, signIn: { required: true, login: scram.ada.login, keeps: false, unverified: false } },
  });
  const { rows } = await scram.dba<{ usename: string }>(`SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = $1 AND application_name = 'guardian-person'`, [DB]);
  expect(rows.map((r) => r.usename)).toContain(scram.ada.login);
  await queue.row('signin-1').click();
  await expect(new CasePage(page).content).toContainText('you are an idiot');
  await shot(page, 'signin-queue');
});

test('sign out returns to the sign-in screen and the queue is no longer reachable; the next person sees nothing of ada', async ({ scram, browser }) => {
  const signIn = new SignInPage(page);
  const app = new AppPage(page);
  const queue = new QueuePage(page);
  await app.signOut(); // nothing waits in ada's outbox: no question asked
  await expect(signIn.title).toBeVisible();
  await expect(signIn.server).toHaveText(`Server: ${scram.server}`);
  await expect(signIn.login).toHaveValue(''); // not even ada's login stays on screen
  await expect(app.user).toHaveCount(0);
  await expect(queue.list).toHaveCount(0);
  await expect(page.getByTestId('case-view')).toHaveCount(0);
  expect(await listFromPage(page)).toMatchObject({ ok: false, error: { code: 'forbidden', message: 'Sign in first.', details: { reason: 'signed_out' } } });
  // A reload keeps the seat (sessionStorage) — and it is still signed out.
  await page.reload();
  await expect(signIn.title).toBeVisible();
  expect(await listFromPage(page)).toMatchObject({ ok: false, error: { message: 'Sign in first.' } });

  // Bo signs in at the same seat: the queue is read anew for him, ada's open case is gone.
  await signIn.signIn(scram.bo.login, scram.bo.password, 'Bo Lindqvist');
  await expect(app.user).toContainText('moderator');
  await expect(queue.counts).toContainText(/^3 cases/);
  await expect(page.getByTestId('case-view')).toHaveCount(0);
  await expect(queue.selected()).toHaveCount(0);
  expect(await rawCommand(page, await ownSocket(page), 'session:get', {})).toMatchObject({ ok: true, value: { user: { id: 'bo', role: 'moderator' } } });

  // Another tab is another seat: signed out, whoever is signed in next door.
  const other = await openSeat(browser, scram.host);
  await expect(new SignInPage(other).title).toBeVisible();
  expect(await listFromPage(other)).toMatchObject({ ok: false, error: { message: 'Sign in first.' } });
  await other.context().close();
});

test('an unreachable server is said as such, naming it', async ({ scram, browser }) => {
  // A workstation pointed at a port where no PostgreSQL listens (the cluster's port + 1 is not ours).
  const closed = `127.0.0.1:${scram.cluster.port + 1}/${DB}`;
  const core = await createCore({
    config: loadConfig({ DATABASE_URL: `postgres://${closed}`, AMQP_URL: scram.vhost.url, GUARDIAN_ROLE_PREFIX: scram.prefix, GUARDIAN_LOG_LEVEL: 'error' }),
    logger: silentLogger,
    tolerateOffline: true,
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-e2e-signin-off-'));
  let host: DevHost | undefined;
  try {
    await core.start();
    host = await startDevHost({ core, rendererDir: join(ROOT, 'out', 'renderer'), dataDir, outbox: true });
    const p = await openSeat(browser, host);
    const signIn = new SignInPage(p);
    await expect(signIn.server).toHaveText(`Server: ${closed}`);
    await signIn.submitWith(scram.ada.login, scram.ada.password);
    await expect(signIn.error).toContainText(`The server cannot be reached (${closed})`);
    await expect(signIn.error).toContainText('Details: connect ECONNREFUSED');
    // Nothing the person typed is wrong: no field is marked.
    await expect(signIn.login).not.toHaveAttribute('aria-invalid', 'true');
    await expect(signIn.password).not.toHaveAttribute('aria-invalid', 'true');
    await expect(signIn.login).toHaveValue(scram.ada.login);
    await expect(signIn.password).toHaveValue('');
    await expect(signIn.password).toBeFocused();
    await expect(new AppPage(p).user).toHaveCount(0);
    await shot(p, 'signin-unreachable');
    await p.context().close();
  } finally {
    await host?.close();
    await core.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
