// Part 1 — pipeline throughput against the library ceiling, with the stock and the batching checkpoint saver.
//
//   npm run bench:pipeline                 (N = 5000)      npx tsx bench/pipeline.ts --n 500
//   BENCH_N=5000 GUARDIAN_PREFETCH=8       env equivalents
//   BENCH_SAVERS=stock,batching            the worker's checkpoint savers (GUARDIAN_CHECKPOINT_SAVER), timed back
//                                          to back in this order, N cases each, on fresh cores; the ceiling stays
//                                          the stock saver and runs before and after both
//
// A plain amqplib publisher sends N content.submitted messages (60 % clean, 25 % violating, 10 % spam,
// 5 % urgent threats) to moderation.ingest; the connected-mode core (simulator platform, rules
// classifier) turns them into cases. Measured from the first publish until every case is auto_resolved,
// awaiting_review or (spam) actioned, polling the cases table. Then, in the same process and on the same
// database, the ceiling: a trivial LangGraph graph (start → interrupt) with PostgresSaver, durability
// "sync", with as many concurrent runs as the core's analysis prefetch. Prints cases/s and the ratio.
// The core runs as the worker (worker login, DESIGN §10): ingest, analysis and the read model go through
// the worker functions (worker.ingest_content, worker.begin_analysis, worker.sync_review/sync_outcome, …).
// Statements (BENCH_SQL=0 turns this off): client round trips by login and function calls during the
// timed run; then a counting phase of BENCH_SQL_INNER_N more cases (default 500) on a fresh core with
// auto_explain on, for the statements run inside the functions (bench/lib.ts, "SQL statement counting").
import { runCeiling } from './ceiling.js';
import {
  banner,
  corePrefetch,
  countQueries,
  enableAutoExplain,
  functionStats,
  printFunctionStats,
  printInnerCounts,
  resetAutoExplain,
  sleep,
  STATS_FLUSH_MS,
  type Env,
  type FunctionStats,
  cpuMeter,
  printQueryCounts,
  describeCpu,
  f1,
  f2,
  footer,
  isolatedEnv,
  machineLoad,
  mb,
  messageFor,
  opt,
  publishAll,
  result,
  runId,
  startCore,
  waitSettled,
  now,
} from './lib.js';

type SaverKind = 'stock' | 'batching';

/**
 * A ceiling run with its CPU metered over the timed part only (not setup() or the warm-up), and stopped
 * before the ceiling's pool ends: an exited backend's CPU can no longer be read from /proc.
 */
async function meteredCeiling(o: Omit<Parameters<typeof runCeiling>[0], 'onMeasure'>, count = false) {
  let meter: ReturnType<typeof cpuMeter> | undefined;
  let cpu: ReturnType<ReturnType<typeof cpuMeter>['stop']> | undefined;
  const r = await runCeiling({
    ...o,
    onMeasure: (on) => {
      if (on) meter = cpuMeter();
      else cpu = meter!.stop();
      if (count) countQueries(on);
    },
  });
  return { r, cpu: cpu! };
}

/** BENCH_SAVERS (default "stock,batching"): the savers the worker core runs, measured back to back in this order. */
function saverKinds(): SaverKind[] {
  const raw = (process.env.BENCH_SAVERS ?? 'stock,batching').split(',').map((s) => s.trim()).filter(Boolean);
  const bad = raw.filter((k) => k !== 'stock' && k !== 'batching');
  if (bad.length > 0 || raw.length === 0) throw new Error(`BENCH_SAVERS must list "stock" and/or "batching", not ${JSON.stringify(process.env.BENCH_SAVERS)}`);
  return raw as SaverKind[];
}

/** One timed pipeline run: a fresh worker core running `saver` (GUARDIAN_CHECKPOINT_SAVER), warm-up, n cases. */
async function timedRun(env: Env, saver: SaverKind, n: number, sql: boolean) {
  process.env.GUARDIAN_CHECKPOINT_SAVER = saver;
  const core = await startCore(env);
  const rssIdle = process.memoryUsage().rss;
  const run = runId(`pipe${saver[0]}`);
  // warm-up: a few cases through the whole pipeline (JIT, pools, channels), not counted
  const warm = Array.from({ length: 40 }, (_, i) => messageFor(`${run}w`, i));
  await publishAll(env.vhost.url, warm);
  await waitSettled(env.pg, `${run}w`, warm.length);
  // the warm-up's function statistics must reach the server before the first snapshot
  if (sql) await sleep(STATS_FLUSH_MS);
  const fn0: FunctionStats | undefined = sql ? await functionStats(env) : undefined;

  const msgs = Array.from({ length: n }, (_, i) => messageFor(run, i));
  let rssPeak = 0;
  const rssTimer = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 250);
  countQueries(sql);
  const cpu = cpuMeter();
  const t0 = now();
  const publishMs = await publishAll(env.vhost.url, msgs);
  const done = await waitSettled(env.pg, run, n, { progress: true });
  const wallMs = done.at - t0;
  const cpuUse = cpu.stop();
  clearInterval(rssTimer);
  countQueries(false);
  const { rows } = await core.db.query<{ span: number }>(
    `SELECT extract(epoch FROM max(updated_at) - min(created_at))::float8 AS span FROM cases WHERE content_id LIKE $1`,
    [`${run}-%`],
  );
  const dbSpanS = rows[0]!.span;
  const pipelinePerSec = (n * 1000) / wallMs;
  console.log(`[${saver} saver] published ${n} in ${f1(publishMs)} ms (${f1((n * 1000) / publishMs)} msg/s, confirms every 500)`);
  console.log(`[${saver} saver] statuses: ${JSON.stringify(done.counts)}`);
  console.log(`[${saver} saver] pipeline: ${n} cases settled in ${f1(wallMs / 1000)} s → ${f1(pipelinePerSec)} cases/s (database time, first created → last updated: ${f2(dbSpanS)} s → ${f1(n / dbSpanS)} cases/s)`);
  console.log(`[${saver} saver] core RSS: idle ${mb(rssIdle)}, peak under load ${mb(rssPeak)} (the bench process is the core's process)`);
  console.log(`[${saver} saver] ${describeCpu(cpuUse)}; load ${machineLoad().replace(/^.*load average: /, '')}`);
  const pipeSql = sql ? printQueryCounts(`[${saver} saver] pipeline SQL (login "bench" = the bench's status polls)`, n, 'case') : undefined;
  await core.stop();
  // backends flush their statistics when they end (and idle ones within 10 s)
  const fn1 = sql ? (await sleep(1_500), await functionStats(env)) : undefined;
  const functions = sql ? printFunctionStats(`[${saver} saver] functions during the pipeline run`, fn0!, fn1!, n, 'case') : undefined;
  return {
    saver,
    publishMs,
    wallMs,
    dbSpanS,
    pipelinePerSec,
    counts: done.counts,
    cpuPerCaseMs: (cpuUse.benchProcessCpuS * 1000) / n,
    pgCpuPerCaseMs: (cpuUse.postgresCpuS * 1000) / n,
    sqlPerCase: pipeSql?.perUnit ?? NaN,
    sqlPerCaseWithoutPolls: pipeSql ? pipeSql.perUnit - (pipeSql.byLogin.bench ?? 0) : NaN,
    sqlByLogin: pipeSql?.byLogin,
    sqlTop: pipeSql?.top,
    functions,
    rssIdle,
    rssPeak,
    cpu: cpuUse,
  };
}

export async function benchPipeline(o: { n?: number } = {}) {
  const n = o.n ?? opt('n', 'BENCH_N', 5000);
  const prefetch = corePrefetch();
  const savers = saverKinds();
  banner(`Part 1: pipeline, N=${n} per saver (${savers.join(' then ')}), prefetch ${prefetch} (analysis), ${prefetch * 2} (ingest); worker core on the worker login`);
  const env = await isolatedEnv('bench_pipe');
  console.log(`setup: setupDatabase as the DBA on an empty database: ${f1(env.setupMs)} ms`);
  const savedKind = process.env.GUARDIAN_CHECKPOINT_SAVER;
  try {
    // the ceiling runs before and after the pipeline runs (the machine is shared: load drifts); the mean counts
    const ceilN = Math.min(n, opt('ceiling-n', 'BENCH_CEILING_N', n));
    const { r: ceilBefore, cpu: ceilBeforeCpu } = await meteredCeiling({ url: env.db.url, n: ceilN, concurrency: prefetch, shape: 'trivial', schema: 'bench_ceiling_before' });
    console.log(`ceiling before the pipeline: ${f1(ceilBefore.startPerSec)} threads/s (load ${machineLoad().replace(/^.*load average: /, '')})`);

    const sql = process.env.BENCH_SQL !== '0';
    // The same pipeline with each checkpoint saver, back to back on the same database (each on a fresh core).
    const runs: Partial<Record<SaverKind, Awaited<ReturnType<typeof timedRun>>>> = {};
    for (const kind of savers) runs[kind] = await timedRun(env, kind, n, sql);

    // The ceiling, same database (own schema), same concurrency as the analysis queue's prefetch: the STOCK saver.
    const { r: ceil, cpu: ceilCpu } = await meteredCeiling({ url: env.db.url, n: ceilN, concurrency: prefetch, shape: 'trivial' }, sql);
    const ceilSql = sql ? printQueryCounts('ceiling SQL', ceilN, 'thread').perUnit : NaN;
    console.log(`ceiling after the pipeline: ${f1(ceil.startPerSec)} threads/s (load ${machineLoad().replace(/^.*load average: /, '')})`);
    const ceilingPerSec = (ceilBefore.startPerSec + ceil.startPerSec) / 2;
    console.log(`ceiling (trivial start → interrupt, stock PostgresSaver sync, concurrency ${prefetch}, pool 10): ${f1(ceilingPerSec)} threads/s (mean of before/after, n=${ceilN})`);
    console.log(describeCpu(ceilCpu));
    // Diagnostic: the production graph's shape with empty nodes, same mix (60 % end without interrupt).
    const { r: shape, cpu: shapeCpu } = await meteredCeiling({ url: env.db.url, n: ceilN, concurrency: prefetch, shape: 'same-shape', cleanFraction: 0.6 });
    const shapeCpuPerThread = (shapeCpu.benchProcessCpuS * 1000) / ceilN;
    console.log(`same-shape graph, empty nodes (analyze → end if clean | interrupt): ${f1(shape.startPerSec)} threads/s, ${f2(shapeCpuPerThread)} ms CPU per thread`);
    // Load-independent view: CPU of this (single-threaded) process per case. When the JS thread is the
    // bottleneck, throughput ≈ 1 / (CPU per case), so this ratio survives other engineers' load.
    const ceilCpuPerThread = ((ceilBeforeCpu.benchProcessCpuS + ceilCpu.benchProcessCpuS) * 1000) / (2 * ceilN);
    const pgPerThread = ((ceilBeforeCpu.postgresCpuS + ceilCpu.postgresCpuS) * 1000) / (2 * ceilN);
    const bySaver: Record<string, object> = {};
    for (const kind of savers) {
      const r = runs[kind]!;
      const ratio = r.pipelinePerSec / ceilingPerSec;
      console.log(
        `[${kind} saver] ${f1(r.pipelinePerSec)} cases/s; RATIO pipeline / ceiling = ${f2(ratio)} (target ≥ 0.8: ${ratio >= 0.8 ? 'met' : 'MISSED'}); pipeline / same-shape = ${f2(r.pipelinePerSec / shape.startPerSec)}; ` +
          `CPU per case: core process ${f2(r.cpuPerCaseMs)} ms (ceiling ${f2(ceilCpuPerThread)} ms per thread) → CPU-efficiency ratio ${f2(ceilCpuPerThread / r.cpuPerCaseMs)}; ` +
          `PostgreSQL ${f2(r.pgCpuPerCaseMs)} ms per case (ceiling ${f2(pgPerThread)} ms); client round trips ${f1(r.sqlPerCase)} per case (${f1(r.sqlPerCaseWithoutPolls)} without the bench's polls)`,
      );
      bySaver[kind] = { ...r, ratio, cpuEfficiencyRatio: ceilCpuPerThread / r.cpuPerCaseMs };
    }
    if (runs.stock && runs.batching) {
      const s = runs.stock;
      const b = runs.batching;
      console.log(
        `SAVER stock → batching (same run): ${f1(s.pipelinePerSec)} → ${f1(b.pipelinePerSec)} cases/s (×${f2(b.pipelinePerSec / s.pipelinePerSec)}); ` +
          `core CPU ${f2(s.cpuPerCaseMs)} → ${f2(b.cpuPerCaseMs)} ms per case; PostgreSQL CPU ${f2(s.pgCpuPerCaseMs)} → ${f2(b.pgCpuPerCaseMs)} ms per case; ` +
          `client round trips ${f1(s.sqlPerCaseWithoutPolls)} → ${f1(b.sqlPerCaseWithoutPolls)} per case (without polls)`,
      );
    }
    // The headline numbers are the production saver's (the batching one when it ran, else the one that did).
    const main = runs.batching ?? runs[savers[savers.length - 1]!]!;
    const ratio = main.pipelinePerSec / ceilingPerSec;
    console.log(`RATIO pipeline (${main.saver} saver) / ceiling (stock saver) = ${f2(ratio)} (target ≥ 0.8: ${ratio >= 0.8 ? 'met' : 'MISSED'})`);
    process.env.GUARDIAN_CHECKPOINT_SAVER = main.saver;
    const inner = sql ? await countingPhase(env, Math.min(n, opt('inner-n', 'BENCH_SQL_INNER_N', 500))) : undefined;
    result('pipeline', {
      n,
      prefetch,
      saver: main.saver,
      savers,
      publishMs: main.publishMs,
      wallMs: main.wallMs,
      dbSpanS: main.dbSpanS,
      pipelinePerSec: main.pipelinePerSec,
      counts: main.counts,
      ceilingPerSec,
      ceilingBefore: ceilBefore.startPerSec,
      ceilingAfter: ceil.startPerSec,
      sameShapePerSec: shape.startPerSec,
      ratio,
      setupMs: env.setupMs,
      sqlPerCase: main.sqlPerCase,
      sqlPerCaseWithoutPolls: main.sqlPerCaseWithoutPolls,
      sqlByLogin: main.sqlByLogin,
      sqlTop: main.sqlTop,
      functions: main.functions,
      inner,
      cpuPerCaseMs: main.cpuPerCaseMs,
      ceilingCpuPerThreadMs: ceilCpuPerThread,
      cpuEfficiencyRatio: ceilCpuPerThread / main.cpuPerCaseMs,
      sameShapeCpuPerThreadMs: shapeCpuPerThread,
      sqlPerCeilingThread: ceilSql,
      rssIdle: main.rssIdle,
      rssPeak: main.rssPeak,
      cpu: main.cpu,
      ceilingCpu: ceilCpu,
      bySaver,
    });
    return { pipelinePerSec: main.pipelinePerSec, ceiling: ceilingPerSec, ratio };
  } finally {
    if (savedKind === undefined) delete process.env.GUARDIAN_CHECKPOINT_SAVER;
    else process.env.GUARDIAN_CHECKPOINT_SAVER = savedKind;
    await env.drop();
    footer();
  }
}

/**
 * The statements inside the worker functions: k more cases (same mix) through a fresh core with
 * auto_explain on for its sessions (it explains every statement: never during the timed run).
 */
async function countingPhase(env: Env, k: number) {
  console.log(`counting phase: ${k} more cases on a fresh core with auto_explain (timings not comparable; statements only)`);
  await enableAutoExplain(env);
  const core = await startCore(env);
  try {
    const run = runId('pipex');
    const msgs = Array.from({ length: k }, (_, i) => messageFor(run, i));
    countQueries(true);
    await publishAll(env.vhost.url, msgs);
    await waitSettled(env.pg, run, k, { progress: true });
    // the last case's read-model transaction has committed; let its event go out before counting stops
    await sleep(200);
    countQueries(false);
    const roundTrips = printQueryCounts('counting phase, client round trips (check: as in the timed run)', k, 'case');
    const statements = printInnerCounts('counting phase (auto_explain)', k, 'case');
    return { k, roundTrips: roundTrips.perUnit, roundTripsByLogin: roundTrips.byLogin, ...statements };
  } finally {
    await core.stop();
    await resetAutoExplain(env);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchPipeline();
  process.exit(0);
}
