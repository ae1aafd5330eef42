// Shared helpers for the benchmarks (bench/*.ts). Benchmarks print numbers; they never assert timings.
// Every part runs on its own PostgreSQL database and RabbitMQ vhost (test/support/isolation.ts), so it
// never touches other data, and drops them afterwards (BENCH_KEEP=1 keeps them for inspection).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { loadConfig } from '../src/core/config.js';
import { createCore, type Core } from '../src/core/core.js';
import { createLogger } from '../src/core/log.js';
import { createTestDatabase, createTestVhost, type TestDatabase, type TestVhost } from '../test/support/isolation.js';
import { contentMessage, plainPublisher, TEXT, USERS } from '../test/support/harness.js';

export { contentMessage, plainPublisher, TEXT, USERS };

// Experiment switch for the proposed fix to the bus (BENCHMARKS.md, "Nagle"): BENCH_NODELAY=1 forces
// TCP_NODELAY on every socket of this process, i.e. what `connectionOptions: { noDelay: true }` in
// src/core/queue/amqp-bus.ts would do for the broker connection (pg already sets it).
if (process.env.BENCH_NODELAY === '1') {
  const orig = net.Socket.prototype.setNoDelay;
  net.Socket.prototype.setNoDelay = function (this: net.Socket) {
    return orig.call(this, true);
  };
}

/** A number from argv (`--name=value` or `--name value`) or the environment, else the default. */
export function opt(name: string, envName: string, def: number): number {
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === `--${name}` && argv[i + 1]) return Number(argv[i + 1]);
    if (a.startsWith(`--${name}=`)) return Number(a.slice(name.length + 3));
  }
  const v = process.env[envName];
  return v !== undefined && v !== '' ? Number(v) : def;
}

export const now = () => performance.now();
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function stats(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return { n: s.length, min: s[0] ?? NaN, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN, mean };
}

export const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : String(n));
export const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : String(n));
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** `uptime` output plus the load averages, to print next to every result (2 shared cores). */
export function machineLoad(): string {
  let up = '';
  try {
    up = execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    up = `load average: ${os.loadavg().map((l) => l.toFixed(2)).join(', ')}`;
  }
  return up;
}

/** Prints a header with the machine and its load. */
export function banner(title: string) {
  console.log(`\n=== ${title} ===`);
  console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ${mb(os.totalmem())} RAM, node ${process.version}`);
  console.log(`load before: ${machineLoad()}`);
}

export function footer() {
  console.log(`load after:  ${machineLoad()}`);
}

/** Machine-readable result line (collected by bench/all.ts and for BENCHMARKS.md). */
export function result(part: string, data: Record<string, unknown>) {
  console.log(`RESULT ${JSON.stringify({ part, at: new Date().toISOString(), load: os.loadavg(), ...data })}`);
}

export interface Env {
  db: TestDatabase;
  vhost: TestVhost;
  /** The bench's own connections (progress polls): never taken from the core's pool. */
  pg: pg.Pool;
  drop(): Promise<void>;
}

/** A fresh database and vhost for one benchmark part. */
export async function isolatedEnv(prefix: string): Promise<Env> {
  const db = await createTestDatabase(prefix);
  const vhost = await createTestVhost(prefix);
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', () => {});
  return {
    db,
    vhost,
    pg: pool,
    async drop() {
      await pool.end().catch(() => {});
      if (process.env.BENCH_KEEP === '1') {
        console.log(`BENCH_KEEP=1: kept database ${db.name} and vhost ${vhost.vhost}`);
        return;
      }
      await vhost.drop().catch((e: Error) => console.error(`vhost drop failed: ${e.message}`));
      await db.drop().catch((e: Error) => console.error(`database drop failed: ${e.message}`));
    },
  };
}

/**
 * A connected-mode core (the one the workstation and worker run), on the isolated database and vhost,
 * with the built-in simulator platform (no PLATFORM_URL) and the offline rules classifier.
 */
export async function startCore(env: Env, extra: Record<string, string> = {}, o: { worker?: boolean; beforeStart?: (core: Core) => void } = {}): Promise<Core> {
  const vars: Record<string, string> = {
    DATABASE_URL: env.db.url,
    AMQP_URL: env.vhost.url,
    GUARDIAN_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error',
    ...(process.env.GUARDIAN_PREFETCH ? { GUARDIAN_PREFETCH: process.env.GUARDIAN_PREFETCH } : {}),
    ...extra,
  };
  const config = loadConfig(vars);
  const core = await createCore({ config, logger: createLogger({ level: vars.GUARDIAN_LOG_LEVEL }), worker: o.worker ?? true });
  o.beforeStart?.(core);
  await core.start();
  return core;
}

export async function addUsers(core: Core) {
  for (const [key, id] of Object.entries(USERS)) {
    const role = key.startsWith('mod') ? 'moderator' : key.startsWith('sup') ? 'supervisor' : 'admin';
    await core.addModerator({ id, role, actor: 'bench', tool: 'cli' });
  }
}

/** The prefetch the core's work queues use (GUARDIAN_PREFETCH, default from config). */
export function corePrefetch(): number {
  return loadConfig({ GUARDIAN_PREFETCH: process.env.GUARDIAN_PREFETCH ?? '' }).prefetch;
}

export type Kind = 'clean' | 'violating' | 'spam' | 'urgent';

// A realistic mix: most content is fine, a quarter needs a human, some is spam the agent warns on.
const CLEAN = [
  TEXT.clean,
  'Had a lovely walk by the river this morning, the autumn colours are amazing.',
  'Does anyone know a good recipe for sourdough? Mine keeps coming out flat.',
  'Congrats to the team on the release, great work everyone!',
  'Reminder: the community meetup is on Thursday at 7pm.',
];
const VIOLATING = [TEXT.threat, TEXT.insult, 'What a loser, go back to wherever you came from', 'Call me at 555-0134 or mail jane.doe@example.com for the files'];
const SPAM = [TEXT.spam, 'FREE MONEY!!! limited offer, click here now http://win.example'];
const URGENT = ['I am going to hurt you, you know where I live'];

/** Deterministic mix: 60 % clean, 25 % violating, 10 % spam, 5 % urgent threats. */
export function mixKind(i: number): Kind {
  const r = i % 20;
  if (r < 12) return 'clean';
  if (r < 17) return 'violating';
  if (r < 19) return 'spam';
  return 'urgent';
}

export function messageFor(runId: string, i: number, kind: Kind = mixKind(i)) {
  const pick = (a: string[]) => a[i % a.length]!;
  const text = kind === 'clean' ? pick(CLEAN) : kind === 'violating' ? pick(VIOLATING) : kind === 'spam' ? pick(SPAM) : pick(URGENT);
  // A per-message suffix keeps texts distinct (like real posts) without changing the verdict.
  return contentMessage(`${runId}-${i}`, `${text} #${i}`, kind === 'urgent' ? { priority: 'urgent' } : {});
}

/** Publishes messages with confirms, pipelined in windows (as a busy platform would). */
export async function publishAll(url: string, msgs: object[], window = 500): Promise<number> {
  const pub = await plainPublisher(url);
  const t0 = now();
  try {
    for (let i = 0; i < msgs.length; i += window) {
      for (const m of msgs.slice(i, i + window)) {
        pub.channel.publish('moderation.ingest', 'content.submitted', Buffer.from(JSON.stringify(m)), { persistent: true, contentType: 'application/json' });
      }
      await pub.channel.waitForConfirms();
    }
  } finally {
    await pub.close();
  }
  return now() - t0;
}

/** Counts of cases by status among the given content id prefix. */
export async function statusCounts(db: Pick<pg.Pool, 'query'>, prefix: string): Promise<Record<string, number>> {
  const { rows } = await db.query<{ status: string; n: number }>(
    `SELECT status, count(*)::int AS n FROM cases WHERE content_id LIKE $1 GROUP BY status`,
    [`${prefix}-%`],
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/**
 * Waits until `n` cases of the run have settled (auto_resolved | awaiting_review | actioned), polling the
 * database. Returns the wall time at which that was first seen. Throws when nothing moves for stallMs.
 */
export async function waitSettled(
  db: Pick<pg.Pool, 'query'>,
  prefix: string,
  n: number,
  o: { pollMs?: number; stallMs?: number; progress?: boolean; timeoutMs?: number } = {},
) {
  const poll = o.pollMs ?? 200;
  const stall = o.stallMs ?? 60_000;
  const deadline = now() + (o.timeoutMs ?? Infinity);
  let last = -1;
  let lastChange = now();
  let lastPrint = now();
  for (;;) {
    const c = await statusCounts(db, prefix);
    const settled = (c.auto_resolved ?? 0) + (c.awaiting_review ?? 0) + (c.actioned ?? 0);
    if (settled >= n) return { at: now(), counts: c };
    if (settled !== last) {
      last = settled;
      lastChange = now();
    } else if (now() - lastChange > stall) {
      throw new Error(`stalled at ${settled}/${n} settled for ${stall} ms: ${JSON.stringify(c)}`);
    }
    if (now() > deadline) throw new Error(`gave up after ${o.timeoutMs} ms at ${settled}/${n} settled: ${JSON.stringify(c)}`);
    if (o.progress && now() - lastPrint > 5_000) {
      lastPrint = now();
      process.stderr.write(`  … ${settled}/${n} settled ${JSON.stringify(c)}\n`);
    }
    await sleep(poll);
  }
}

export function runId(tag: string) {
  return `${tag}-${Date.now().toString(36)}`;
}

// ---- CPU accounting: where the two cores go during a run -------------------------------------------

const TICK = 100; // USER_HZ on Linux

function procTicks(): Map<number, { comm: string; ticks: number }> {
  const out = new Map<number, { comm: string; ticks: number }>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = s.lastIndexOf(')');
      const comm = s.slice(s.indexOf('(') + 1, close);
      const f = s.slice(close + 2).split(' ');
      out.set(Number(d), { comm, ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      /* gone */
    }
  }
  return out;
}

function machineTicks() {
  const l = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number);
  const idle = l[3]! + (l[4] ?? 0);
  const total = l.reduce((a, b) => a + b, 0);
  return { idle, total };
}

/** Starts CPU accounting; stop() returns CPU seconds per group and this process's event-loop utilisation. */
export function cpuMeter() {
  const p0 = procTicks();
  const m0 = machineTicks();
  const c0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const t0 = now();
  return {
    stop() {
      const p1 = procTicks();
      const m1 = machineTicks();
      const c1 = process.cpuUsage(c0);
      const elu = performance.eventLoopUtilization(elu0);
      const wall = (now() - t0) / 1000;
      const groups: Record<string, number> = { postgres: 0, rabbitmq: 0, other: 0 };
      const others = new Map<string, number>();
      for (const [pid, v] of p1) {
        if (pid === process.pid) continue;
        const before = p0.get(pid);
        const d = (v.ticks - (before && before.comm === v.comm ? before.ticks : 0)) / TICK;
        if (d <= 0) continue;
        const g = v.comm === 'postgres' ? 'postgres' : /beam|erl|epmd/.test(v.comm) ? 'rabbitmq' : 'other';
        groups[g]! += d;
        if (g === 'other') others.set(v.comm, (others.get(v.comm) ?? 0) + d);
      }
      const busy = 1 - (m1.idle - m0.idle) / Math.max(1, m1.total - m0.total);
      return {
        wallS: wall,
        benchProcessCpuS: (c1.user + c1.system) / 1e6,
        postgresCpuS: groups.postgres!,
        rabbitmqCpuS: groups.rabbitmq!,
        otherCpuS: groups.other!,
        otherTop: [...others].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k, v]) => `${k} ${v.toFixed(1)}s`).join(', '),
        machineBusy: busy,
        eventLoopUtilization: elu.utilization,
      };
    },
  };
}

export function describeCpu(c: ReturnType<ReturnType<typeof cpuMeter>['stop']>) {
  const pct = (s: number) => `${((s / c.wallS) * 100).toFixed(0)} %`;
  return `cpu over ${f1(c.wallS)} s: bench/core process ${pct(c.benchProcessCpuS)} of a core (event loop utilisation ${(c.eventLoopUtilization * 100).toFixed(0)} %), postgres ${pct(c.postgresCpuS)}, rabbitmq ${pct(c.rabbitmqCpuS)}, other ${pct(c.otherCpuS)} (${c.otherTop || '-'}); machine busy ${(c.machineBusy * 100).toFixed(0)} % of 2 cores`;
}

// ---- SQL statement counting (diagnostics): how many round trips each case costs --------------------

const sqlCounts = new Map<string, number>();
let sqlCounting = false;

/** Wraps pg.Client#query once so statements can be counted by their normalised text. */
export function countQueries(on: boolean) {
  sqlCounting = on;
  const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown; __benchWrapped?: boolean };
  if (proto.__benchWrapped) return;
  const orig = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    if (sqlCounting) {
      const a0 = args[0] as string | { text?: string; name?: string };
      const text = typeof a0 === 'string' ? a0 : (a0?.text ?? a0?.name ?? '?');
      const key = text.replace(/\s+/g, ' ').trim().slice(0, 90);
      sqlCounts.set(key, (sqlCounts.get(key) ?? 0) + 1);
    }
    return orig.apply(this, args);
  };
  proto.__benchWrapped = true;
}

export function takeQueryCounts(): Array<[string, number]> {
  const out = [...sqlCounts].sort((a, b) => b[1] - a[1]);
  sqlCounts.clear();
  return out;
}

export function printQueryCounts(label: string, perUnit: number, unit: string) {
  const counts = takeQueryCounts();
  const total = counts.reduce((a, [, n]) => a + n, 0);
  console.log(`${label}: ${total} SQL statements = ${f1(total / perUnit)} per ${unit}`);
  for (const [q, n] of counts.slice(0, 30)) console.log(`  ${f2(n / perUnit).padStart(6)}  ${q}`);
  return total / perUnit;
}
