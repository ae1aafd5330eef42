// Part 4 — the real renderer in Chromium (dev host) with 100,000 open cases.
//
//   npm run bench:ui                   npx tsx bench/ui.ts --cases 100000
//   BENCH_UI_CASES=100000 BENCH_UI_BUILD=0 (reuse the last build in $TMPDIR/guardian-bench-out)
//
// The renderer is built (electron-vite build --outDir $TMPDIR/guardian-bench-out, so the shared out/ is
// not touched) and served by the dev host (src/devhost) on top of a connected-mode core, in this
// process — as Electron main hosts the core. Chromium is /usr/bin/chromium via playwright-core.
// The 100,000 awaiting cases are inserted with one SQL statement (with a realistic analysis jsonb): the
// queue UI reads only the cases table (read model), and 100k posts through the pipeline would take
// ~25 min here.
// Measured in the page (performance.now(), PerformanceObserver 'longtask'):
//   - first rendered queue: navigation start → first case row in the DOM (the first page), and → every
//     row the renderer loads (QUEUE_LIMIT) in the list ("loading more…" gone), long tasks meanwhile
//   - filter / sort latency: from the change event to the list showing the result (next frame), and
//     to "settled" (a server-side filter's new list fully loaded; client-side filters do not refetch)
//   - long tasks while scrolling the list (wheel events for ~5 s)
// and in this process: the list requests the core serves (first page / next page / what changed, with
// their times and rows), core RSS idle and under pipeline load with the UI open, and the same pipeline
// load with the page closed (BENCH_UI_BASELINE=0 skips it) for the ratio in the same run.
// Trust model (DESIGN §10): the core in this process is the worker (worker login) and hosts the dev host,
// as before one process for the core and the page's host. The page's seat signs in as mod-1 with mod-1's
// own login (the dev host's `initial` credentials: every new tab starts signed in, so the numbers stay
// comparable with the earlier `?user=` runs); its reads go through mod-1's session (own pool of 4). The
// 100,000 cases are inserted as the DBA (arranging); the server-side reads are mod-1's session's.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { startDevHost } from '../src/devhost/server.js';
import {
  banner,
  f1,
  footer,
  isolatedEnv,
  mb,
  messageFor,
  now,
  opt,
  personSession,
  publishAll,
  result,
  runId,
  sleep,
  startCore,
  stats,
  statusCounts,
  USERS,
  waitSettled,
  type Env,
} from './lib.js';
import type { Core } from '../src/core/core.js';
import type { PersonSession } from '../src/core/session/person-session.js';
import { listCases, QUEUE_ORDER_SQL, type CaseListQuery, type CaseListRow } from '../src/core/store/cases-repo.js';

const ROOT = path.join(import.meta.dirname, '..');

function buildRenderer(): string {
  const outDir = path.join(os.tmpdir(), 'guardian-bench-out');
  if (process.env.BENCH_UI_BUILD !== '0' || !existsSync(path.join(outDir, 'renderer', 'index.html'))) {
    const t = now();
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'electron-vite'), ['build', '--outDir', outDir, '--logLevel', 'error'], {
      cwd: ROOT,
      stdio: 'pipe',
      env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
    });
    console.log(`renderer built in ${f1((now() - t) / 1000)} s → ${outDir}/renderer`);
  }
  return path.join(outDir, 'renderer');
}

async function seedCases(env: Env, n: number) {
  const t = now();
  await env.pg.query(
    `INSERT INTO cases (id, content_id, author_id, text, priority, submitted_at, status, level, review_kind, verdict, severity,
                        violation_type, analysis, interrupt_id, version, created_at, updated_at, sla_due_at)
     SELECT gen_random_uuid(), 'ui-' || i, 'author-' || (i % 7919),
            (ARRAY['you are an idiot and everyone here knows it', 'What a loser, go back to wherever you came from',
                   'I will kill you if I see you at the game on Saturday', 'Call me at 555-0134 or mail jane.doe@example.com for the files',
                   'This thread is stupid and so are you'])[1 + i % 5] || ' #' || i,
            CASE WHEN i % 20 = 0 THEN 'urgent' ELSE 'normal' END, now() - make_interval(secs => i), 'awaiting_review',
            CASE WHEN i % 10 = 0 THEN 2 ELSE 1 END, CASE WHEN i % 10 = 0 THEN 'escalation' ELSE 'initial' END, 'review',
            (ARRAY['low', 'medium', 'high', 'critical'])[1 + i % 4], (ARRAY['harassment', 'hate', 'violence', 'personal_data', 'spam'])[1 + i % 5],
            jsonb_build_object('verdict', 'review', 'suggestedAction', 'remove', 'violationType', (ARRAY['harassment', 'hate', 'violence', 'personal_data', 'spam'])[1 + i % 5],
                               'severity', (ARRAY['low', 'medium', 'high', 'critical'])[1 + i % 4], 'confidence', 0.8, 'classifier', 'rules',
                               'reasoning', 'Matched policy terms for this category; a moderator should confirm the context before acting on it.',
                               'keyPhrases', jsonb_build_array(jsonb_build_object('text', 'idiot', 'start', 12, 'end', 17, 'category', 'harassment'))),
            'bench-interrupt-' || i, 2, now() - make_interval(secs => i), now() - make_interval(secs => i),
            -- SLA deadlines spread over the next two hours (none past: the worker would escalate those during
            -- the run), at millisecond precision as worker.sync_review sets them
            date_trunc('milliseconds', now() + make_interval(secs => 1800 + (i * 37) % 7200))
       FROM generate_series(1, $1::int) AS i`,
    [n],
  );
  await env.pg.query('ANALYZE cases');
  console.log(`seeded ${n} awaiting cases in ${f1((now() - t) / 1000)} s (one INSERT … SELECT)`);
}

const INIT = () => {
  const w = window as unknown as { __longtasks: Array<{ start: number; duration: number }> };
  w.__longtasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) w.__longtasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
};

/** Changes a <select> (React-controlled) in the page and times the list's reaction. */
async function timeSelect(page: Page, label: string, value: string) {
  return page.evaluate(
    async ({ label, value }) => {
      const sel = [...document.querySelectorAll('label')].find((l) => l.textContent?.trim().startsWith(label))?.querySelector('select');
      if (!sel) throw new Error(`no select ${label}`);
      const counts = document.querySelector('[data-testid="queue-counts"]')!;
      const firstRow = () => document.querySelector('[data-testid="case-row"]')?.getAttribute('data-content-id') ?? '';
      // the counts line without the transient parts ("· refreshing…", "· loading more… N so far")
      const plain = (t: string | null) => (t ?? '').replace(' · refreshing…', '').replace(/ · loading more… [\d,]+ so far/, '');
      const busy = () => !!document.querySelector('[data-testid="queue-loading-more"]') || !!counts.textContent?.includes('refreshing');
      const before = `${plain(counts.textContent)}|${firstRow()}`;
      const frame = () => new Promise<number>((r) => requestAnimationFrame(() => setTimeout(() => r(performance.now()), 0)));
      const t0 = performance.now();
      const setter = Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value')!.set!;
      setter.call(sel, value);
      sel.dispatchEvent(new Event('change', { bubbles: true }));
      let shown = NaN;
      const deadline = t0 + 60_000;
      while (performance.now() < deadline) {
        const now = await frame();
        const txt = `${plain(counts.textContent)}|${firstRow()}`;
        if (Number.isNaN(shown) && txt !== before) shown = now - t0;
        if (!Number.isNaN(shown) && !busy()) return { shown, settled: now - t0, counts: plain(counts.textContent) };
        if (Number.isNaN(shown) && !busy() && now - t0 > 2_000) return { shown: now - t0, settled: now - t0, counts: plain(counts.textContent), unchanged: true };
      }
      return { shown, settled: NaN, counts: counts.textContent };
    },
    { label, value },
  );
}

async function timeSearch(page: Page, text: string) {
  return page.evaluate(async (text) => {
    const input = document.querySelector('input[type="search"]') as HTMLInputElement;
    const counts = document.querySelector('[data-testid="queue-counts"]')!;
    const plain = (t: string | null) => (t ?? '').replace(' · refreshing…', '').replace(/ · loading more… [\d,]+ so far/, '');
    const busy = () => !!document.querySelector('[data-testid="queue-loading-more"]') || !!counts.textContent?.includes('refreshing');
    const before = plain(counts.textContent);
    const frame = () => new Promise<number>((r) => requestAnimationFrame(() => setTimeout(() => r(performance.now()), 0)));
    const t0 = performance.now();
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, text);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    const deadline = t0 + 60_000;
    let shown = NaN;
    while (performance.now() < deadline) {
      const now = await frame();
      if (Number.isNaN(shown) && plain(counts.textContent) !== before) shown = now - t0;
      if (!Number.isNaN(shown) && !busy()) return { shown, settled: now - t0, counts: plain(counts.textContent) };
    }
    return { settled: NaN, counts: counts.textContent };
  }, text);
}

type ListKind = 'first' | 'more' | 'changes' | 'other';
/** Which of the renderer's requests a listCases call is (src/renderer/src/store/queue-sync.ts). */
function listKind(q: CaseListQuery | undefined): ListKind {
  if (q?.after) return 'more';
  if (q?.updatedSince) return 'changes';
  if (q?.withWatermark) return 'first';
  return 'other';
}

/** The renderer's server-side requests, timed on their own: a first page, a deep keyset page, an empty "what changed". */
async function measureListQueries(session: PersonSession, n: number) {
  const list = session.listCases as (q: CaseListQuery) => Promise<CaseListRow[]>;
  const q: CaseListQuery = { status: ['awaiting_review'] };
  let t = now();
  const firstPage = await list({ ...q, limit: 300, withWatermark: true });
  const firstMs = now() - t;
  const deepAt = Math.max(1, Math.min(50_000, Math.floor(n / 2)));
  const anchor = await session.db.query<{ id: string; priority: 'urgent' | 'normal'; severity: CaseListRow['severity']; sla_due_at: string | null; created_at: string }>(
    `SELECT c.id, c.priority, c.severity, c.sla_due_at, c.created_at FROM cases c WHERE c.status = 'awaiting_review' ORDER BY ${QUEUE_ORDER_SQL} OFFSET $1 LIMIT 1`,
    [deepAt - 1],
  );
  const a = anchor.rows[0];
  const after = a ? { priority: a.priority, severity: a.severity, slaDueAt: a.sla_due_at, createdAt: a.created_at, id: a.id } : undefined;
  t = now();
  await list({ ...q, limit: 2_500, after });
  const deepMs = now() - t;
  t = now();
  await list({ ...q, updatedSince: firstPage[0]?.watermark ?? new Date().toISOString(), limit: 1_000 });
  const changesMs = now() - t;
  // the plan of that deep page, from the SQL listCases sends
  let deepPlan: string[] = [];
  if (after) {
    const seen: Array<{ text: string; params?: unknown[] }> = [];
    await listCases({ query: (text, params) => (seen.push({ text, params }), session.db.query(text, params)) }, { ...q, limit: 2_500, after });
    const { text, params } = seen[seen.length - 1]!;
    const plan = await session.db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ANALYZE ${text}`, params);
    deepPlan = plan.rows.map((r) => r['QUERY PLAN'].trim()).filter((l) => /Scan|Sort|Index Cond|Execution Time/.test(l));
  }
  return { firstMs, deepAt, deepMs, changesMs, deepPlan };
}

export async function benchUi() {
  const n = opt('cases', 'BENCH_UI_CASES', 100_000);
  const loadN = opt('load', 'BENCH_UI_LOAD', 1000);
  banner(`Part 4: UI in Chromium via the dev host, ${n} open cases`);
  const rendererDir = buildRenderer();
  const env = await isolatedEnv('bench_ui');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
  let core: Core | undefined;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'guardian-bench-ui-data-'));
  // Under the load phase the core has been seen to die from an unhandled 'error' event of the broker
  // channel wrapper: record it as a result instead of losing the run.
  const crashes: string[] = [];
  process.on('uncaughtException', (err) => {
    crashes.push(err.message);
    console.log(`CORE PROCESS ERROR (uncaught, would have killed the process): ${err.message}`);
  });
  try {
    core = await startCore(env, { GUARDIAN_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn' });
    // Every session a seat opens (the page signs in as mod-1) has its listCases timed while `recordList`
    // is set (the load phase): the requests the renderer sends, as the core serves them.
    let recordList: ((c: { kind: ListKind; ms: number; rows: number }) => void) | undefined;
    const openSession = core.openSession.bind(core);
    core.openSession = async (req) => {
      const session = await openSession(req);
      const list = session.listCases.bind(session);
      session.listCases = async (q) => {
        if (!recordList) return list(q);
        const t = now();
        let rows = 0;
        try {
          const r = await list(q);
          rows = r.length;
          return r;
        } finally {
          recordList?.({ kind: listKind(q), ms: now() - t, rows });
        }
      };
      return session;
    };
    // the bench's own session as mod-1 (the page's seat has another one, opened at its sign-in)
    const tSession = now();
    const mod1 = await personSession(core, env, USERS.mod1, 'ui');
    // what a seat's sign-in costs on the server side (new pool, schema check, whoami): the page's seat
    // pays it once more when its WebSocket connects, inside "first row"
    const sessionOpenMs = now() - tSession;
    console.log(`a person's session opened (mod-1's login: pool, schema check, whoami) in ${f1(sessionOpenMs)} ms`);
    await seedCases(env, n);
    // server side of the queue load: what the core does for the renderer's cases:list (limit 100000)
    const ts = now();
    const all = await mod1.listCases({ status: ['awaiting_review'], limit: 100_000 });
    const listMs = now() - ts;
    const tj = now();
    const payload = JSON.stringify({ id: 1, result: { ok: true, value: all } });
    const jsonMs = now() - tj;
    console.log(`core.listCases(awaiting_review, limit 100000): ${all.length} rows in ${f1(listMs)} ms; JSON for the WebSocket ${f1(jsonMs)} ms, ${mb(payload.length)}`);

    const plan = await mod1.db.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, BUFFERS) SELECT c.*, (c.claim_until IS NOT NULL AND c.claim_until > now()) AS claim_active FROM cases c
        WHERE c.status = ANY($1) ORDER BY ${QUEUE_ORDER_SQL} LIMIT 100000 OFFSET 0`,
      [['awaiting_review']],
    );
    const planLines = plan.rows.map((r) => r['QUERY PLAN']);
    // the same rows with only the summary's columns (what a trimmed listCases would read and parse)
    const tt = now();
    const trimmed = await mod1.db.query(
      `SELECT c.id, c.content_id, c.author_id, c.status, c.level, c.review_kind, c.version, c.severity, c.violation_type, c.verdict,
              c.priority, c.claimed_by, c.claim_until, left(c.text, 160) AS text, c.created_at, c.updated_at, c.sla_due_at,
              (c.claim_until IS NOT NULL AND c.claim_until > now()) AS claim_active
         FROM cases c WHERE c.status = ANY($1) ORDER BY ${QUEUE_ORDER_SQL} LIMIT 100000`,
      [['awaiting_review']],
    );
    const trimmedMs = now() - tt;
    console.log(`  same rows with only the summary columns (diagnostic query): ${trimmed.rowCount} rows in ${f1(trimmedMs)} ms`);
    console.log(`  in PostgreSQL (EXPLAIN ANALYZE): ${planLines.filter((l) => /Execution Time|Sort Method|Seq Scan|Index Scan/.test(l)).map((l) => l.trim()).join(' | ')}`);
    // what the renderer asks for now: a first page, keyset pages (also deep ones), what changed
    const serverSide = await measureListQueries(mod1, n);
    console.log(
      `core.listCases as the renderer uses it: first page (300, with watermark) ${f1(serverSide.firstMs)} ms; ` +
        `keyset page of 2,500 after row ${serverSide.deepAt} ${f1(serverSide.deepMs)} ms; updatedSince (nothing changed) ${f1(serverSide.changesMs)} ms`,
    );
    console.log(`  deep keyset page in PostgreSQL (EXPLAIN ANALYZE): ${serverSide.deepPlan.join(' | ')}`);
    const seatLogin = env.people[USERS.mod1]!;
    const host = await startDevHost({ core, rendererDir, dataDir, initial: { login: seatLogin.login, password: seatLogin.password } });
    global.gc?.();
    await sleep(1000);
    const rssIdleBefore = process.memoryUsage().rss;

    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    // tsx (esbuild keepNames) wraps named inner functions in __name(): give the page a no-op one
    await context.addInitScript({ content: 'globalThis.__name = (f) => f;' });
    await context.addInitScript(INIT);
    const page = await context.newPage();
    // Where the first row's time goes: every request the renderer sends over the dev host's WebSocket until
    // the first row, with when it was sent and answered (ms after navigation), in send order.
    const wsCalls = new Map<number, { name: string; sent: number; answered?: number; bytes?: number }>();
    let wsOpened: number | undefined;
    page.on('websocket', (ws) => {
      wsOpened ??= now() - tNav;
      ws.on('framesent', (f) => {
        try {
          const m = JSON.parse(String(f.payload)) as { id?: number; name?: string };
          if (typeof m.id === 'number' && m.name) wsCalls.set(m.id, { name: m.name, sent: now() - tNav });
        } catch {
          /* not ours */
        }
      });
      ws.on('framereceived', (f) => {
        const text = String(f.payload);
        const id = /^\{"id":(\d+)/.exec(text)?.[1];
        const c = id ? wsCalls.get(Number(id)) : undefined;
        if (c && c.answered === undefined) Object.assign(c, { answered: now() - tNav, bytes: text.length });
      });
    });
    const tNav = now();
    await page.goto(host.urlFor());
    // the renderer shows a first page, then loads the rest in pages up to its QUEUE_LIMIT rows
    // (src/renderer/src/store/queue-sync.ts): the first row, then every row loaded ("loading more…" gone)
    const first = await page.waitForFunction(
      () => {
        const w = window as unknown as { __firstRow?: number; __firstShown?: number };
        const c = document.querySelector('[data-testid="queue-counts"]')?.textContent ?? '';
        const shown = Number(c.replace(/\D.*$/, '') || 0);
        if (document.querySelector('[data-testid="case-row"]') && w.__firstRow === undefined) {
          w.__firstRow = performance.now();
          w.__firstShown = shown;
        }
        const more = !!document.querySelector('[data-testid="queue-loading-more"]');
        return w.__firstRow !== undefined && shown > 0 && !more && !c.includes('refreshing')
          ? { firstRow: w.__firstRow, firstPageRows: w.__firstShown, full: performance.now(), shown }
          : false;
      },
      undefined,
      { polling: 'raf', timeout: 120_000 },
    );
    const firstRender = (await first.jsonValue()) as { firstRow: number; firstPageRows: number; full: number; shown: number };
    const wallFirst = now() - tNav;
    const nav = await page.evaluate(() => {
      const e = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      return { domContentLoaded: e.domContentLoadedEventEnd, load: e.loadEventEnd };
    });
    const startupLong = await page.evaluate(() => (window as unknown as { __longtasks: Array<{ duration: number }> }).__longtasks.map((t) => t.duration));
    console.log(
      `first rendered queue: first row at ${f1(firstRender.firstRow)} ms after navigation start (DOMContentLoaded ${f1(nav.domContentLoaded)} ms, ${firstRender.firstPageRows} rows shown), ` +
        `all ${firstRender.shown} rows the renderer loads (QUEUE_LIMIT) in the list at ${f1(firstRender.full)} ms; Playwright wall ${f1(wallFirst)} ms; long tasks during load: ${startupLong.length}, longest ${f1(Math.max(0, ...startupLong))} ms`,
    );
    const beforeFirst = [...wsCalls.values()].filter((c) => c.sent <= firstRender.firstRow);
    console.log(
      `  until the first row (Node clock, ms after navigation; WebSocket open at ${f1(wsOpened ?? NaN)}): ` +
        beforeFirst.map((c) => `${c.name} ${f1(c.sent)}→${c.answered === undefined ? '…' : f1(c.answered)}`).join(', '),
    );
    // The first row again in new windows (each a new seat: its sign-in, its session), on the same data: this
    // VM's timings swing run to run, so the target is judged on the median of all the loads.
    const firstRuns = opt('first-runs', 'BENCH_UI_FIRST_RUNS', 5);
    const firstRows = [firstRender.firstRow];
    const domLoaded = [nav.domContentLoaded];
    for (let i = 1; i < firstRuns; i++) {
      const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      await ctx.addInitScript({ content: 'globalThis.__name = (f) => f;' });
      const p2 = await ctx.newPage();
      await p2.goto(host.urlFor());
      const t = await p2.waitForFunction(() => (document.querySelector('[data-testid="case-row"]') ? performance.now() : false), undefined, { polling: 'raf', timeout: 60_000 });
      firstRows.push((await t.jsonValue()) as number);
      domLoaded.push(await p2.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).domContentLoadedEventEnd));
      await ctx.close();
    }
    const firstRowP50 = stats(firstRows).p50;
    console.log(
      `first row over ${firstRows.length} loads (a new window and seat each): p50 ${f1(firstRowP50)} ms [${firstRows.map(f1).join(', ')}]; ` +
        `DOMContentLoaded p50 ${f1(stats(domLoaded).p50)} ms`,
    );
    await sleep(1500);
    const rssIdle = process.memoryUsage().rss;

    // filter and sort latency (client-side filters re-filter the loaded rows; level is server-side: a new first page, then the rest)
    const filters: Record<string, unknown> = {};
    const reset = async () => {
      await timeSelect(page, 'Severity', 'any');
      await timeSelect(page, 'Sort', 'priority');
      await timeSelect(page, 'Priority', 'any');
    };
    filters.severityCritical = await timeSelect(page, 'Severity', 'critical');
    await reset();
    filters.priorityUrgent = await timeSelect(page, 'Priority', 'urgent');
    await reset();
    filters.sortSeverity = await timeSelect(page, 'Sort', 'severity');
    filters.sortWaiting = await timeSelect(page, 'Sort', 'waiting');
    await reset();
    filters.level2 = await timeSelect(page, 'Level', '2');
    await timeSelect(page, 'Level', '0');
    filters.search = await timeSearch(page, 'author-42');
    await timeSearch(page, '');
    for (const [k, v] of Object.entries(filters)) console.log(`  ${k.padEnd(18)} ${JSON.stringify(v)}`);

    // long tasks while scrolling
    await page.evaluate(() => ((window as unknown as { __longtasks: unknown[] }).__longtasks.length = 0));
    const box = await page.getByRole('listbox', { name: 'Cases' }).boundingBox();
    await page.mouse.move(box!.x + box!.width / 2, box!.y + box!.height / 2);
    const frames = page.evaluate(async () => {
      const gaps: number[] = [];
      let last = performance.now();
      const end = last + 5_500;
      await new Promise<void>((done) => {
        const tick = (t: number) => {
          gaps.push(t - last);
          last = t;
          if (t < end) requestAnimationFrame(tick);
          else done();
        };
        requestAnimationFrame(tick);
      });
      return gaps;
    });
    const tScroll = now();
    let wheels = 0;
    while (now() - tScroll < 5_000) {
      await page.mouse.wheel(0, wheels % 25 === 24 ? -4000 : 1200);
      wheels++;
      await sleep(16);
    }
    const gaps = await frames;
    const scrollTop = await page.evaluate(() => (document.querySelector('[role="listbox"]') as HTMLElement).scrollTop);
    const longScroll = await page.evaluate(() => (window as unknown as { __longtasks: Array<{ duration: number }> }).__longtasks.map((t) => t.duration));
    const g = stats(gaps);
    console.log(
      `scrolling (${wheels} wheel events in 5 s, ended at scrollTop ${scrollTop}): long tasks ${longScroll.length}, longest ${f1(Math.max(0, ...longScroll))} ms; ` +
        `frame interval p50 ${f1(g.p50)} p99 ${f1(g.p99)} max ${f1(g.max)} ms`,
    );

    // core RSS under pipeline load with the UI open (live updates → coalesced queue refetches)
    let rssPeak = 0;
    const timer = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 100);
    const listCalls: Array<{ kind: ListKind; ms: number; rows: number }> = [];
    recordList = (c) => listCalls.push(c);
    await page.evaluate(() => ((window as unknown as { __longtasks: unknown[] }).__longtasks.length = 0));
    /** Publishes loadN posts under a new run id and waits until they settle (or the wait gives up). */
    const pushLoad = async (tag: string) => {
      const run = runId(tag);
      const t0 = now();
      let error: string | undefined;
      let settled = loadN;
      await publishAll(env.vhost.url, Array.from({ length: loadN }, (_, i) => messageFor(run, i)));
      try {
        await waitSettled(env.pg, run, loadN, { progress: true, stallMs: 30_000, timeoutMs: opt('load-timeout', 'BENCH_UI_LOAD_TIMEOUT_MS', 90_000) });
      } catch (err) {
        error = (err as Error).message;
        const c = await statusCounts(env.pg, run);
        settled = (c.auto_resolved ?? 0) + (c.awaiting_review ?? 0) + (c.actioned ?? 0);
      }
      return { settled, seconds: (now() - t0) / 1000, error };
    };
    const { settled: settledN, seconds: loadS, error: loadError } = await pushLoad('uiload');
    clearInterval(timer);
    recordList = undefined;
    // the page may still be busy with queued refetches: bounded reads, then close it to stop the storm
    const bounded = <T>(p: Promise<T>, fallback: T) => Promise.race([p, sleep(10_000).then(() => fallback)]);
    const loadLong = await bounded(
      page.evaluate(() => (window as unknown as { __longtasks: Array<{ duration: number }> }).__longtasks.map((t) => t.duration)),
      [] as number[],
    );
    const heap = await bounded(
      page.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0),
      NaN,
    );
    // the page's list after the load: the same rows as a fresh read (the incremental merge kept up)
    const inPage = await bounded(
      page.evaluate(() => Number((document.querySelector('[data-testid="queue-counts"]')?.textContent ?? '').replace(/\D.*$/, '') || NaN)),
      NaN,
    );
    await context.close().catch(() => {});
    const inDb = (await env.pg.query(`SELECT count(*)::int AS n FROM cases WHERE status = 'awaiting_review'`)).rows[0].n as number;
    const lc = stats(listCalls.map((c) => c.ms));
    const byKind = Object.fromEntries(
      (['first', 'more', 'changes', 'other'] as const).map((k) => {
        const xs = listCalls.filter((c) => c.kind === k);
        const st = stats(xs.map((c) => c.ms));
        return [k, { n: xs.length, p50: st.p50, max: st.max, rows: xs.reduce((a, c) => a + c.rows, 0) }];
      }),
    );
    console.log(
      `pipeline with the UI open: ${settledN}/${loadN} cases settled in ${f1(loadS)} s = ${f1(settledN / loadS)} cases/s${loadError ? ` — ${loadError}` : ''}`,
    );
    console.log(
      `  meanwhile the core served ${listCalls.length} cases:list calls, p50 ${f1(lc.p50)} ms max ${f1(lc.max)} ms: ` +
        Object.entries(byKind)
          .filter(([, v]) => v.n)
          .map(([k, v]) => `${k} ${v.n} (p50 ${f1(v.p50)} ms, max ${f1(v.max)} ms, ${v.rows} rows)`)
          .join(', ') +
        `; renderer long tasks: ${loadLong.length}, longest ${f1(Math.max(0, ...loadLong))} ms, total ${f1(loadLong.reduce((a, b) => a + b, 0))} ms`,
    );
    console.log(`  the page's queue after the load: ${inPage} rows; awaiting review in the database: ${inDb} (the page keeps the first 20,000 in review order, plus urgent newcomers)`);

    // the same load with the page closed: the pipeline's own speed in this run, for the ratio
    let baseline: { settledN: number; loadS: number; perSec: number; error?: string } | undefined;
    if (process.env.BENCH_UI_BASELINE !== '0') {
      const { settled: settledB, seconds: sB, error: errB } = await pushLoad('uibase');
      baseline = { settledN: settledB, loadS: sB, perSec: settledB / sB, error: errB };
      console.log(
        `pipeline with the page closed (same run): ${settledB}/${loadN} in ${f1(sB)} s = ${f1(settledB / sB)} cases/s → with the UI open at ${f1((settledN / loadS / (settledB / sB)) * 100)} % of it`,
      );
    }
    console.log(
      `core RSS (this process = core + dev host): before the page ${mb(rssIdleBefore)}, idle with the page open ${mb(rssIdle)}, peak under pipeline load ${mb(rssPeak)}; ` +
        `renderer JS heap ${mb(heap)}`,
    );
    const targets = {
      firstRender: firstRowP50 <= 500,
      filter: [filters.severityCritical, filters.priorityUrgent].every((x) => (x as { shown: number }).shown <= 100),
      longTasks: Math.max(0, ...longScroll) <= 50,
    };
    console.log(
      `TARGETS first render ≤ 500 ms (p50 of the loads): ${targets.firstRender ? 'met' : 'MISSED'}; filter ≤ 100 ms (client-side filters, shown): ${targets.filter ? 'met' : 'MISSED'}; no long task > 50 ms while scrolling: ${targets.longTasks ? 'met' : 'MISSED'}`,
    );
    result('ui', {
      n,
      sessionOpenMs,
      listMs,
      jsonMs,
      payloadBytes: payload.length,
      serverSide,
      firstRender,
      firstRows,
      firstRowP50,
      domLoaded,
      wallFirst,
      nav,
      startupLong,
      filters,
      scroll: { wheels, longScroll, frames: g },
      rssIdleBefore,
      rssIdle,
      rssPeak,
      loadN,
      settledN,
      loadS,
      loadError,
      listCalls: { ...lc, byKind },
      inPage,
      inDb,
      baseline,
      loadLong,
      heap,
      targets,
      crashes,
      planLines,
      trimmedMs,
    });
    await Promise.race([host.close(), sleep(5_000)]);
  } catch (err) {
    console.error(`UI benchmark failed: ${(err as Error).stack ?? err}`);
    throw err;
  } finally {
    // stop the core before its vhost is dropped (a dropped vhost makes its reconnect fail with 403);
    // bounded: after the load phase the core may still be chewing on queued list requests
    await browser.close().catch(() => {});
    await Promise.race([core?.stop().catch(() => {}), sleep(20_000)]);
    await env.drop();
    rmSync(dataDir, { recursive: true, force: true });
    footer();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    await benchUi();
    process.exit(0);
  } catch (err) {
    console.error(`UI benchmark failed: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  }
}
