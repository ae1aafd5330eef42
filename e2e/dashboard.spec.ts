// Must show 1 (issue 15): the supervisor dashboard with charts on several days of seeded history (the
// fixture test/support/dashboard-seed.ts, written by the DBA), in light and dark mode. Every figure the
// tables behind the charts show is compared with api.dashboard called on the supervisor's own login (whose
// every number test/db/functions/api/dashboard.test.ts checks against independent SQL), and the seeded
// totals with what the fixture wrote; the CSV export is the same figures. The seeded cases are all settled
// (closed, auto-resolved), so the shared queue stays as the spec found it.
import { readFileSync } from 'node:fs';
import { dashboardCsv, fmtBucket, fmtCount, fmtRate, fmtSeconds, type Dashboard, type DashboardWindow } from '../src/shared/dashboard.js';
import { seedDashboard } from '../test/support/dashboard-seed.js';
import { AppPage } from './pages/app.js';
import { DashboardPage, type ChartId } from './pages/dashboard.js';
import { expect, shot, test } from './support/stack.js';

/** What each table must show, from the database's figures, formatted as the UI formats them. */
function expectedTables(d: Dashboard): Record<ChartId, string[][]> {
  const label = (s: string) => fmtBucket(s, d.bucket);
  const m = d.moderators;
  return {
    backlog: d.buckets.map((b) => [label(b.start), fmtCount(b.backlog), fmtCount(b.slaBreached)]),
    intake: d.categories.map((c) => [c.category, fmtCount(c.count)]),
    outcomes: d.buckets.map((b) => [label(b.start), fmtCount(b.intake), fmtCount(b.automatic), fmtCount(b.reviewed), fmtCount(b.other)]),
    quality: d.buckets.map((b) => [label(b.start), fmtCount(b.decided), fmtCount(b.agreed), fmtRate(b.agreement), fmtCount(b.appealsDecided), fmtCount(b.overturned), fmtRate(b.overturnRate)]),
    throughput: m.map((x) => [x.displayName, fmtCount(x.decisions), fmtCount(x.timed), fmtSeconds(x.medianSeconds), fmtSeconds(x.p90Seconds)]),
    handling: m.map((x) => [x.displayName, fmtSeconds(x.medianSeconds), fmtSeconds(x.p90Seconds)]),
  };
}
const CHARTS: ChartId[] = ['backlog', 'intake', 'outcomes', 'quality', 'throughput', 'handling'];

test('supervisor dashboard: charts over seeded days, every table figure from the database, CSV, light and dark', async ({ stack, browser }) => {
  const seed = await seedDashboard(stack.h.inst.dbaUrl, { days: 6, people: { mod: ['mod-1', 'mod-2'], sup: ['sup-1', 'sup-2'] } });
  const sup = await stack.h.as('sup-1');
  const truth = (window: DashboardWindow) => sup.dashboard({ window });

  const page = await stack.openAs(browser, 'sup-1');
  await new AppPage(page).goto('Supervisor');
  const dash = new DashboardPage(page);
  await dash.tab.click();
  await expect(dash.window('7 days')).toHaveAttribute('aria-checked', 'true');
  await expect(dash.chart('backlog')).toBeVisible();

  for (const [window, label] of [['7d', '7 days'], ['24h', '24 hours'], ['30d', '30 days']] as const) {
    await dash.window(label).click();
    await expect(dash.window(label)).toHaveAttribute('aria-checked', 'true');
    const d = await truth(window);
    const want = expectedTables(d);
    for (const id of CHARTS) await expect.poll(() => dash.cells(id), { message: `${window} ${id} table` }).toEqual(want[id]);
    // Each chart is an image with a spoken summary; its table is in the accessibility tree, named by its caption.
    for (const id of CHARTS) await expect(dash.image(id)).toHaveAttribute('aria-label', /\. .+/);
    if (window !== '7d') await shot(page, `dashboard-${window}`);
    if (window === '30d') {
      // The seeded history, by what the fixture wrote (not only by the database's own figures).
      const seeded = seed.counts;
      expect(d.categories.find((c) => c.category === 'spam')?.count).toBeGreaterThanOrEqual(seeded.spam);
      expect(d.buckets.reduce((n, b) => n + b.appealsDecided, 0)).toBeGreaterThanOrEqual(seeded.appeal);
      expect(d.moderators.map((m) => m.actor)).toEqual(expect.arrayContaining(['mod-1', 'mod-2', 'sup-1', 'sup-2']));
      await expect(dash.image('throughput')).toHaveAttribute('aria-label', /mod-1 \d+/);
    }
  }

  // 7 days: the screenshots a supervisor sees, light then dark; then one with a table shown.
  await dash.window('7 days').click();
  const week = await truth('7d');
  await expect.poll(() => dash.cells('backlog')).toEqual(expectedTables(week).backlog);
  await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
  await expect(page.locator('html')).toHaveAttribute('data-theme', /light|dark/);
  if ((await page.locator('html').getAttribute('data-theme')) === 'dark') await page.getByRole('button', { name: 'Switch to light theme' }).click();
  await shot(page, 'dashboard-light');
  // The charts are Chart.js canvases (the image each figure shows); switching the theme redraws them in its colours.
  await expect.poll(() => dash.image('backlog').evaluate((e) => e.tagName)).toBe('CANVAS');
  const lightPixels = await dash.pixels('backlog');
  expect(lightPixels).toMatch(/^data:image\/png;base64,/);
  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect.poll(() => dash.pixels('backlog'), { message: 'backlog chart redrawn in the dark theme' }).not.toBe(lightPixels);
  await shot(page, 'dashboard-dark');
  await dash.toggle('throughput').click();
  await expect(dash.toggle('throughput')).toHaveAttribute('aria-expanded', 'true');
  await expect(dash.table('throughput')).toBeVisible();
  await dash.table('throughput').scrollIntoViewIfNeeded();
  await shot(page, 'dashboard-dark-table');
  await page.getByRole('button', { name: 'Switch to light theme' }).click();

  // CSV: the same figures as the database's (dashboardCsv of api.dashboard), as a download.
  const [download] = await Promise.all([page.waitForEvent('download'), dash.exportCsv.click()]);
  expect(download.suggestedFilename()).toMatch(/^guardian-dashboard-7d-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = readFileSync((await download.path())!, 'utf8');
  expect(csv).toBe(dashboardCsv(await truth('7d')));

  // A moderator is not offered the dashboard, and the database refuses them if asked anyway.
  const mod = await stack.h.as('mod-1');
  await expect(mod.dashboard({ window: '7d' })).rejects.toMatchObject({ code: 'forbidden' });
  const modPage = await stack.openAs(browser, 'mod-1');
  await new AppPage(modPage).goto('Supervisor');
  await expect(modPage.getByRole('tablist', { name: 'Supervisor' })).toHaveCount(0);

  // Nothing seeded waits in the queue (the next specs start from it as this one found it).
  const { rows } = await stack.h.inst.dba(`SELECT count(*)::int AS n FROM cases WHERE content_id LIKE $1 AND status NOT IN ('closed', 'auto_resolved')`, [`${seed.prefix}-%`]);
  expect(rows[0].n).toBe(0);
});
