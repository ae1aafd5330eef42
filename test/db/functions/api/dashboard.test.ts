/**
 * api.dashboard as real logins, on several days of seeded history (test/support/dashboard-seed.ts): every
 * number it returns is checked against SQL written independently here (review spans from a window
 * function over the audit log, per-bucket counts one query each, percentiles computed in TypeScript), plus
 * sanity checks against what the fixture knows it seeded. Moderators, the worker and a login that is no
 * person are refused by the database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { verifyAudit } from '../../../../src/core/audit/verify.js';
import { Dashboard, dashboardCsv, type DashboardWindow } from '../../../../src/shared/dashboard.js';
import { seedDashboard, type SeedResult } from '../../../support/dashboard-seed.js';
import { api, createFixture, errorOf, type Fixture } from './support.js';

let f: Fixture;
let seed: SeedResult;
beforeAll(async () => {
  f = await createFixture();
  seed = await seedDashboard(f.inst.dbaUrl, { open: true, people: { mod: ['mod-1', 'mod-2'], sup: ['sup-1', 'sup-2'] } });
});
afterAll(async () => {
  await f?.drop();
});

const dashboard = async (who: Fixture['people'][keyof Fixture['people']], window: DashboardWindow, sla = 60) =>
  Dashboard.parse(await api(who, 'dashboard', { p_window: window, p_sla_minutes: sla }));

const ENDS = ['decision.made', 'appeal.decided', 'review.requested', 'case.failed', 'case.auto_resolved', 'case.actioned', 'case.closed'];

/** Linear-interpolation percentile (as PostgreSQL's percentile_cont), computed here. */
function percentile(values: number[], p: number): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const k = (s.length - 1) * p;
  const lo = Math.floor(k);
  const hi = Math.ceil(k);
  return s[lo]! + (s[hi]! - s[lo]!) * (k - lo);
}

async function expectedBuckets(d: Dashboard) {
  const stepMs = d.bucket === 'hour' ? 3600_000 : 86_400_000;
  const asOf = new Date(d.asOf).getTime();
  const out = [];
  for (const b of d.buckets) {
    const start = new Date(b.start);
    const end = new Date(start.getTime() + stepMs);
    const at = new Date(Math.min(end.getTime(), asOf));
    const { rows: bl } = await f.inst.dba(
      `WITH ev AS (
         SELECT case_id, type, created_at, lead(created_at) OVER (PARTITION BY case_id ORDER BY id) AS next_at
           FROM audit_events WHERE type = ANY($3::text[])),
       spans AS (SELECT ev.created_at AS s, ev.next_at AS e, c.priority FROM ev JOIN cases c ON c.id = ev.case_id WHERE ev.type = 'review.requested')
       SELECT count(*)::int AS backlog,
              count(*) FILTER (WHERE $1::timestamptz - s > CASE WHEN priority = 'urgent' THEN ceil($2 / 4.0) ELSE $2 END * interval '1 minute')::int AS breached
         FROM spans WHERE s <= $1 AND (e IS NULL OR e > $1)`,
      [at, d.slaMinutes, ENDS],
    );
    const { rows: cr } = await f.inst.dba(
      `SELECT count(*)::int AS intake,
              count(*) FILTER (WHERE status = 'auto_resolved' AND last_decision IS NULL OR last_decision->>'actor' = 'agent')::int AS automatic,
              count(*) FILTER (WHERE NOT (status = 'auto_resolved' AND last_decision IS NULL OR coalesce(last_decision->>'actor', '') = 'agent') AND review_kind IS NOT NULL)::int AS reviewed
         FROM cases WHERE created_at >= $1 AND created_at < $2`,
      [start, end],
    );
    const { rows: dec } = await f.inst.dba(
      `SELECT count(*)::int AS decided, count(*) FILTER (WHERE cm.payload->>'decision' = c.analysis->>'suggestedAction')::int AS agreed
         FROM commands cm, cases c
        WHERE c.id = cm.case_id AND cm.type = 'decide' AND cm.status = 'applied' AND cm.created_at >= $1 AND cm.created_at < $2
          AND cm.payload #>> '{context,reviewKind}' = 'initial' AND cm.payload->>'decision' <> 'escalate' AND c.analysis->>'suggestedAction' IS NOT NULL`,
      [start, end],
    );
    const { rows: ap } = await f.inst.dba(
      `SELECT count(*)::int AS decided, count(*) FILTER (WHERE payload->>'outcome' = 'overturn')::int AS overturned
         FROM commands WHERE type = 'appeal_decide' AND status = 'applied' AND created_at >= $1 AND created_at < $2`,
      [start, end],
    );
    const c = cr[0];
    out.push({
      start: b.start,
      backlog: bl[0].backlog,
      slaBreached: bl[0].breached,
      intake: c.intake,
      automatic: c.automatic,
      reviewed: c.reviewed,
      other: c.intake - c.automatic - c.reviewed,
      decided: dec[0].decided,
      agreed: dec[0].agreed,
      agreement: dec[0].decided ? dec[0].agreed / dec[0].decided : null,
      appealsDecided: ap[0].decided,
      overturned: ap[0].overturned,
      overturnRate: ap[0].decided ? ap[0].overturned / ap[0].decided : null,
    });
  }
  return out;
}

async function expectedModerators(d: Dashboard) {
  const { rows } = await f.inst.dba<{ case_id: string; type: string; actor: string; at: Date }>(
    `SELECT case_id, type, actor, created_at AS at FROM commands WHERE status = 'applied' AND type IN ('claim', 'decide', 'appeal_decide') ORDER BY created_at, id`,
  );
  const stats = new Map<string, { decisions: number; seconds: number[] }>();
  for (const r of rows) {
    if (r.type === 'claim') continue;
    if (r.at < new Date(d.from) || r.at >= new Date(d.to)) continue;
    // The person's latest claim of the case after the case's previous decision (of anyone), up to this one.
    const previous = rows.filter((x) => x.case_id === r.case_id && x.type !== 'claim' && x.at < r.at).map((x) => x.at.getTime());
    const after = previous.length ? Math.max(...previous) : -Infinity;
    const claims = rows.filter((x) => x.case_id === r.case_id && x.type === 'claim' && x.actor === r.actor && x.at <= r.at && x.at.getTime() > after);
    const s = stats.get(r.actor) ?? { decisions: 0, seconds: [] };
    s.decisions++;
    if (claims.length) s.seconds.push((r.at.getTime() - Math.max(...claims.map((x) => x.at.getTime()))) / 1000);
    stats.set(r.actor, s);
  }
  const { rows: names } = await f.inst.dba<{ id: string; display_name: string }>('SELECT id, display_name FROM moderators');
  const name = new Map(names.map((n) => [n.id, n.display_name]));
  return [...stats]
    .map(([actor, s]) => ({
      actor,
      displayName: name.get(actor) ?? actor,
      decisions: s.decisions,
      timed: s.seconds.length,
      medianSeconds: percentile(s.seconds, 0.5),
      p90Seconds: percentile(s.seconds, 0.9),
    }))
    .sort((a, b) => b.decisions - a.decisions || a.actor.localeCompare(b.actor));
}

async function expectedCategories(d: Dashboard) {
  const { rows } = await f.inst.dba<{ category: string; count: number }>(
    `SELECT coalesce(violation_type, 'pending') AS category, count(*)::int AS count FROM cases
      WHERE created_at >= $1 AND created_at < $2 GROUP BY 1 ORDER BY 2 DESC, 1`,
    [d.from, d.to],
  );
  return rows;
}

describe('api.dashboard', () => {
  for (const window of ['24h', '7d', '30d'] as const) {
    it(`${window}: every number matches independent SQL over the seeded days`, async () => {
      const d = await dashboard(f.people.sup1, window);
      expect(d.window).toBe(window);
      expect(d.buckets).toHaveLength(window === '24h' ? 24 : window === '7d' ? 7 : 30);
      const stepMs = window === '24h' ? 3600_000 : 86_400_000;
      expect(new Date(d.to).getTime() - new Date(d.from).getTime()).toBe(d.buckets.length * stepMs);
      expect(d.buckets.map((b) => new Date(b.start).getTime())).toEqual(d.buckets.map((_, i) => new Date(d.from).getTime() + i * stepMs));
      expect(new Date(d.asOf).getTime()).toBeGreaterThanOrEqual(new Date(d.to).getTime() - stepMs);

      const buckets = await expectedBuckets(d);
      for (let i = 0; i < buckets.length; i++) expect(d.buckets[i], `bucket ${d.buckets[i]!.start}`).toEqual(buckets[i]);
      expect(d.categories).toEqual(await expectedCategories(d));
      const mods = await expectedModerators(d);
      expect(d.moderators.map((m) => m.actor)).toEqual(mods.map((m) => m.actor));
      for (let i = 0; i < mods.length; i++) {
        const m = d.moderators[i]!;
        const e = mods[i]!;
        expect({ ...m, medianSeconds: null, p90Seconds: null }).toEqual({ ...e, medianSeconds: null, p90Seconds: null });
        expect(m.medianSeconds).toBeCloseTo(e.medianSeconds!, 6);
        expect(m.p90Seconds).toBeCloseTo(e.p90Seconds!, 6);
      }
    });
  }

  it('the totals agree with what the fixture seeded (not only with SQL)', async () => {
    const d = await dashboard(f.people.admin, '30d');
    const sum = (k: 'intake' | 'automatic' | 'reviewed' | 'decided' | 'appealsDecided') => d.buckets.reduce((n, b) => n + b[k], 0);
    const c = seed.counts;
    expect(sum('intake')).toBe(seed.caseIds.length);
    expect(sum('automatic')).toBe(c.clean + c.spam);
    expect(sum('reviewed')).toBe(c.review + c.appeal + c.open);
    // first-level decisions: each review, and each appeal case's first decision is an escalation (not counted)
    expect(sum('decided')).toBe(c.review);
    expect(sum('appealsDecided')).toBe(c.appeal);
    // decisions by people: one per review, three per appeal case (escalate, escalated review, appeal)
    expect(d.moderators.reduce((n, m) => n + m.decisions, 0)).toBe(c.review + 3 * c.appeal);
    expect(d.moderators.every((m) => m.timed === m.decisions)).toBe(true);
    expect(d.categories.find((x) => x.category === 'spam')?.count).toBe(c.spam);
    // Now: the two open reviews, one of them past the SLA; with a 4-hour SLA neither is.
    expect(d.buckets.at(-1)).toMatchObject({ backlog: 2, slaBreached: 1 });
    const lenient = await dashboard(f.people.sup2, '24h', 240);
    expect(lenient.buckets.at(-1)).toMatchObject({ backlog: 2, slaBreached: 0 });
    // An urgent review is breached at a quarter of the SLA: with SLA 20 min (urgent: 5) both are.
    const strict = await dashboard(f.people.sup2, '24h', 20);
    expect(strict.buckets.at(-1)).toMatchObject({ backlog: 2, slaBreached: 2 });
  });

  it('CSV export: three sections with headers, one line per bucket, category and moderator, numbers as returned', async () => {
    const d = await dashboard(f.people.sup1, '7d');
    const csv = dashboardCsv(d);
    const sections = csv.split('\r\n\r\n');
    expect(sections).toHaveLength(3);
    const [buckets, categories, people] = sections.map((s) => s.trimEnd().split('\r\n').map((l) => l.split(',')));
    expect(buckets![0]).toEqual(['bucket_start', 'backlog', 'sla_breached', 'intake', 'automatic', 'reviewed', 'other', 'decided', 'agreed', 'agreement', 'appeals_decided', 'overturned', 'overturn_rate']);
    expect(buckets!.slice(1).map((r) => r[0])).toEqual(d.buckets.map((b) => b.start));
    expect(buckets!.slice(1).map((r) => Number(r[3]))).toEqual(d.buckets.map((b) => b.intake));
    expect(buckets!.slice(1).map((r) => (r[9] === '' ? null : Number(r[9])))).toEqual(d.buckets.map((b) => b.agreement));
    expect(categories!.slice(1)).toEqual(d.categories.map((c) => [c.category, String(c.count)]));
    expect(people!.slice(1).map((r) => [r[0], Number(r[2]), Number(r[4])])).toEqual(d.moderators.map((m) => [m.actor, m.decisions, m.medianSeconds]));
    // A value with a comma or a quote is quoted.
    const odd = dashboardCsv({ ...d, moderators: [{ ...d.moderators[0]!, displayName: 'Smith, "Jo"' }] });
    expect(odd).toContain('"Smith, ""Jo"""');
  });

  it('refuses a moderator, the worker and a login in the moderator group (no EXECUTE), and a supervisor-group login that is no person', async () => {
    for (const who of [f.people.mod1, f.worker, f.stranger]) {
      const err = await errorOf(api(who, 'dashboard', { p_window: '7d' }));
      expect(err.code).toBe('42501');
    }
    const login = `${f.inst.roles.prefix}_nobody_sup`;
    await f.inst.dba(`CREATE ROLE "${login}" LOGIN IN ROLE "${f.inst.roles.supervisor}"`);
    const nobody = { id: login, login, pool: f.inst.pool(f.inst.urlFor(login)) };
    expect((await errorOf(api(nobody, 'dashboard', { p_window: '7d' }))).code).toBe('GWFRB');
    // The moderator cannot read around it either: no direct DML, and SET ROLE to a supervisor is not theirs.
    expect((await errorOf(f.people.mod1.pool.query(`SET ROLE "${f.inst.roles.supervisor}"`))).code).toBe('42501');
  });

  it('refuses a window or an SLA it does not know (invalid input)', async () => {
    expect((await errorOf(api(f.people.sup1, 'dashboard', { p_window: '1y' }))).code).toBe('GWINV');
    expect((await errorOf(api(f.people.sup1, 'dashboard', { p_window: '7d', p_sla_minutes: 0 }))).code).toBe('GWINV');
  });

  it('the seeded history keeps every audit chain intact (guardian audit verify)', async () => {
    const pool = new pg.Pool({ connectionString: f.inst.dbaUrl, max: 1 });
    try {
      const report = await verifyAudit(pool, {});
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
      expect(report.streams).toBeGreaterThanOrEqual(seed.caseIds.length);
    } finally {
      await pool.end();
    }
  });

  it('changes nothing: no command, no audit event', async () => {
    const before = await f.inst.dba('SELECT (SELECT count(*) FROM commands)::int AS c, (SELECT count(*) FROM audit_events)::int AS a');
    await dashboard(f.people.sup1, '7d');
    const after = await f.inst.dba('SELECT (SELECT count(*) FROM commands)::int AS c, (SELECT count(*) FROM audit_events)::int AS a');
    expect(after.rows[0]).toEqual(before.rows[0]);
  });
});
