// Part 2 — decision → actioned latency through the command path, at a fixed (open-loop) rate.
//
//   npm run bench:decisions            npx tsx bench/decisions.ts --rate 50 --n 1000
//   BENCH_RATE=50 BENCH_DECISIONS=1000 env equivalents
//
// The trust model (DESIGN §10): the core in this process is the worker (worker login); the decisions are
// mod-1's, made through mod-1's own session (their login; api.decide_case derives the actor from it).
// Seeds n violating cases through the real pipeline until they await review, then issues
// session.execute({ type: 'decide', … expectedVersion }) at `rate` per second without waiting for earlier
// ones (open loop, like many moderators). Mix: remove 50 %, warn 20 %, approve 20 %, remove_and_ban 10 %.
// "Actioned" is observed two ways:
//   - events: core.onEvent case.updated with status actioned (the live-update path the UI uses:
//     runner → RabbitMQ events exchange → this process), timed with the local monotonic clock;
//   - database: commands.created_at → cases.updated_at of the actioned row (database time, no bus hop).
// Statements (BENCH_SQL=0 turns this off): client round trips by login during the timed run, function
// calls and times (pg_stat_user_functions), and then, in a separate counting phase of BENCH_SQL_INNER_N
// more decisions (default 200) on a fresh core with auto_explain on, the statements run inside the
// functions (see bench/lib.ts, "SQL statement counting").
import {
  banner,
  countQueries,
  enableAutoExplain,
  functionStats,
  personSession,
  printFunctionStats,
  printInnerCounts,
  resetAutoExplain,
  STATS_FLUSH_MS,
  cpuMeter,
  describeCpu,
  f1,
  footer,
  isolatedEnv,
  messageFor,
  now,
  opt,
  printQueryCounts,
  publishAll,
  result,
  runId,
  sleep,
  startCore,
  stats,
  USERS,
  waitSettled,
  type Env,
} from './lib.js';
import type { Core } from '../src/core/core.js';
import type { PersonSession } from '../src/core/session/person-session.js';
import { installStageTracer } from './trace.js';

const MIX = ['remove', 'warn', 'remove', 'approve', 'remove', 'warn', 'remove', 'approve', 'remove', 'remove_and_ban'] as const;

export interface DecisionRun {
  n: number;
  rate: number;
  issuedMs: number;
  event: ReturnType<typeof stats>;
  accepted: ReturnType<typeof stats>;
  db: ReturnType<typeof stats>;
  throughput: number;
  failures: number;
}

/** Decides the given awaiting cases at `rate`/s and measures decision → actioned. */
export async function decideAtRate(
  core: Core,
  session: PersonSession,
  cases: Array<{ id: string; version: number }>,
  rate: number,
  label: string,
  tracer: ReturnType<typeof installStageTracer> | undefined,
  /** where the database times are read (the DBA's pool: inspection, not an actor) */
  inspect: Pick<Env['pg'], 'query'>,
): Promise<DecisionRun> {
  const started = new Map<string, number>();
  const actioned = new Map<string, number>();
  const acceptedLat: number[] = [];
  let failures = 0;
  const off = core.onEvent((e) => {
    if (e.type === 'case.updated' && e.status === 'actioned' && started.has(e.caseId) && !actioned.has(e.caseId)) actioned.set(e.caseId, now());
  });
  const cmdIds: string[] = [];
  const t0 = now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < cases.length; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - now();
    if (wait > 1) await sleep(wait);
    const c = cases[i]!;
    const commandId = `bench-${label}-${i}-${c.id.slice(0, 8)}`;
    cmdIds.push(commandId);
    const decision = MIX[i % MIX.length]!;
    tracer?.startCase(c.id);
    const ts = now();
    started.set(c.id, ts);
    pending.push(
      session
        .execute({
          type: 'decide',
          caseId: c.id,
          decision,
          reason: 'benchmark decision',
          tool: 'cli',
          commandId,
          expectedVersion: c.version,
          ...(decision === 'remove_and_ban' ? { durationHours: 24 } : {}),
        })
        .then(
          () => void acceptedLat.push(now() - ts),
          (err: Error) => {
            failures++;
            console.error(`decide failed: ${err.message}`);
          },
        ),
    );
  }
  const issuedMs = now() - t0;
  await Promise.all(pending);
  const deadline = now() + 60_000;
  while (actioned.size < cases.length - failures && now() < deadline) await sleep(20);
  off();
  const lastDone = Math.max(...actioned.values());
  const lat = [...actioned].map(([id, t]) => t - started.get(id)!);
  // inspected as the DBA (env.pg), not counted on the worker's or the person's login
  const { rows } = await inspect.query<{ ms: number }>(
    `SELECT extract(epoch FROM c.updated_at - m.created_at)::float8 * 1000 AS ms
       FROM commands m JOIN cases c ON c.id = m.case_id
      WHERE m.id = ANY($1) AND c.status = 'actioned'`,
    [cmdIds],
  );
  const missing = cases.length - failures - actioned.size;
  if (missing) console.log(`WARNING: ${missing} cases never reported actioned within 60 s`);
  return {
    n: cases.length,
    rate,
    issuedMs,
    event: stats(lat),
    accepted: stats(acceptedLat),
    db: stats(rows.map((r) => r.ms)),
    throughput: (actioned.size * 1000) / (lastDone - t0),
    failures,
  };
}

export function printDecisionRun(r: DecisionRun, prefix = '') {
  const row = (name: string, s: ReturnType<typeof stats>) =>
    `${prefix}${name.padEnd(44)} p50 ${f1(s.p50).padStart(6)} ms  p95 ${f1(s.p95).padStart(6)} ms  p99 ${f1(s.p99).padStart(6)} ms  max ${f1(s.max).padStart(6)} ms  (n=${s.n})`;
  console.log(row('execute() → accepted (command committed)', r.accepted));
  console.log(row('decision → actioned, event (local clock)', r.event));
  console.log(row('decision → actioned, database time', r.db));
  console.log(`${prefix}throughput: ${f1(r.throughput)} decisions/s actioned (offered ${r.rate}/s, ${r.n} decisions issued over ${f1(r.issuedMs / 1000)} s), failures ${r.failures}`);
}

/** Seeds n violating cases through the pipeline; returns them as awaiting review. */
export async function seedAwaiting(core: Core, env: Env, n: number, tag: string) {
  const run = runId(tag);
  const msgs = Array.from({ length: n }, (_, i) => messageFor(run, i, 'violating'));
  await publishAll(env.vhost.url, msgs);
  await waitSettled(env.pg, run, n, { progress: true, stallMs: 120_000 });
  const { rows } = await core.db.query<{ id: string; version: number }>(
    `SELECT id, version FROM cases WHERE content_id LIKE $1 AND status = 'awaiting_review' ORDER BY created_at`,
    [`${run}-%`],
  );
  return rows;
}

export async function benchDecisions() {
  const rate = opt('rate', 'BENCH_RATE', 50);
  const n = opt('n', 'BENCH_DECISIONS', 1000);
  const sql = process.env.BENCH_SQL !== '0';
  banner(`Part 2: decisions, ${n} at ${rate}/s through the command path (mod-1's own login → api.decide_case; worker core on the worker login)`);
  const env = await isolatedEnv('bench_dec');
  console.log(`setup: setupDatabase as the DBA on an empty database (roles, migrations, checkpoint tables, privileges, functions): ${f1(env.setupMs)} ms`);
  try {
    let tracer!: ReturnType<typeof installStageTracer>;
    const core = await startCore(env, {}, { beforeStart: (c) => (tracer = installStageTracer(c)) });
    const mod1 = await personSession(core, env, USERS.mod1);
    // warm-up: 30 decisions, not counted
    const warm = await seedAwaiting(core, env, 30, 'decw');
    await decideAtRate(core, mod1, warm, rate, 'warm', undefined, env.pg);
    const cases = await seedAwaiting(core, env, n, 'dec');
    // the function statistics of the seeding must have reached the server before the first snapshot
    await sleep(sql ? STATS_FLUSH_MS : 500);
    const fnBefore = sql ? await functionStats(env) : undefined;
    countQueries(sql);
    const cpu = cpuMeter();
    const r = await decideAtRate(core, mod1, cases, rate, 'decisions', tracer, env.pg);
    const c = cpu.stop();
    countQueries(false);
    printDecisionRun(r);
    console.log('where the time goes (stage → next stage, local clock):');
    const stages = tracer.report(cases.map((x) => x.id), '  ');
    console.log(describeCpu(c));
    const sqlCount = sql ? printQueryCounts('SQL during the decision run (command function + resume + execute + read model)', n, 'decision') : undefined;
    let functions;
    if (sql) {
      await sleep(STATS_FLUSH_MS);
      functions = printFunctionStats('functions during the decision run', fnBefore!, await functionStats(env), n, 'decision');
    }
    const p50 = r.event.p50;
    const p99 = r.event.p99;
    console.log(`TARGETS p50 ≤ 25 ms: ${p50 <= 25 ? 'met' : 'MISSED'} (${f1(p50)}); p99 ≤ 150 ms: ${p99 <= 150 ? 'met' : 'MISSED'} (${f1(p99)})  [event clock]`);
    await core.stop();
    const inner = sql ? await countingPhase(env, Math.min(n, opt('inner-n', 'BENCH_SQL_INNER_N', 200)), rate) : undefined;
    result('decisions', {
      ...r,
      stages,
      cpu: c,
      setupMs: env.setupMs,
      sqlPerDecision: sqlCount?.perUnit ?? NaN,
      sqlByLogin: sqlCount?.byLogin,
      sqlTop: sqlCount?.top,
      functions,
      inner,
    });
    return r;
  } finally {
    await env.drop();
    footer();
  }
}

/**
 * The statements inside the functions: k more decisions on a fresh worker core and session, with
 * auto_explain on for their sessions (it explains every statement: never during the timed run).
 */
async function countingPhase(env: Env, k: number, rate: number) {
  console.log(`counting phase: ${k} more decisions at ${rate}/s on a fresh core with auto_explain (timings not comparable; statements only)`);
  await enableAutoExplain(env);
  const core = await startCore(env);
  try {
    const mod1 = await personSession(core, env, USERS.mod1);
    const cases = await seedAwaiting(core, env, k, 'decx');
    await sleep(500);
    countQueries(true);
    const r = await decideAtRate(core, mod1, cases, rate, 'inner', undefined, env.pg);
    countQueries(false);
    if (r.failures) console.log(`  counting phase: ${r.failures} decisions failed`);
    const roundTrips = printQueryCounts('counting phase, client round trips (check: as in the timed run)', k, 'decision');
    const statements = printInnerCounts('counting phase (auto_explain)', k, 'decision');
    return { k, roundTrips: roundTrips.perUnit, roundTripsByLogin: roundTrips.byLogin, ...statements };
  } finally {
    await core.stop();
    await resetAutoExplain(env);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchDecisions();
  process.exit(0);
}
