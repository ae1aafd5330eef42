// The checkpoint saver the worker runs graphs with: the official PostgresSaver with its two write paths
// batched (issue 16). Same tables, same rows, same bytes, same read path, same setup(): only the number of
// statements changes. Stock `put` runs BEGIN, one INSERT per changed channel blob, the checkpoint INSERT
// and COMMIT (n + 3 round trips, on a connection held the whole time); stock `putWrites` runs BEGIN, one
// INSERT per write and COMMIT. Here each is ONE statement (atomic on its own, so no BEGIN/COMMIT), sent
// with `pool.query` like the stock read path.
//
// Why this is safe to own (DESIGN §4 said "the official saver, never a home-made one"; issue 16 relaxed
// it to "a thin subclass that passes the conformance suite"): every value is serialised by the stock
// `_dumpBlobs` / `_dumpCheckpoint` / `_dumpMetadata` / `_dumpWrites`, and every read (getTuple, list,
// getDeltaChannelHistory, deleteThread, setup) is inherited untouched. test/agent/saver.test.ts runs
// @langchain/langgraph-checkpoint-validation against this class and the stock one, resumes threads
// across the two both ways (a rolling upgrade runs both at once) and pins the versions below.
//
// Not done: inlining small primitive channel values into the checkpoint JSON (the Python saver's
// approach, langgraph PR #5524). The JS stock read path cannot read them: `_dumpCheckpoint` drops
// `channel_values`, `_loadCheckpoint` replaces them with `_loadBlobs(...)`, and SELECT_SQL only joins
// checkpoint_blobs by channel_versions. A value inlined by us would be invisible to a stock worker
// resuming the thread, so it would break the mixed-version guarantee. Revisit if the JS saver learns it.
import { WRITES_IDX_MAP, type ChannelVersions, type Checkpoint, type CheckpointMetadata, type PendingWrite } from '@langchain/langgraph-checkpoint';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import type { RunnableConfig } from '@langchain/core/runnables';
import type { SerializerProtocol } from '@langchain/langgraph-checkpoint';
import type pg from 'pg';

/**
 * The versions this class was validated against (the conformance suite and the mixed-version tests in
 * test/agent/saver.test.ts). A test fails when the installed ones differ: after an upgrade, re-run that
 * file, read the stock saver's write SQL again (dist/sql.js, dist/index.js) and only then update these.
 */
export const VALIDATED_WITH = {
  '@langchain/langgraph': '1.7.3',
  '@langchain/langgraph-checkpoint': '1.2.2',
  '@langchain/langgraph-checkpoint-postgres': '1.0.5',
} as const;

/** Which saver the worker constructs: `batching` (default) or `stock`, the way back without a release. */
export type SaverKind = 'batching' | 'stock';

export class SaverConfigError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
    this.name = 'SaverConfigError';
  }
}

/** GUARDIAN_CHECKPOINT_SAVER: unset/empty → batching; anything but batching|stock is refused, naming the variable. */
export function saverKindFrom(value: string | undefined): SaverKind {
  const v = (value ?? '').trim();
  if (v === '' || v === 'batching') return 'batching';
  if (v === 'stock') return 'stock';
  throw new SaverConfigError('GUARDIAN_CHECKPOINT_SAVER', `GUARDIAN_CHECKPOINT_SAVER must be "batching" or "stock", not ${JSON.stringify(v)}`);
}

/** The saver for running graphs. Both kinds read and write the same rows (interchangeable per thread). */
export function createCheckpointSaver(pool: pg.Pool, kind: SaverKind = 'batching'): PostgresSaver {
  return kind === 'stock' ? new PostgresSaver(pool) : new BatchingPostgresSaver(pool);
}

type SaverOptions = ConstructorParameters<typeof PostgresSaver>[2];

export class BatchingPostgresSaver extends PostgresSaver {
  // The stock class keeps its pool and options private; the same values, kept for the write SQL.
  private readonly writePool: pg.Pool;
  private readonly putSql: string;
  private readonly upsertWritesSql: string;
  private readonly insertWritesSql: string;

  constructor(pool: pg.Pool, serde?: SerializerProtocol, options?: SaverOptions) {
    super(pool, serde, options);
    this.writePool = pool;
    // Table names quoted exactly as the stock getTablesWithSchema does (schema default "public").
    const schema = options?.schema ?? 'public';
    const blobs = `"${schema}".checkpoint_blobs`;
    const checkpoints = `"${schema}".checkpoints`;
    const writes = `"${schema}".checkpoint_writes`;
    // One statement: the blob rows (stock UPSERT_CHECKPOINT_BLOBS_SQL, ON CONFLICT DO NOTHING, as a
    // data-modifying CTE fed by arrays) and the checkpoint row (stock UPSERT_CHECKPOINTS_SQL verbatim).
    // The CTE runs exactly once whether or not it is referenced; both share one snapshot and commit together.
    this.putSql = `WITH blobs AS (
  INSERT INTO ${blobs} (thread_id, checkpoint_ns, channel, version, type, blob)
  SELECT $1::text, $2::text, b.channel, b.version, b.type, b.blob
  FROM unnest($7::text[], $8::text[], $9::text[], $10::bytea[]) AS b(channel, version, type, blob)
  ON CONFLICT (thread_id, checkpoint_ns, channel, version) DO NOTHING
)
INSERT INTO ${checkpoints} (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, checkpoint, metadata)
VALUES ($1::text, $2::text, $3::text, $4::text, $5::jsonb, $6::jsonb)
ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id)
DO UPDATE SET checkpoint = EXCLUDED.checkpoint, metadata = EXCLUDED.metadata`;
    const writesInsert = `INSERT INTO ${writes} (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob)
SELECT $1::text, $2::text, $3::text, $4::text, w.idx, w.channel, w.type, w.blob
FROM unnest($5::int4[], $6::text[], $7::text[], $8::bytea[]) AS w(idx, channel, type, blob)
ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id, task_id, idx)`;
    // The stock pair UPSERT_CHECKPOINT_WRITES_SQL / INSERT_CHECKPOINT_WRITES_SQL, as multi-row statements.
    this.upsertWritesSql = `${writesInsert} DO UPDATE SET channel = EXCLUDED.channel, type = EXCLUDED.type, blob = EXCLUDED.blob`;
    this.insertWritesSql = `${writesInsert} DO NOTHING`;
  }

  /**
   * Stock: BEGIN; one INSERT per blob; the checkpoint upsert; COMMIT. Here: one statement.
   * Preserved: the missing-`configurable` error, checkpoint_ns defaulting to "", the returned config,
   * blob rows only for `newVersions` ("empty" type and NULL blob for a channel without a value), blobs
   * never overwritten, the checkpoint row overwritten (checkpoint + metadata) on a repeated id.
   */
  override async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig> {
    if (config.configurable === undefined) throw new Error(`Missing "configurable" field in "config" param`);
    const { thread_id, checkpoint_ns = '', checkpoint_id } = config.configurable as { thread_id: string; checkpoint_ns?: string; checkpoint_id?: string };
    const serializedCheckpoint = this._dumpCheckpoint(checkpoint);
    const [blobRows, serializedMetadata] = await Promise.all([
      this._dumpBlobs(thread_id, checkpoint_ns, checkpoint.channel_values, newVersions),
      this._dumpMetadata(metadata),
    ]);
    const channels: string[] = [];
    const versions: string[] = [];
    const types: string[] = [];
    const values: (Uint8Array | null)[] = [];
    for (const [, , channel, version, type, blob] of blobRows) {
      channels.push(channel);
      versions.push(version);
      types.push(type);
      values.push(blob ?? null);
    }
    await this.writePool.query(this.putSql, [
      thread_id,
      checkpoint_ns,
      checkpoint.id,
      checkpoint_id,
      // jsonb parameters as text, as pg would have serialised the objects for the stock statement
      JSON.stringify(serializedCheckpoint),
      JSON.stringify(serializedMetadata),
      channels,
      versions,
      types,
      values,
    ]);
    return { configurable: { thread_id, checkpoint_ns, checkpoint_id: checkpoint.id } };
  }

  /**
   * Stock: BEGIN; one INSERT per write; COMMIT. Here: one statement (none for an empty batch).
   * Preserved: idx = WRITES_IDX_MAP[channel] ?? position (via the stock _dumpWrites); a batch made only of
   * special writes (error, interrupt, resume, scheduled) overwrites earlier rows, any other batch leaves
   * existing rows alone; config values passed as given (a missing id fails on the same NOT NULL).
   * Two writes of one batch with the same key (e.g. two interrupts, both idx -3): the stock statements run
   * in order, so an upsert batch ends with the LAST and a do-nothing batch keeps the FIRST; one statement
   * cannot touch a row twice, so the batch is reduced to exactly those rows first.
   */
  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    if (writes.length === 0) return;
    const upsert = writes.every((w) => w[0] in WRITES_IDX_MAP);
    const c = config.configurable as { thread_id: string; checkpoint_ns: string; checkpoint_id: string } | undefined;
    const dumped = await this._dumpWrites(c?.thread_id as string, c?.checkpoint_ns as string, c?.checkpoint_id as string, taskId, writes);
    const byIdx = new Map<number, (typeof dumped)[number]>();
    for (const row of dumped) if (upsert || !byIdx.has(row[4])) byIdx.set(row[4], row);
    const rows = [...byIdx.values()];
    await this.writePool.query(upsert ? this.upsertWritesSql : this.insertWritesSql, [
      c?.thread_id,
      c?.checkpoint_ns,
      c?.checkpoint_id,
      taskId,
      rows.map((r) => r[4]),
      rows.map((r) => r[5]),
      rows.map((r) => r[6]),
      rows.map((r) => r[7]),
    ]);
  }
}
