// Part 3 — does resume latency hold with 10,000 paused cases in the database?
//
//   npm run bench:scale               npx tsx bench/scale.ts --paused 10000 --k 200
//   BENCH_PAUSED=10000 BENCH_K=200    env equivalents
//
// One database, one core. (a) "empty": only k awaiting cases exist; decide them one at a time
// (closed loop: no queueing, pure latency) and time decision → actioned (case.updated event, local
// clock) plus the stages; (b) publish `paused` more violating posts through the pipeline so that many
// cases sit paused (interrupted threads, checkpoints and all), seed k fresh ones, and measure again.
// Also times the reads that could grow with the table sizes: the saver's getState, the review queue
// listCases, and EXPLAIN ANALYZE of the checkpoint lookup.
import {
  addUsers,
  banner,
  f1,
  f2,
  footer,
  isolatedEnv,
  now,
  opt,
  result,
  sleep,
  startCore,
  stats,
  USERS,
} from './lib.js';
import { seedAwaiting } from './decisions.js';
import { installStageTracer } from './trace.js';
import type { Core } from '../src/core/core.js';

async function measure(core: Core, tracer: ReturnType<typeof installStageTracer>, cases: Array<{ id: string; version: number }>, label: string) {
  const lat: number[] = [];
  for (const [i, c] of cases.entries()) {
    let done!: () => void;
    const actioned = new Promise<void>((r) => (done = r));
    const off = core.onEvent((e) => {
      if (e.type === 'case.updated' && e.caseId === c.id && e.status === 'actioned') done();
    });
    tracer.startCase(c.id);
    const t = now();
    await core.execute({ type: 'decide', caseId: c.id, decision: i % 2 ? 'remove' : 'warn', reason: 'scale benchmark', actor: USERS.mod1, tool: 'cli', commandId: `scale-${label}-${c.id}`, expectedVersion: c.version });
    await Promise.race([actioned, sleep(30_000)]);
    lat.push(now() - t);
    off();
  }
  // reads that might grow with the number of threads / cases
  const gs: number[] = [];
  for (const c of cases.slice(0, 100)) {
    const t = now();
    await core.graph.getState({ configurable: { thread_id: c.id } });
    gs.push(now() - t);
  }
  const lq: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t = now();
    await core.listCases({ status: ['awaiting_review'], limit: 100 });
    lq.push(now() - t);
  }
  return { resume: stats(lat), getState: stats(gs), listQueue: stats(lq) };
}

async function explain(core: Core, caseId: string) {
  const { rows } = await core.db.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN (ANALYZE, BUFFERS) SELECT thread_id, checkpoint, checkpoint_ns, checkpoint_id, parent_checkpoint_id, metadata
       FROM checkpoints WHERE thread_id = $1 AND checkpoint_ns = '' ORDER BY checkpoint_id DESC LIMIT 1`,
    [caseId],
  );
  const q = await core.db.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN (ANALYZE, BUFFERS) SELECT c.*, (c.claim_until IS NOT NULL AND c.claim_until > now()) AS claim_active FROM cases c
      WHERE c.status = ANY($1) ORDER BY (c.priority = 'urgent') DESC, c.created_at, c.id LIMIT 100 OFFSET 0`,
    [['awaiting_review']],
  );
  return { checkpoint: rows.map((r) => r['QUERY PLAN']), queue: q.rows.map((r) => r['QUERY PLAN']) };
}

export async function benchScale() {
  const paused = opt('paused', 'BENCH_PAUSED', 10_000);
  const k = opt('k', 'BENCH_K', 200);
  banner(`Part 3: scale, resume latency with ${paused} paused cases vs an empty database (k=${k}, one at a time)`);
  const env = await isolatedEnv('bench_scale');
  try {
    let tracer!: ReturnType<typeof installStageTracer>;
    const core = await startCore(env, {}, { beforeStart: (c) => (tracer = installStageTracer(c)) });
    await addUsers(core);
    const warm = await seedAwaiting(core, env, 30, 'scw');
    await measure(core, tracer, warm, 'warm');

    const a = await seedAwaiting(core, env, k, 'sca');
    const sizes = async () => {
      const { rows } = await core.db.query<{ cases: number; paused: number; checkpoints: number; writes: number; blobs: number; audit: number }>(
        `SELECT (SELECT count(*) FROM cases)::int AS cases, (SELECT count(*) FROM cases WHERE status = 'awaiting_review')::int AS paused,
                (SELECT count(*) FROM checkpoints)::int AS checkpoints, (SELECT count(*) FROM checkpoint_writes)::int AS writes,
                (SELECT count(*) FROM checkpoint_blobs)::int AS blobs, (SELECT count(*) FROM audit_events)::int AS audit`,
      );
      return rows[0]!;
    };
    const sizeA = await sizes();
    console.log(`(a) empty: ${JSON.stringify(sizeA)}`);
    const ra = await measure(core, tracer, a, 'a');
    console.log('  stages:');
    const stagesA = tracer.report(a.map((c) => c.id), '    ');

    const t0 = now();
    await seedAwaiting(core, env, paused, 'scbulk');
    const seedS = (now() - t0) / 1000;
    await core.db.query('ANALYZE');
    const b = await seedAwaiting(core, env, k, 'scb');
    const sizeB = await sizes();
    console.log(`(b) loaded (seeded ${paused} paused cases through the pipeline in ${f1(seedS)} s): ${JSON.stringify(sizeB)}`);
    const rb = await measure(core, tracer, b, 'b');
    console.log('  stages:');
    const stagesB = tracer.report(b.map((c) => c.id), '    ');
    const plans = await explain(core, b[0]!.id);

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
    await core.stop();
  } finally {
    await env.drop();
    footer();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchScale();
  process.exit(0);
}
