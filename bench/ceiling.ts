// The library ceiling: trivial LangGraph graphs with the official PostgresSaver, durability "sync", on
// the same PostgreSQL database as the pipeline (its own schema), run by N concurrent workers. The ceiling
// is always the stock saver; `saver: 'batching'` (bench/saver.ts only) runs the same graphs on ours.
import { Annotation, Command, END, interrupt, START, StateGraph } from '@langchain/langgraph';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { BatchingPostgresSaver } from '../src/core/agent/saver.js';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { now } from './lib.js';

const State = Annotation.Root({
  caseId: Annotation<string>,
  content: Annotation<{ text: string }>,
  analysis: Annotation<{ verdict: string } | null>({ reducer: (_a, b) => b, default: () => null }),
  decision: Annotation<unknown>({ reducer: (_a, b) => b, default: () => null }),
  outcome: Annotation<string | null>({ reducer: (_a, b) => b, default: () => null }),
});

export type CeilingShape = 'trivial' | 'same-shape';

/**
 * trivial:    START → review (interrupt)                              [what the brief calls the ceiling]
 * same-shape: START → analyze (no-op; a clean verdict ends the run here) → route → review (interrupt) | END
 *             (the production graph's shape, GRAPH_VERSION 2, with empty nodes: separates LangGraph's cost
 *              for our shape from the cost of our own code around it)
 */
function build(shape: CeilingShape, saver: PostgresSaver) {
  const review = (s: typeof State.State) => ({ decision: interrupt({ caseId: s.caseId }) });
  const execute = () => ({ outcome: 'actioned' });
  if (shape === 'trivial') {
    return new StateGraph(State).addNode('review', review).addNode('execute', execute).addEdge(START, 'review').addEdge('review', 'execute').addEdge('execute', END).compile({ checkpointer: saver });
  }
  return new StateGraph(State)
    .addNode('analyze', (s: typeof State.State) =>
      s.content.text.startsWith('ok') ? { analysis: { verdict: 'ok' }, outcome: 'auto_resolved' } : { analysis: { verdict: 'review' } },
    )
    .addNode('review', review)
    .addNode('execute', execute)
    .addEdge(START, 'analyze')
    .addConditionalEdges('analyze', (s: typeof State.State) => (s.analysis?.verdict === 'ok' ? 'end' : 'review'), { end: END, review: 'review' })
    .addEdge('review', 'execute')
    .addEdge('execute', END)
    .compile({ checkpointer: saver });
}

export interface CeilingResult {
  shape: CeilingShape;
  n: number;
  concurrency: number;
  startMs: number;
  startPerSec: number;
  resumeMs?: number;
  resumePerSec?: number;
}

/**
 * Starts n threads (each to its interrupt) with `concurrency` workers; optionally resumes them all.
 * Pool size 10 = the core's graph pool (src/core/core.ts createDb max 10).
 */
export async function runCeiling(o: {
  url: string;
  n: number;
  concurrency: number;
  shape?: CeilingShape;
  resume?: boolean;
  schema?: string;
  cleanFraction?: number;
  onMeasure?: (on: boolean) => void;
  /** default stock: the ceiling is the official saver */
  saver?: 'stock' | 'batching';
}): Promise<CeilingResult> {
  const shape = o.shape ?? 'trivial';
  const pool = new pg.Pool({ connectionString: o.url, max: 10 });
  pool.on('error', () => {}); // a connection the server ends is simply replaced
  const options = { schema: o.schema ?? `bench_ceiling_${shape.replace('-', '_')}` };
  const saver = o.saver === 'batching' ? new BatchingPostgresSaver(pool, undefined, options) : new PostgresSaver(pool, undefined, options);
  await saver.setup();
  const graph = build(shape, saver);
  const ids = Array.from({ length: o.n }, () => randomUUID());
  // same-shape: the same share of "clean" content ends without an interrupt, like the pipeline's mix
  const clean = o.cleanFraction ?? 0;
  const cfg = (id: string) => ({ configurable: { thread_id: id }, durability: 'sync' as const });

  async function pump(fn: (id: string, i: number) => Promise<unknown>, list: string[]) {
    let next = 0;
    const worker = async () => {
      while (next < list.length) {
        const i = next++;
        await fn(list[i]!, i);
      }
    };
    await Promise.all(Array.from({ length: o.concurrency }, worker));
  }

  // warm-up (JIT, connections, prepared plans) — not counted
  await pump((id) => graph.invoke({ caseId: id, content: { text: 'warm' } }, cfg(id)), Array.from({ length: Math.min(50, o.n) }, () => randomUUID()));

  o.onMeasure?.(true);
  const t0 = now();
  await pump((id, i) => graph.invoke({ caseId: id, content: { text: shape === 'same-shape' && i % 100 < clean * 100 ? 'ok' : 'bad' } }, cfg(id)), ids);
  const startMs = now() - t0;
  o.onMeasure?.(false);
  const res: CeilingResult = { shape, n: o.n, concurrency: o.concurrency, startMs, startPerSec: (o.n * 1000) / startMs };
  if (o.resume) {
    const paused = shape === 'same-shape' ? ids.filter((_, i) => !(i % 100 < clean * 100)) : ids;
    const t1 = now();
    await pump(async (id) => {
      const snap = await graph.getState({ configurable: { thread_id: id } });
      const intr = snap.tasks.flatMap((t) => t.interrupts)[0];
      await graph.invoke(new Command({ resume: intr?.id ? { [intr.id]: { decision: 'remove' } } : { decision: 'remove' } }), cfg(id));
    }, paused);
    res.resumeMs = now() - t1;
    res.resumePerSec = (paused.length * 1000) / res.resumeMs;
  }
  await pool.end();
  return res;
}

// Runnable alone: `npx tsx bench/ceiling.ts` (uses its own fresh database).
if (import.meta.url === `file://${process.argv[1]}`) {
  const { banner, footer, f1, isolatedEnv, opt, corePrefetch, result } = await import('./lib.js');
  banner('LangGraph + PostgresSaver ceiling (trivial graphs)');
  const env = await isolatedEnv('bench_ceil');
  try {
    const n = opt('n', 'BENCH_N', 2000);
    const c = opt('concurrency', 'BENCH_CONCURRENCY', corePrefetch());
    for (const shape of ['trivial', 'same-shape'] as const) {
      const r = await runCeiling({ url: env.db.url, n, concurrency: c, shape, resume: true, cleanFraction: 0.6 });
      console.log(`${shape}: start→interrupt ${f1(r.startPerSec)} threads/s, resume→done ${f1(r.resumePerSec!)} /s (n=${n}, concurrency ${c})`);
      result('ceiling', { ...r });
    }
  } finally {
    await env.drop();
  }
  footer();
}
