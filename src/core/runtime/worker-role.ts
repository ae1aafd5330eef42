// The worker role (DESIGN §10): holds the worker login, the platform webhook secret and the Groq key; runs
// the agent and applies only commands the database accepted. Job messages are hints: the worker re-reads
// every command, and an unknown, foreign or already-applied id is acked and logged, never fails a case.
// Headless `guardian worker` and standalone mode run it; a connected workstation does not (unless an admin
// provisions it as a worker).
import pg from 'pg';
import type { CaseStatus } from '../../shared/domain.js';
import { createLocalLock, createPgLock, type CaseLock } from '../agent/case-lock.js';
import { buildGraph, type CaseGraph } from '../agent/graph.js';
import { createCheckpointSaver, saverKindFrom } from '../agent/saver.js';
import { AgentRunner, RefusedError } from '../agent/runner.js';
import type { Classifier } from '../classify/classifier.js';
import { createClassifier } from '../classify/configured.js';
import type { Config } from '../config.js';
import { instrumentClassifier } from '../observability/instrument.js';
import { createTracing, flushTraces } from '../observability/tracing.js';
import { createWebhookPlatform } from '../platform/webhook.js';
import { createSimulatorPlatform } from '../platform/simulator.js';
import type { Platform } from '../platform/platform.js';
import type { Logger } from '../ports.js';
import { PermanentError, RetryLaterError, type Bus, type WorkQueue } from '../queue/bus.js';
import { createEventRelay, type EventRelay } from '../queue/event-relay.js';
import { AnalysisJob, CommandJob } from '../queue/messages.js';
import { createActionService } from '../services/actions.js';
import { createDeadLetterKeeper } from '../services/dead-letters.js';
import { createStatementService } from '../services/statements.js';
import { loadPolicy } from '../classify/policy.js';
import { createIngestHandler } from '../services/ingest.js';
import { createSweeper } from '../services/sweeper.js';
import type { CaseRow } from '../store/cases-repo.js';
import { isConnectionError, type Db } from '../store/db.js';

export interface WorkerRoleOptions {
  config: Config;
  logger: Logger;
  db: Db;
  bus: Bus;
  classifier?: Classifier;
  platform?: Platform;
  maxAttempts: number;
  /** Connected: the worker login's URL, for the case-lock pool and the event relay. */
  connectionString?: string;
  /** Standalone: case changes go straight to the in-process bus (no relay there). */
  publishCaseChanged?: (row: CaseRow) => void;
}

export function createWorkerRole(o: WorkerRoleOptions) {
  const { config, logger, db, bus } = o;
  const connected = config.mode === 'connected';
  let lockPool: pg.Pool | undefined;
  let lock: CaseLock;
  if (connected) {
    lockPool = new pg.Pool({ connectionString: o.connectionString, application_name: 'guardian-locks', max: Math.max(4, config.prefetch * 3 + 2), connectionTimeoutMillis: 15_000 });
    // An idle connection the server ends (restart, failover, a DBA's pg_terminate_backend) is reported
    // here; without a listener it would be an uncaught 'error' that ends the process.
    lockPool.on('error', (err) => logger.warn({ err: err.message }, 'database connection error (locks)'));
    lock = createPgLock(lockPool, (caseId, err) => logger.warn({ caseId, err: err.message }, 'case lock connection ended while held; the job goes on'));
  } else {
    lock = createLocalLock();
  }
  const publishJob = (queue: WorkQueue, body: object, opts?: { priority?: number }) => bus.publishJob(queue, body, opts);
  // Connected: the database's trigger + the relay announce every change (one path, committed changes only).
  const onCaseChanged = o.publishCaseChanged ?? (() => {});

  const platform: Platform =
    o.platform ??
    (config.platform.url
      ? createWebhookPlatform({ url: config.platform.url, secret: config.platform.secret, timeoutMs: config.platform.timeoutMs, logger })
      : createSimulatorPlatform(db));
  const tracing = createTracing(config.langsmith, { logger });
  const classifier = instrumentClassifier(o.classifier ?? createClassifier(config, logger), { logger, tracing });
  // The batching subclass of the official saver (agent/saver.ts, issue 16): same rows, one statement per
  // put/putWrites. GUARDIAN_CHECKPOINT_SAVER=stock runs the official class unchanged (both read each
  // other's threads), the way back without a release; bench/pipeline.ts measures the two back to back.
  const saver = createCheckpointSaver(db.pool, saverKindFrom(process.env.GUARDIAN_CHECKPOINT_SAVER));
  // The policy's wording is the ground of each statement of reasons (issue 15): the same file the rules read.
  const statements = createStatementService(db, loadPolicy(config.policyFile));
  const graph: CaseGraph = buildGraph({ analyze: (content) => classifier.classify(content), actions: createActionService(db, platform), statements }, saver);
  const runner = new AgentRunner({
    db,
    graph,
    lock,
    logger,
    slaMinutes: config.slaMinutes,
    slaTargets: config.slaTargets,
    onCaseChanged,
    runConfig: tracing.enabled ? (caseId) => tracing.runConfig({ caseId }) : undefined,
  });
  const ingest = createIngestHandler({ db, logger, publishJob, onCaseChanged });
  const sweeper = createSweeper({
    db,
    logger,
    publishJob,
    slaMinutes: config.slaMinutes,
    onCaseChanged,
    minAgeSeconds: connected ? 60 : 0,
    intervalMs: connected ? 30_000 : 60_000,
  });
  // Issue 15: guardian.dead into the database, and the replays admins ask for (GUARDIAN_DEAD_LETTERS=table).
  const deadLetters = config.deadLetterIntake ? createDeadLetterKeeper({ db, bus, logger, pollMs: connected ? 2_000 : 1_000 }) : undefined;
  const relay: EventRelay | undefined = connected
    ? createEventRelay({ connectionString: o.connectionString!, logger, publish: (rk, body) => bus.publishEvent(rk, body) })
    : undefined;

  /** Job failures: retry transient ones; when they run out (or are refused), the case needs an operator. */
  async function guarded(caseId: string, attempts: number, fn: () => Promise<void>, commandId?: string) {
    try {
      await fn();
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      // An outage is not the case's fault: retry later without using up its attempts.
      if (isConnectionError(err)) throw new RetryLaterError(reason);
      if (err instanceof RefusedError || attempts >= o.maxAttempts) {
        await runner.fail(caseId, reason, commandId).catch(() => {});
        throw new PermanentError(reason);
      }
      throw err;
    }
  }

  const parseJob = <T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, body: Buffer, what: string): T => {
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new PermanentError(`malformed ${what}: not JSON`);
    }
    const job = schema.safeParse(json);
    if (!job.success) throw new PermanentError(`malformed ${what}`);
    return job.data;
  };

  let started = false;
  return {
    graph,
    platform,
    classifier,
    runner,
    deadLetters,
    sweep: (minAgeSeconds?: number) => sweeper.sweepOnce(minAgeSeconds),
    async start() {
      const prefetch = config.prefetch;
      const maxAttempts = o.maxAttempts;
      await bus.consume(
        'ingest',
        async (d) => {
          try {
            await ingest(d);
          } catch (err) {
            // Content arriving during a database outage waits; it is never dead-lettered for it.
            if (isConnectionError(err)) throw new RetryLaterError((err as Error).message);
            throw err;
          }
        },
        { prefetch: prefetch * 2, maxAttempts },
      );
      await bus.consume(
        'analysis',
        async (d) => {
          const job = parseJob(AnalysisJob, d.body, 'analysis job');
          await guarded(job.caseId, d.attempts, () => runner.analyze(job.caseId));
        },
        { prefetch, maxAttempts },
      );
      const commandHandler = async (d: { body: Buffer; attempts: number }) => {
        const job = parseJob(CommandJob, d.body, 'command job');
        const cmd = await runner.loadCommand(job.commandId).catch((err: unknown) => {
          if (isConnectionError(err)) throw new RetryLaterError((err as Error).message);
          throw err;
        });
        // A hint naming no command the database accepted (or another case) changes nothing: ack and log.
        if (!cmd || cmd.case_id !== job.caseId) {
          logger.warn({ commandId: job.commandId, caseId: job.caseId, known: !!cmd }, 'job names no accepted command of that case: ignored');
          return;
        }
        await guarded(cmd.case_id, d.attempts, () => runner.applyCommand(cmd), cmd.id);
      };
      await bus.consume('decisions', commandHandler, { prefetch, maxAttempts });
      await bus.consume('rollbacks', commandHandler, { prefetch, maxAttempts });
      // Single owner (standalone): everything unfinished is ours to resume right away.
      if (!connected) await sweeper.sweepOnce(0);
      sweeper.start();
      await deadLetters?.start();
      await relay?.start();
      started = true;
    },
    /** Stop taking work and finish what is in flight (the bus itself is closed by its owner). */
    async stop() {
      if (started) {
        await sweeper.stop();
        await deadLetters?.stop();
        await bus.stopConsuming();
      }
      await relay?.stop();
      // Traces are flushed with a bound: a dead LangSmith endpoint must not hang shutdown (FACTS).
      if (tracing.enabled && !(await flushTraces(3_000))) logger.warn({}, 'some traces were not sent before shutdown');
      await lock.close().catch(() => {});
    },
  };
}

export type WorkerRole = ReturnType<typeof createWorkerRole>;
export type { CaseStatus };
