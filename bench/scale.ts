// Part 3 — does resume latency hold with 10,000 paused cases in the database?
//
//   npm run bench:scale               npx tsx bench/scale.ts --paused 10000 --k 200
//   BENCH_PAUSED=10000 BENCH_K=200    env equivalents
//
// Two databases, two cores in this process. A: only k awaiting cases; B: `paused` violating posts
// pushed through the pipeline first (paused threads, checkpoints, audit and all), then k more. The k
// cases of each are decided one at a time (closed loop: no queueing, pure latency), alternating A and B
// so that load drift on this shared machine hits both alike; decision → actioned is timed with the
// case.updated event (local clock), plus the stages.
// Also times the reads that could grow with the table sizes: the saver's getState, the review queue
// listCases, and EXPLAIN ANALYZE of the checkpoint lookup and of the review queue query (listCases' own SQL).
// Trust model (DESIGN §10): each core is the worker (worker login); decisions and queue reads are mod-1's,
// through mod-1's own session on that core; sizes, ANALYZE and EXPLAIN run as the DBA (inspection).
import {
  banner,
  f1,
  f2,
  footer,
  isolatedEnv,
  now,
  opt,
  personSession,
  result,
  sleep,
  startCore,
  stats,
  USERS,
} from './lib.js';
import { seedAwaiting } from './decisions.js';
import { installStageTracer } from './trace.js';
import type { Core } from '../src/core/core.js';
import type { PersonSession } from '../src/core/session/person-session.js';
import { listCases } from '../src/core/store/cases-repo.js';
import type { Queryable } from '../src/core/store/db.js';
import type { Env } from './lib.js';

async function measure(core: Core, session: PersonSession, tracer: ReturnType<typeof installStageTracer>, cases: Array<{ id: string; version: number }>, label: string) {
  const lat: number[] = [];
  for (const [i, c] of cases.entries()) {
    let done!: () => void;
    const actioned = new Promise<void>((r) => (done = r));
    const off = core.onEvent((e) => {
      if (e.type === 'case.updated' && e.caseId === c.id && e.status === 'actioned') done();
    });
    tracer.startCase(c.id);
    const t = now();
    await session.execute({ type: 'decide', caseId: c.id, decision: i % 2 ? 'remove' : 'warn', reason: 'scale benchmark', tool: 'cli', commandId: `scale-${label}-${c.id}`, expectedVersion: c.version });
    await Promise.race([actioned, sleep(30_000)]);
    lat.push(now() - t);
    off();
  }
  return { resume: stats(lat) };
}

async function explain(env: Env, caseId: string) {
  const { rows } = await env.pg.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN (ANALYZE, BUFFERS) SELECT thread_id, checkpoint, checkpoint_ns, checkpoint_id, parent_checkpoint_id, metadata
       FROM checkpoints WHERE thread_id = $1 AND checkpoint_ns = '' ORDER BY checkpoint_id DESC LIMIT 1`,
    [caseId],
  );
  // The review queue exactly as the app asks for it: listCases' own SQL, run under EXPLAIN.
  let queue: string[] = [];
  await listCases(
    {
      query: async (text: string, params?: unknown[]) => {
        const r = await env.pg.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, params);
        queue = r.rows.map((x) => x['QUERY PLAN']);
        return { ...r, rows: [] };
      },
    } as Queryable,
    { status: ['awaiting_review'], limit: 100 },
  );
  return { checkpoint: rows.map((r) => r['QUERY PLAN']), queue };
}

export async function benchScale() {
  const paused = opt('paused', 'BENCH_PAUSED', 10_000);
  const k = opt('k', 'BENCH_K', 200);
  banner(`Part 3: scale, resume latency with ${paused} paused cases vs an empty database (k=${k}, one at a time, interleaved)`);
  // Two cores in this process, each on its own database and vhost: A stays (nearly) empty, B gets
  // `paused` paused cases. Decisions alternate A, B, A, B … so that the machine's load (shared with
  // other engineers) hits both sides alike.
  const envA = await isolatedEnv('bench_scale_a');
  const envB = await isolatedEnv('bench_scale_b');
  try {
    let tracerA!: ReturnType<typeof installStageTracer>;
    let tracerB!: ReturnType<typeof installStageTracer>;
    const coreA = await startCore(envA, {}, { beforeStart: (c) => (tracerA = installStageTracer(c)) });
    const coreB = await startCore(envB, {}, { beforeStart: (c) => (tracerB = installStageTracer(c)) });
    const modA = await personSession(coreA, envA, USERS.mod1);
    const modB = await personSession(coreB, envB, USERS.mod1);
    const t0 = now();
    await seedAwaiting(coreB, envB, paused, 'scbulk');
    const seedS = (now() - t0) / 1000;
    await envB.pg.query('ANALYZE');
    await envA.pg.query('ANALYZE');
    // warm-up on both, then the measured cases
    for (const [c, s, e, t] of [[coreA, modA, envA, tracerA], [coreB, modB, envB, tracerB]] as const) {
      const w = await seedAwaiting(c, e, 30, 'scw');
      for (const x of w) await measure(c, s, t, [x], 'warm');
    }
    const a = await seedAwaiting(coreA, envA, k, 'sca');
    const b = await seedAwaiting(coreB, envB, k, 'scb');
    const sizes = async (env: Env) => {
      const { rows } = await env.pg.query<{ cases: number; paused: number; checkpoints: number; writes: number; blobs: number; audit: number }>(
        `SELECT (SELECT count(*) FROM cases)::int AS cases, (SELECT count(*) FROM cases WHERE status = 'awaiting_review')::int AS paused,
                (SELECT count(*) FROM checkpoints)::int AS checkpoints, (SELECT count(*) FROM checkpoint_writes)::int AS writes,
                (SELECT count(*) FROM checkpoint_blobs)::int AS blobs, (SELECT count(*) FROM audit_events)::int AS audit`,
      );
      return rows[0]!;
    };
    const sizeA = await sizes(envA);
    const sizeB = await sizes(envB);
    console.log(`A (empty):  ${JSON.stringify(sizeA)}`);
    console.log(`B (loaded, ${paused} paused cases seeded through the pipeline in ${f1(seedS)} s): ${JSON.stringify(sizeB)}`);

    const latA: number[] = [];
    const latB: number[] = [];
    for (let i = 0; i < k; i++) {
      latA.push((await measure(coreA, modA, tracerA, [a[i]!], 'a')).resume.p50);
      latB.push((await measure(coreB, modB, tracerB, [b[i]!], 'b')).resume.p50);
    }
    const reads = async (core: Core, session: PersonSession, cases: Array<{ id: string }>) => {
      const gs: number[] = [];
      const lq: number[] = [];
      for (let r = 0; r < 3; r++) {
        for (const c of cases.slice(0, 100)) {
          const t = now();
          await core.worker!.graph.getState({ configurable: { thread_id: c.id } });
          gs.push(now() - t);
        }
        for (let i = 0; i < 20; i++) {
          const t = now();
          await session.listCases({ status: ['awaiting_review'], limit: 100 });
          lq.push(now() - t);
        }
      }
      return { getState: stats(gs), listQueue: stats(lq) };
    };
    const readsA = await reads(coreA, modA, a);
    const readsB = await reads(coreB, modB, b);
    const ra = { resume: stats(latA), ...readsA };
    const rb = { resume: stats(latB), ...readsB };
    console.log('stages, A (empty):');
    const stagesA = tracerA.report(a.map((c) => c.id), '    ');
    console.log(`stages, B (${paused} paused):`);
    const stagesB = tracerB.report(b.map((c) => c.id), '    ');
    const plans = await explain(envB, b[0]!.id);

    const row = (name: string, x: ReturnType<typeof stats>, y: ReturnType<typeof stats>) =>
      `${name.padEnd(36)} empty p50 ${f2(x.p50).padStart(7)} p95 ${f2(x.p95).padStart(7)} ms | ${paused} paused p50 ${f2(y.p50).padStart(7)} p95 ${f2(y.p95).padStart(7)} ms | ratio p50 ${f2(y.p50 / x.p50)}`;
    console.log(row('decision → actioned (resume)', ra.resume, rb.resume));
    console.log(row('graph.getState (checkpoint read)', ra.getState, rb.getState));
    console.log(row('listCases awaiting_review limit 100', ra.listQueue, rb.listQueue));
    const ratio = rb.resume.p50 / ra.resume.p50;
    console.log(`TARGET resume latency within 20 % (p50): ${Math.abs(ratio - 1) <= 0.2 ? 'met' : 'MISSED'} (${f2(ratio)}×)`);
    console.log('EXPLAIN ANALYZE, checkpoint lookup at scale:\n  ' + plans.checkpoint.join('\n  '));
    console.log('EXPLAIN ANALYZE, review queue at scale:\n  ' + plans.queue.join('\n  '));

    result('scale', { paused, k, sizeA, sizeB, seedS, empty: ra, loaded: rb, ratio, stagesA, stagesB, plans });
    await coreA.stop();
    await coreB.stop();
  } finally {
    await envA.drop();
    await envB.drop();
    footer();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchScale();
  process.exit(0);
}
