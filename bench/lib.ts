// Shared helpers for the benchmarks (bench/*.ts). Benchmarks print numbers; they never assert timings.
// Every part runs on its own installation (isolatedEnv): a PostgreSQL database set up by `setupDatabase`
// as the DBA with a role prefix of its own (roles are cluster-wide), and a RabbitMQ vhost
// (test/support/isolation.ts), so it never touches other data, and drops them and its roles afterwards
// (BENCH_KEEP=1 keeps them for inspection). The worker core runs on the worker login; people act through
// their own logins (DESIGN §10); only the bench's polls and inspection use the DBA.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { loadConfig } from '../src/core/config.js';
import { createCore, type Core } from '../src/core/core.js';
import { createLogger, silentLogger } from '../src/core/log.js';
import type { PersonSession } from '../src/core/session/person-session.js';
import { declareBrokerTopology } from '../src/core/setup/broker-setup.js';
import { setupDatabase } from '../src/core/setup/db-setup.js';
import { roleNames, type RoleNames } from '../src/core/setup/roles.js';
import { generatePassword, scramVerifier } from '../src/core/setup/scram.js';
import { createTestDatabase, createTestVhost, type TestDatabase, type TestVhost } from '../test/support/isolation.js';
import { dropRoles, type TestPerson } from '../test/support/installation.js';
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

/**
 * Machine-readable result line (collected by bench/all.ts and for BENCHMARKS.md). A part run on its own
 * (`npm run bench:decisions`) also appends it to BENCH_RESULTS_FILE when that is set; under bench/all.ts
 * (BENCH_ALL=1) the parent writes the file. BENCH_SOURCE, if set, says which run the line is from.
 */
export function result(part: string, data: Record<string, unknown>) {
  const source = process.env.BENCH_SOURCE ? { source: process.env.BENCH_SOURCE } : {};
  const line = JSON.stringify({ ...source, part, at: new Date().toISOString(), load: os.loadavg(), ...data });
  console.log(`RESULT ${line}`);
  const file = process.env.BENCH_RESULTS_FILE;
  if (file && process.env.BENCH_ALL !== '1') {
    mkdirSync(path.dirname(file), { recursive: true });
    appendFileSync(file, `${line}\n`);
  }
}

export interface Env {
  db: TestDatabase;
  vhost: TestVhost;
  /** This run's installation roles (a unique prefix: roles are cluster-wide), dropped by drop(). */
  roles: RoleNames;
  /** The DBA (superuser) URL: for arranging and inspecting only, never as an actor. */
  dbaUrl: string;
  /** The worker login's DATABASE_URL (the worker core runs on it). */
  workerUrl: string;
  workerLogin: string;
  /** The USERS, each with their own login (created as the DBA, like the first admin of `guardian setup`). */
  people: Record<string, TestPerson>;
  /** `setupDatabase` on the empty database, ms (roles, migrations, checkpoint tables, privileges, functions). */
  setupMs: number;
  /** The bench's own connections (progress polls, inspection) as the DBA: never taken from the core's pools. */
  pg: pg.Pool;
  dba<R extends pg.QueryResultRow = any>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  drop(): Promise<void>;
}

/** A role prefix unique to this run: `gb<time><random>` (bench; tests use `gt…`). */
function benchRolePrefix(): string {
  return `gb${Date.now().toString(36).slice(-5)}${randomBytes(3).toString('hex')}`;
}

const q = (id: string) => `"${id.replace(/"/g, '""')}"`;

/**
 * A fresh installation for one benchmark part (DESIGN §10): its own database, set up by `setupDatabase`
 * as the DBA with a role prefix of its own, a worker login, the USERS as persons with their own logins,
 * and its own vhost with the broker topology. drop() removes the vhost, the database and then the roles.
 */
export async function isolatedEnv(prefix: string): Promise<Env> {
  const db = await createTestDatabase(prefix);
  const vhost = await createTestVhost(prefix);
  const rolePrefix = benchRolePrefix();
  const roles = roleNames(rolePrefix);
  const workerLogin = `${rolePrefix}_worker1`;
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', () => {});
  const urlFor = (login: string, password?: string) => {
    const u = new URL(db.url);
    u.username = encodeURIComponent(login);
    u.password = password ? encodeURIComponent(password) : '';
    return u.toString();
  };
  const drop = async () => {
    await pool.end().catch(() => {});
    if (process.env.BENCH_KEEP === '1') {
      console.log(`BENCH_KEEP=1: kept database ${db.name}, vhost ${vhost.vhost} and the roles ${rolePrefix}_*`);
      return;
    }
    await vhost.drop().catch((e: Error) => console.error(`vhost drop failed: ${e.message}`));
    await db.drop().catch((e: Error) => console.error(`database drop failed: ${e.message}`));
    await dropRoles(rolePrefix).catch((e: Error) => console.error(`roles drop failed: ${e.message}`));
  };
  try {
    const t = now();
    const setup = await setupDatabase({ url: db.url, prefix: rolePrefix, mode: 'connected', logger: silentLogger, workerLogin });
    const setupMs = now() - t;
    // Function call counts and times for the statement report (cheap: two clock reads per call). Applies to
    // the sessions opened from now on, i.e. every core of this part.
    if (process.env.BENCH_SQL !== '0') await pool.query(`ALTER DATABASE ${q(db.name)} SET track_functions = 'all'`);
    await declareBrokerTopology(vhost.url);
    const people: Record<string, TestPerson> = {};
    for (const [key, id] of Object.entries(USERS)) {
      const role = key.startsWith('mod') ? 'moderator' : key.startsWith('sup') ? 'supervisor' : 'admin';
      const password = generatePassword();
      await pool.query('SELECT private.bootstrap_person($1, $2, $3, $4)', [id, role, null, scramVerifier(password)]);
      const login = roles.personLogin(id);
      people[id] = { id, role, login, password, url: urlFor(login, password) };
    }
    loginKinds.set(workerLogin, 'worker');
    for (const p of Object.values(people)) loginKinds.set(p.login, 'person');
    loginKinds.set(new URL(db.url).username || 'postgres', 'bench');
    return {
      db,
      vhost,
      roles,
      dbaUrl: db.url,
      workerUrl: urlFor(workerLogin, setup.worker?.oneTimePassword),
      workerLogin,
      people,
      setupMs,
      pg: pool,
      dba: (sql, params) => pool.query(sql, params as unknown[]),
      drop,
    };
  } catch (err) {
    await drop();
    throw err;
  }
}

/**
 * The worker core (connected mode) on the worker login, on the isolated database and vhost, with the
 * built-in simulator platform (no PLATFORM_URL) and the offline rules classifier. People act through
 * their own sessions (personSession), never through this core's login.
 */
export async function startCore(env: Env, extra: Record<string, string> = {}, o: { worker?: boolean; beforeStart?: (core: Core) => void } = {}): Promise<Core> {
  const vars: Record<string, string> = {
    DATABASE_URL: env.workerUrl,
    AMQP_URL: env.vhost.url,
    GUARDIAN_ROLE_PREFIX: env.roles.prefix,
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

/** A person's session on the core: their own login (DESIGN §10); closed by core.stop() if still open. */
export function personSession(core: Core, env: Env, userId: string = USERS.mod1, tool: 'cli' | 'ui' | 'api' = 'cli'): Promise<PersonSession> {
  const p = env.people[userId];
  if (!p) throw new Error(`no bench person ${userId}`);
  return core.openSession({ login: p.login, password: p.password, tool });
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

// ---- SQL statement counting (diagnostics): how many statements each case costs ----------------------
//
// Three views, each measurable on this server (pg_stat_statements is not in shared_preload_libraries, and
// the shared server cannot be restarted, so it is not available):
//  1. Client round trips: every pg.Client#query of this process, by its normalised text and by the login
//     that sent it (person / worker / bench). This is what the earlier figures in BENCHMARKS.md counted.
//  2. Function calls: pg_stat_user_functions with track_functions = 'all' (set on the part's database by
//     isolatedEnv): calls and time inside each command and worker function, during the measured run.
//  3. Statements inside the functions: auto_explain, loaded per session through the database's
//     session_preload_libraries, with log_nested_statements and its log level at NOTICE, so each statement
//     the executor runs (top-level, inside PL/pgSQL and SQL functions, and the foreign-key checks) reaches
//     this process as a notice instead of the shared server log. It explains every statement, so it runs
//     in a separate counting phase after the timed run (countingPhase), never while latency is measured.

const sqlCounts = new Map<string, number>();
const innerCounts = new Map<string, number>();
let sqlCounting = false;
/** Which kind of principal a login is (set by isolatedEnv): person, worker, bench (the DBA's polls). */
const loginKinds = new Map<string, string>();
const kindOf = (client: unknown) => {
  const c = client as { connectionParameters?: { user?: string }; user?: string };
  const user = c.connectionParameters?.user ?? c.user ?? '?';
  return loginKinds.get(user) ?? 'other';
};
const norm = (text: string) => text.replace(/\s+/g, ' ').trim();

/** auto_explain's notice (log_format json): one statement the executor ran in this client's session. */
function onNotice(this: { activeQuery?: { text?: string }; __benchSent?: string[] }, msg: { message?: string }) {
  if (!sqlCounting || !msg.message?.startsWith('duration: ')) return;
  const j = msg.message.indexOf('{');
  if (j < 0) return;
  let text: string;
  try {
    text = (JSON.parse(msg.message.slice(j)) as { 'Query Text'?: string })['Query Text'] ?? '?';
  } catch {
    return;
  }
  const t = norm(text);
  // A statement the client sent is reported after what ran inside it; anything else ran inside a function
  // (or a trigger, or a foreign-key check). A SELECT's own report can come during the client's next
  // statement (inside a transaction its portal ends only then), hence the client's last few texts.
  const top = (this.activeQuery?.text !== undefined && norm(this.activeQuery.text) === t) || !!this.__benchSent?.includes(t);
  const where = top ? 'top' : /^SELECT 1 FROM ONLY /.test(t) ? 'fk' : 'inner';
  const key = `${kindOf(this)}|${where}|${t.slice(0, 110)}`;
  innerCounts.set(key, (innerCounts.get(key) ?? 0) + 1);
}

/** Wraps pg.Client#query once so statements can be counted by their normalised text and login. */
export function countQueries(on: boolean) {
  sqlCounting = on;
  const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown; __benchWrapped?: boolean };
  if (proto.__benchWrapped) return;
  const orig = proto.query;
  proto.query = function (this: pg.Client & { __benchNotice?: boolean; __benchSent?: string[] }, ...args: unknown[]) {
    if (!this.__benchNotice) {
      this.__benchNotice = true;
      this.__benchSent = [];
      this.on('notice', onNotice as never);
    }
    if (sqlCounting) {
      const a0 = args[0] as string | { text?: string; name?: string };
      const text = typeof a0 === 'string' ? a0 : (a0?.text ?? a0?.name ?? '?');
      const sent = this.__benchSent!;
      sent.push(norm(text));
      if (sent.length > 4) sent.shift();
      const key = `${kindOf(this)}|${norm(text).slice(0, 90)}`;
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

export interface SqlCount {
  /** client round trips per unit, all logins (the figure BENCHMARKS.md reported before) */
  perUnit: number;
  /** per unit, by login kind: person, worker, bench (the bench's own polls), other */
  byLogin: Record<string, number>;
  top: Array<{ login: string; text: string; perUnit: number }>;
}

export function printQueryCounts(label: string, perUnit: number, unit: string): SqlCount {
  const counts = takeQueryCounts();
  const total = counts.reduce((a, [, n]) => a + n, 0);
  const byLogin: Record<string, number> = {};
  for (const [k, n] of counts) {
    const kind = k.slice(0, k.indexOf('|'));
    byLogin[kind] = (byLogin[kind] ?? 0) + n / perUnit;
  }
  const split = Object.entries(byLogin).map(([k, v]) => `${k} ${f1(v)}`).join(', ');
  console.log(`${label}: ${total} client round trips = ${f1(total / perUnit)} per ${unit} (by login: ${split})`);
  const top = counts.slice(0, 30).map(([k, n]) => ({ login: k.slice(0, k.indexOf('|')), text: k.slice(k.indexOf('|') + 1), perUnit: n / perUnit }));
  for (const x of top) console.log(`  ${f2(x.perUnit).padStart(6)}  ${x.login.padEnd(6)} ${x.text}`);
  return { perUnit: total / perUnit, byLogin, top };
}

export interface InnerCount {
  /** executor statements per unit: sent by a client (top), run inside functions/triggers (inner), FK checks (fk) */
  top: number;
  inner: number;
  fk: number;
  byLogin: Record<string, { top: number; inner: number; fk: number }>;
  statements: Array<{ login: string; where: string; text: string; perUnit: number }>;
}

/** The statements auto_explain reported during the counting phase, per unit. */
export function printInnerCounts(label: string, perUnit: number, unit: string): InnerCount {
  const rows = [...innerCounts].sort((a, b) => b[1] - a[1]);
  innerCounts.clear();
  const out: InnerCount = { top: 0, inner: 0, fk: 0, byLogin: {}, statements: [] };
  for (const [k, n] of rows) {
    const [login, where, ...rest] = k.split('|');
    const w = where as 'top' | 'inner' | 'fk';
    out[w] += n / perUnit;
    const b = (out.byLogin[login!] ??= { top: 0, inner: 0, fk: 0 });
    b[w] += n / perUnit;
    out.statements.push({ login: login!, where: w, text: rest.join('|'), perUnit: n / perUnit });
  }
  const split = Object.entries(out.byLogin).map(([k, v]) => `${k} ${f1(v.top)} + ${f1(v.inner)} inside + ${f1(v.fk)} FK`).join('; ');
  console.log(
    `${label}: executor statements per ${unit}: ${f1(out.top)} sent by clients + ${f1(out.inner)} inside functions and triggers + ${f1(out.fk)} foreign-key checks = ${f1(out.top + out.inner + out.fk)} (${split})`,
  );
  console.log(`  (executor statements only: BEGIN/COMMIT/SET/LISTEN are not executor statements and appear in the round trips only)`);
  for (const x of out.statements.filter((s) => s.where !== 'top').slice(0, 40)) console.log(`  ${f2(x.perUnit).padStart(6)}  ${x.login.padEnd(6)} ${x.where.padEnd(5)} ${x.text}`);
  return out;
}

/**
 * Turns on auto_explain for every session opened on the part's database from now on (the DBA sets
 * session_preload_libraries and the auto_explain settings on the database; sessions already open keep
 * running without it). resetAutoExplain() turns it off again for later sessions.
 */
export async function enableAutoExplain(env: Env) {
  for (const s of [
    `session_preload_libraries = 'auto_explain'`,
    `auto_explain.log_min_duration = 0`,
    `auto_explain.log_nested_statements = on`,
    `auto_explain.log_level = 'notice'`,
    `auto_explain.log_format = 'json'`,
    `auto_explain.log_analyze = off`,
  ])
    await env.pg.query(`ALTER DATABASE ${q(env.db.name)} SET ${s}`);
}

export async function resetAutoExplain(env: Env) {
  for (const s of ['session_preload_libraries', 'auto_explain.log_min_duration', 'auto_explain.log_nested_statements', 'auto_explain.log_level', 'auto_explain.log_format', 'auto_explain.log_analyze'])
    await env.pg.query(`ALTER DATABASE ${q(env.db.name)} RESET ${s}`).catch(() => {});
}

export type FunctionStats = Map<string, { calls: number; total: number; self: number }>;

/** Cumulative calls and times of our functions (pg_stat_user_functions, track_functions = 'all'). */
export async function functionStats(env: Env): Promise<FunctionStats> {
  const { rows } = await env.pg.query<{ f: string; calls: string; total: number; self: number }>(
    `SELECT schemaname || '.' || funcname AS f, calls, total_time AS total, self_time AS self FROM pg_stat_user_functions
      WHERE schemaname IN ('api', 'worker', 'private', 'public')`,
  );
  return new Map(rows.map((r) => [r.f, { calls: Number(r.calls), total: r.total, self: r.self }]));
}

/**
 * Backends report their function statistics at most once a second, and an idle one within 10 s
 * (PostgreSQL 15's pgstat): wait that long before a snapshot meant to include everything so far.
 */
export const STATS_FLUSH_MS = 11_000;

export interface FunctionReport {
  /** function calls per unit (every level: command function and the helpers it calls) */
  callsPerUnit: number;
  functions: Array<{ name: string; callsPerUnit: number; meanMs: number; selfMeanMs: number; totalMsPerUnit: number }>;
}

/** The difference of two snapshots, per unit: the command and worker functions first, then the helpers. */
export function printFunctionStats(label: string, before: FunctionStats, after: FunctionStats, perUnit: number, unit: string): FunctionReport {
  const fns: FunctionReport['functions'] = [];
  let calls = 0;
  for (const [name, a] of after) {
    const b = before.get(name) ?? { calls: 0, total: 0, self: 0 };
    const dc = a.calls - b.calls;
    if (dc <= 0) continue;
    calls += dc;
    fns.push({ name, callsPerUnit: dc / perUnit, meanMs: (a.total - b.total) / dc, selfMeanMs: (a.self - b.self) / dc, totalMsPerUnit: (a.total - b.total) / perUnit });
  }
  const rank = (n: string) => (n.startsWith('api.') || n.startsWith('worker.') ? 0 : 1);
  fns.sort((x, y) => rank(x.name) - rank(y.name) || y.totalMsPerUnit - x.totalMsPerUnit);
  console.log(`${label}: ${f1(calls / perUnit)} function calls per ${unit} (pg_stat_user_functions; the time includes the statements they run)`);
  for (const x of fns.slice(0, 30))
    console.log(`  ${f2(x.callsPerUnit).padStart(6)} calls  mean ${x.meanMs.toFixed(3).padStart(7)} ms (self ${x.selfMeanMs.toFixed(3).padStart(7)})  ${f2(x.totalMsPerUnit).padStart(6)} ms per ${unit}  ${x.name}`);
  return { callsPerUnit: calls / perUnit, functions: fns };
}
