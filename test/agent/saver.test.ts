// The batching checkpoint saver (src/core/agent/saver.ts, issue 16) against real PostgreSQL, in a database of
// its own: LangGraph's conformance suite for both the subclass and the stock saver (the baseline), threads
// resumed across the two both ways (a rolling upgrade runs both), the same rows written, the stock write
// semantics kept where one statement behaves differently from several, the statements actually saved, and
// the library versions it was validated against.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Annotation, Command, END, interrupt, START, StateGraph } from '@langchain/langgraph';
import { emptyCheckpoint, uuid6, type PendingWrite } from '@langchain/langgraph-checkpoint';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { deltaChannelHistoryTests, validate, type CheckpointSaverTestInitializer } from '@langchain/langgraph-checkpoint-validation';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BatchingPostgresSaver, createCheckpointSaver, SaverConfigError, saverKindFrom, VALIDATED_WITH } from '../../src/core/agent/saver.js';
import { createTestDatabase, type TestDatabase } from '../support/isolation.js';

// The suite's spec files use the Jest-style globals; this project's vitest config does not turn them on.
Object.assign(globalThis, { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach });

let db: TestDatabase;
let admin: pg.Pool;
beforeAll(async () => {
  db = await createTestDatabase('gw_saver');
  admin = new pg.Pool({ connectionString: db.url, max: 2 });
  // The tables every worker shares (public schema), created once by the stock setup() as `guardian setup` does.
  await new PostgresSaver(admin).setup();
});
afterAll(async () => {
  await admin?.end();
  await db?.drop();
});

type Make = (pool: pg.Pool, schema: string) => PostgresSaver;

/** Each checkpointer the suite asks for gets a fresh schema (its own tables via the stock setup()). */
function initializer(name: string, make: Make): CheckpointSaverTestInitializer<PostgresSaver> {
  const live = new Map<PostgresSaver, { pool: pg.Pool; schema: string }>();
  return {
    checkpointerName: name,
    async createCheckpointer() {
      const schema = `cv_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
      const pool = new pg.Pool({ connectionString: db.url, max: 4 });
      const saver = make(pool, schema);
      await saver.setup();
      live.set(saver, { pool, schema });
      return saver;
    },
    async destroyCheckpointer(saver) {
      const it = live.get(saver)!;
      live.delete(saver);
      await it.pool.end();
      await admin.query(`DROP SCHEMA "${it.schema}" CASCADE`);
    },
  };
}

const stockInit = initializer('stock PostgresSaver', (pool, schema) => new PostgresSaver(pool, undefined, { schema }));
const batchingInit = initializer('BatchingPostgresSaver', (pool, schema) => new BatchingPostgresSaver(pool, undefined, { schema }));

describe('conformance (@langchain/langgraph-checkpoint-validation)', () => {
  // validate() = put, putWrites, getTuple, list, deleteThread; getDeltaChannelHistory is exported apart.
  describe('baseline', () => {
    validate(stockInit);
    deltaChannelHistoryTests(stockInit);
  });
  describe('subclass', () => {
    validate(batchingInit);
    deltaChannelHistoryTests(batchingInit);
  });
});

// A small graph shaped like ours (src/core/agent/graph.ts): work before and after a human review that
// pauses on interrupt() and is resumed with Command({ resume }).
const State = Annotation.Root({
  text: Annotation<string>,
  steps: Annotation<string[]>({ reducer: (a, b) => [...a, ...b], default: () => [] }),
  analysis: Annotation<{ verdict: string; score: number } | null>({ reducer: (_a, b) => b, default: () => null }),
  decision: Annotation<unknown>({ reducer: (_a, b) => b, default: () => null }),
  outcome: Annotation<string | null>({ reducer: (_a, b) => b, default: () => null }),
});
const buildGraph = (saver: PostgresSaver) =>
  new StateGraph(State)
    .addNode('analyze', (s: typeof State.State) => ({ steps: ['analyze'], analysis: { verdict: s.text.length > 3 ? 'review' : 'ok', score: 0.75 } }))
    .addNode('review', () => ({ steps: ['review'], decision: interrupt({ allowed: ['remove', 'approve'] }) }))
    .addNode('execute', (s: typeof State.State) => ({ steps: ['execute'], outcome: `done:${(s.decision as { decision: string }).decision}` }))
    .addEdge(START, 'analyze')
    .addEdge('analyze', 'review')
    .addEdge('review', 'execute')
    .addEdge('execute', END)
    .compile({ checkpointer: saver });

describe('mixed versions (a rolling upgrade: stock and batching workers on the same tables)', () => {
  let stock: PostgresSaver;
  let batching: PostgresSaver;
  beforeAll(() => {
    stock = new PostgresSaver(admin);
    batching = new BatchingPostgresSaver(admin);
  });
  const cfg = (thread_id: string) => ({ configurable: { thread_id }, durability: 'sync' as const });
  const input = { text: 'you are a loser' };
  const resume = { decision: 'remove', reason: 'insult' };

  /** Starts a thread with one saver (to its interrupt) and resumes it with the other. */
  async function run(first: PostgresSaver, second: PostgresSaver) {
    const id = randomUUID();
    await buildGraph(first).invoke(input, cfg(id));
    const paused = await buildGraph(second).getState(cfg(id));
    const out = await buildGraph(second).invoke(new Command({ resume }), cfg(id));
    return { id, paused, out };
  }

  const expectedFinal = { text: input.text, steps: ['analyze', 'review', 'execute'], analysis: { verdict: 'review', score: 0.75 }, decision: resume, outcome: 'done:remove' };

  it.each([
    ['stock', 'batching'],
    ['batching', 'stock'],
  ] as const)('a thread paused by the %s saver resumes under the %s saver to the same end', async (a, b) => {
    const savers = { stock, batching };
    const { id, paused, out } = await run(savers[a], savers[b]);
    expect(paused.next).toEqual(['review']);
    expect(paused.tasks.flatMap((t) => t.interrupts).map((i) => i.value)).toEqual([{ allowed: ['remove', 'approve'] }]);
    expect(out).toEqual(expectedFinal);
    // Read back identically by both (same rows, same read path), history included.
    const viaStock = await buildGraph(stock).getState(cfg(id));
    const viaBatching = await buildGraph(batching).getState(cfg(id));
    expect(viaBatching).toEqual(viaStock);
    expect(viaStock.values).toEqual(expectedFinal);
    expect(viaStock.next).toEqual([]);
    const list = async (s: PostgresSaver) => {
      const all = [];
      for await (const t of s.list({ configurable: { thread_id: id } })) all.push(t);
      return all;
    };
    const [ls, lb] = [await list(stock), await list(batching)];
    expect(lb).toEqual(ls);
    expect(ls.length).toBeGreaterThan(3);
  });

  it('the batching saver writes the same rows as the stock one (blobs, checkpoints, writes)', async () => {
    const s = await run(stock, stock);
    const b = await run(batching, batching);
    const blobs = async (id: string) =>
      (await admin.query(`SELECT channel, version, type, encode(blob, 'hex') AS blob FROM checkpoint_blobs WHERE thread_id = $1 ORDER BY channel, version`, [id])).rows;
    const checkpoints = async (id: string) =>
      (
        await admin.query(
          `SELECT checkpoint_ns, parent_checkpoint_id IS NULL AS root, checkpoint - 'id' - 'ts' AS checkpoint, metadata, type
             FROM checkpoints WHERE thread_id = $1 ORDER BY checkpoint_id`,
          [id],
        )
      ).rows;
    // Task ids and interrupt ids derive from the (time-based) checkpoint ids: compare what does not.
    const writes = async (id: string) =>
      (
        await admin.query(
          `SELECT w.channel, w.idx, w.type, CASE WHEN w.channel = '__interrupt__' THEN NULL ELSE encode(w.blob, 'hex') END AS blob
             FROM checkpoint_writes w WHERE w.thread_id = $1 ORDER BY w.checkpoint_id, w.channel, w.idx, encode(w.blob, 'hex')`,
          [id],
        )
      ).rows;
    const blobRows = await blobs(s.id);
    expect(blobRows.length).toBeGreaterThan(3);
    expect(await blobs(b.id)).toEqual(blobRows);
    expect(await checkpoints(b.id)).toEqual(await checkpoints(s.id));
    const writeRows = await writes(s.id);
    expect(writeRows.map((w) => w.channel)).toContain('__interrupt__');
    expect(await writes(b.id)).toEqual(writeRows);
  });
});

describe('write semantics kept where one statement differs from several', () => {
  let stock: PostgresSaver;
  let batching: PostgresSaver;
  beforeAll(() => {
    stock = new PostgresSaver(admin);
    batching = new BatchingPostgresSaver(admin);
  });

  /** Runs the same putWrites calls through a saver on a fresh checkpoint; what getTuple then reads. */
  async function pendingAfter(saver: PostgresSaver, batches: PendingWrite[][]) {
    const config = await saver.put({ configurable: { thread_id: randomUUID(), checkpoint_ns: '' } }, { ...emptyCheckpoint(), id: uuid6(-1) }, { source: 'loop', step: 0, parents: {} }, {});
    for (const batch of batches) await saver.putWrites(config, batch, 'task-1');
    return (await saver.getTuple(config))?.pendingWrites;
  }

  it.each([
    ['two interrupts in one special-only batch: the last one stays (upsert, in order)', [[['__interrupt__', 'a'], ['__interrupt__', 'b']]]],
    ['two interrupts in one mixed batch: the first one stays (do nothing, in order)', [[['__interrupt__', 'a'], ['x', 1], ['__interrupt__', 'b']]]],
    ['a later special-only batch overwrites an earlier write', [[['__error__', 'first']], [['__error__', 'second']]]],
    ['a later ordinary batch leaves earlier writes alone', [[['x', 1], ['y', 2]], [['x', 3], ['y', 4], ['z', 5]]]],
    ['an empty batch writes nothing', [[], [['x', 1]], []]],
  ] as [string, PendingWrite[][]][])('%s', async (_name, batches) => {
    const expected = await pendingAfter(stock, batches);
    expect(expected?.length).toBeGreaterThan(0);
    expect(await pendingAfter(batching, batches)).toEqual(expected);
  });

  it('a put repeated with the same checkpoint id overwrites the checkpoint and metadata but never a stored blob', async () => {
    const run = async (saver: PostgresSaver) => {
      const base = { configurable: { thread_id: randomUUID(), checkpoint_ns: '' } };
      const id = uuid6(-1);
      const cp = (v: string) => ({ ...emptyCheckpoint(), id, channel_values: { a: v }, channel_versions: { a: 1 } });
      await saver.put(base, cp('one'), { source: 'loop', step: 0, parents: {} }, { a: 1 });
      const cfg = await saver.put(base, cp('two'), { source: 'loop', step: 7, parents: {} }, { a: 1 });
      const t = await saver.getTuple(cfg);
      return { values: t?.checkpoint.channel_values, step: t?.metadata?.step };
    };
    const expected = await run(stock);
    expect(expected).toEqual({ values: { a: 'one' }, step: 7 });
    expect(await run(batching)).toEqual(expected);
  });
});

describe('statements', () => {
  /** A pool whose connections count the statements they send (the real server answers them). */
  function countingPool() {
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    const counter = { n: 0 };
    pool.on('connect', (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        counter.n += 1;
        return query(...args);
      };
    });
    return { pool, counter };
  }

  it('put and putWrites are one statement each with the batching saver (the stock saver: n + 3 and n + 2)', async () => {
    const measure = async (make: (p: pg.Pool) => PostgresSaver) => {
      const { pool, counter } = countingPool();
      try {
        const saver = make(pool);
        const values = { a: 'x', b: { deep: [1, 2] }, c: 3 };
        const before = counter.n;
        const cfg = await saver.put({ configurable: { thread_id: randomUUID(), checkpoint_ns: '' } }, { ...emptyCheckpoint(), id: uuid6(-1), channel_values: values, channel_versions: { a: 1, b: 1, c: 1 } }, { source: 'loop', step: 0, parents: {} }, { a: 1, b: 1, c: 1 });
        const put = counter.n - before;
        const before2 = counter.n;
        await saver.putWrites(cfg, [['a', 1], ['b', 2], ['c', 3], ['d', 4]], 'task-1');
        return { put, putWrites: counter.n - before2 };
      } finally {
        await pool.end();
      }
    };
    expect(await measure((p) => new PostgresSaver(p))).toEqual({ put: 3 + 3, putWrites: 4 + 2 });
    expect(await measure((p) => new BatchingPostgresSaver(p))).toEqual({ put: 1, putWrites: 1 });
  });
});

describe('choosing the saver', () => {
  it('GUARDIAN_CHECKPOINT_SAVER: unset or batching → the subclass, stock → the official class, anything else refused by name', () => {
    expect(saverKindFrom(undefined)).toBe('batching');
    expect(saverKindFrom('')).toBe('batching');
    expect(saverKindFrom('stock')).toBe('stock');
    expect(createCheckpointSaver(admin)).toBeInstanceOf(BatchingPostgresSaver);
    const s = createCheckpointSaver(admin, 'stock');
    expect(s).toBeInstanceOf(PostgresSaver);
    expect(s).not.toBeInstanceOf(BatchingPostgresSaver);
    let err: unknown;
    try {
      saverKindFrom('fast');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SaverConfigError);
    expect(err).toMatchObject({ field: 'GUARDIAN_CHECKPOINT_SAVER', message: expect.stringContaining('"fast"') });
  });
});

/** The version of a package as resolved from `from` (the saver's own dependency chain, nesting included). */
function installedVersion(name: string, from: string): { version: string; dir: string } {
  const entry = createRequire(from).resolve(name);
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version: string };
      if (pkg.name === name) return { version: pkg.version, dir };
    } catch {
      // no package.json at this level
    }
  }
  throw new Error(`cannot find the package.json of ${name} (resolved to ${entry})`);
}

it('the installed LangGraph packages are the versions the batching saver was validated with (VALIDATED_WITH)', () => {
  const saverFile = new URL('../../src/core/agent/saver.ts', import.meta.url).pathname;
  const postgres = installedVersion('@langchain/langgraph-checkpoint-postgres', saverFile);
  const installed = {
    '@langchain/langgraph': installedVersion('@langchain/langgraph', saverFile).version,
    // the checkpoint package the stock saver itself extends (a nested copy would be the one that counts)
    '@langchain/langgraph-checkpoint': installedVersion('@langchain/langgraph-checkpoint', join(postgres.dir, 'package.json')).version,
    '@langchain/langgraph-checkpoint-postgres': postgres.version,
  };
  const differ = Object.entries(VALIDATED_WITH).filter(([name, v]) => installed[name as keyof typeof installed] !== v);
  if (differ.length > 0) {
    throw new Error(
      `the batching saver (src/core/agent/saver.ts) was validated against ${differ.map(([n, v]) => `${n} ${v}`).join(', ')}; ` +
        `installed: ${differ.map(([n]) => `${n} ${installed[n as keyof typeof installed]}`).join(', ')}. ` +
        `Re-run the conformance suite (test/agent/saver.test.ts), re-read the stock saver's write SQL, and update VALIDATED_WITH.`,
    );
  }
  expect(installed).toEqual(VALIDATED_WITH);
});
