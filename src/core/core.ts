import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import pg from 'pg';
import type { CaseStatus } from '../shared/domain.js';
import type { ConnectionState, CoreApi, CoreEvent } from './api.js';
import { createPgLock, createLocalLock, type CaseLock } from './agent/case-lock.js';
import { buildGraph, type CaseGraph } from './agent/graph.js';
import { AgentRunner, RefusedError } from './agent/runner.js';
import type { Classifier } from './classify/classifier.js';
import { createGroqClassifier } from './classify/groq.js';
import { createRulesClassifier } from './classify/rules.js';
import { instrumentClassifier } from './observability/instrument.js';
import { createTracing, flushTraces } from './observability/tracing.js';
import { localUserId, type Config } from './config.js';
import type { Logger } from './ports.js';
import { createAmqpBus } from './queue/amqp-bus.js';
import { backoffMs, PermanentError, RetryLaterError, type Bus, type BusState, type QueueDepth, type WorkQueue } from './queue/bus.js';
import { DEAD_QUEUE } from './queue/topology.js';
import { createMemoryBus, type MemoryBus } from './queue/memory-bus.js';
import { AnalysisJob, CommandJob } from './queue/messages.js';
import { demoMessages } from './demo/demo-content.js';
import { createSimulatorPlatform } from './platform/simulator.js';
import type { Platform } from './platform/platform.js';
import { createWebhookPlatform } from './platform/webhook.js';
import { createActionService } from './services/actions.js';
import { createCommandService } from './services/commands.js';
import { createIngestHandler } from './services/ingest.js';
import { createQueries } from './services/queries.js';
import { createSweeper } from './services/sweeper.js';
import type { CaseRow } from './store/cases-repo.js';
import { createDb, isConnectionError, type Db } from './store/db.js';
import { caseHealthCounts } from './store/metrics-repo.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './store/embedded.js';
import { migrate } from './store/migrate.js';

/** The configured classifier: Groq when a key is set (rules answer when it cannot), else the rules. */
export function createClassifier(config: Config, logger: Logger): Classifier {
  const rules = createRulesClassifier({ policyFile: config.policyFile });
  if (!config.groq) return rules;
  return createGroqClassifier({ ...config.groq, fallback: rules, logger, policy: rules.policy });
}

export interface CoreOptions {
  config: Config;
  logger: Logger;
  /** Overrides for tests and the evaluation tool; production picks adapters from config. */
  classifier?: Classifier;
  platform?: Platform;
  /** Consume work queues (ingest, analysis, decisions, rollbacks). Defaults to config.worker. */
  worker?: boolean;
  /** Max deliveries of a job before the case is marked failed and the message dead-lettered. */
  maxAttempts?: number;
  /** Start even when the shared servers are unreachable, and connect when they come back (workstations). */
  tolerateOffline?: boolean;
}

export interface Core extends CoreApi {
  readonly db: Db;
  readonly bus: Bus;
  readonly graph: CaseGraph;
  readonly platform: Platform;
  /** Resolves once the database schema is in place (at once unless started with tolerateOffline). */
  ready(): Promise<void>;
  /** Standalone only: resolves when all queued work has been processed. */
  drain(): Promise<void>;
  /** Seeds demo moderators and publishes demo content; returns how many messages were published. */
  seedDemo(): Promise<number>;
  /** Republishes unfinished work now (all of it in standalone mode). */
  sweep(): Promise<number>;
  /** What an operator checks first (`guardian health`): connections, queue depths, dead letters, stuck work. */
  health(): Promise<HealthReport>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface HealthReport {
  /** ok: all up and nothing waiting on an operator; degraded: up, but something needs a look; down: a server is unreachable */
  status: 'ok' | 'degraded' | 'down';
  mode: 'connected' | 'standalone';
  database: { state: 'up' | 'down' | 'embedded'; latencyMs?: number; error?: string };
  broker: { state: BusState; queues?: QueueDepth[]; error?: string };
  cases?: { failed: number; stuckAnalyzing: number; awaitingReview: number; pastSla: number };
  /** Why the status is not ok, in words. */
  problems: string[];
}

/**
 * Builds the core for the configured mode. Connected: shared PostgreSQL + RabbitMQ; standalone: embedded
 * PGlite + in-process bus. Same schema, same graph, same command path (DESIGN §1).
 */
export async function createCore(o: CoreOptions): Promise<Core> {
  const { config, logger } = o;
  const worker = o.worker ?? config.worker;
  const maxAttempts = o.maxAttempts ?? 5;
  let embedded: EmbeddedPostgres | undefined;
  let lock: CaseLock;
  let dbUrl: string;
  let dbDown = false;
  const listeners = new Set<(e: CoreEvent) => void>();
  const emit = (e: CoreEvent) => {
    for (const l of listeners) {
      try {
        l(e);
      } catch (err) {
        logger.warn({ err: (err as Error).message }, 'core event listener failed');
      }
    }
  };

  if (config.mode === 'connected') {
    dbUrl = config.databaseUrl!;
    const lockPool = new pg.Pool({ connectionString: dbUrl, application_name: 'guardian-locks', max: Math.max(4, config.prefetch * 3 + 2), connectionTimeoutMillis: 15_000 });
    // An idle connection the server ends (restart, failover, a DBA's pg_terminate_backend) is reported
    // here; without a listener it would be an uncaught 'error' that ends the process.
    lockPool.on('error', (err) => logger.warn({ err: err.message }, 'database connection error (locks)'));
    lock = createPgLock(lockPool, (caseId, err) => logger.warn({ caseId, err: err.message }, 'case lock connection ended while held; the job goes on'));
  } else {
    embedded = await startEmbeddedPostgres(config.dataDir, logger);
    dbUrl = embedded.connectionString;
    lock = createLocalLock();
  }
  // PGlite has one backend session: one connection only (FACTS).
  const db = createDb({
    connectionString: dbUrl,
    // Enough for every handler the consumers may run at once (4 queues × prefetch) plus reads.
    max: config.mode === 'connected' ? Math.max(10, config.prefetch * 5 + 4) : 1,
    ...(config.mode === 'connected' ? { applicationName: 'guardian-core' } : {}),
    onError: (err) => {
      logger.warn({ err: err.message }, 'database connection error');
    },
  });
  // UI and CLI reads get their own small pool in connected mode, so a busy workstation (say, a 100k-row
  // queue) cannot take the connections the queue consumers need (BENCHMARKS.md, part 4). PGlite: the one.
  const readDb =
    config.mode === 'connected'
      ? createDb({ connectionString: dbUrl, max: 4, applicationName: 'guardian-reads', onError: (err) => logger.warn({ err: err.message }, 'database connection error (reads)') })
      : db;
  const saver = new PostgresSaver(db.pool);
  const initDb = async () => {
    await migrate(db, logger);
    await saver.setup();
  };
  // A workstation must open (and take decisions into its outbox) while the servers are unreachable:
  // there the schema check is retried in the background; everywhere else a broken database stops start.
  let dbReady: Promise<void> = Promise.resolve();
  let stopped = false;
  if (o.tolerateOffline && config.mode === 'connected') {
    dbReady = (async () => {
      for (let attempt = 1; !stopped; attempt++) {
        try {
          return await initDb();
        } catch (err) {
          logger.warn({ err: (err as Error).message, attempt }, 'database not reachable yet; retrying');
          await new Promise((r) => setTimeout(r, backoffMs(attempt, 500, 10_000)).unref());
        }
      }
    })();
  } else {
    try {
      await initDb();
    } catch (err) {
      await db.close().catch(() => {});
      if (readDb !== db) await readDb.close().catch(() => {});
      await embedded?.stop();
      throw err;
    }
  }

  const bus: Bus | MemoryBus =
    config.mode === 'connected' ? createAmqpBus({ url: config.amqpUrl!, logger, lazy: o.tolerateOffline }) : createMemoryBus({ logger });
  const publishJob = (queue: WorkQueue, body: object, opts?: { priority?: number }) => bus.publishJob(queue, body, opts);

  const platform =
    o.platform ??
    (config.platform.url
      ? createWebhookPlatform({ url: config.platform.url, secret: config.platform.secret, timeoutMs: config.platform.timeoutMs, logger })
      : createSimulatorPlatform(db));
  const tracing = createTracing(config.langsmith, { logger });
  const classifier = instrumentClassifier(o.classifier ?? createClassifier(config, logger), { logger, tracing });
  const actions = createActionService(db, platform);

  const onCaseChanged = (row: CaseRow) => {
    const e = { type: 'case.updated' as const, caseId: row.id, status: row.status as CaseStatus, version: row.version, level: row.level };
    bus.publishEvent('case.updated', e).catch((err: Error) => logger.debug({ err: err.message }, 'event publish failed'));
  };

  const graph = buildGraph(
    {
      analyze: (content) => classifier.classify(content),
      actions,
    },
    saver,
  );
  const runner = new AgentRunner({
    db,
    graph,
    lock,
    logger,
    slaMinutes: config.slaMinutes,
    onCaseChanged,
    runConfig: tracing.enabled ? (caseId) => tracing.runConfig({ caseId }) : undefined,
  });
  const commands = createCommandService({ db, logger, claimMinutes: config.claimMinutes, publishJob, onCaseChanged });
  const queries = createQueries(db);
  const reads = readDb === db ? queries : createQueries(readDb);
  const ingest = createIngestHandler({ db, logger, commands, publishJob, onCaseChanged });
  const sweeper = createSweeper({
    db,
    logger,
    publishJob,
    slaMinutes: config.slaMinutes,
    onCaseChanged,
    minAgeSeconds: config.mode === 'connected' ? 60 : 0,
    intervalMs: config.mode === 'connected' ? 30_000 : 60_000,
  });

  /** Job failures: retry transient ones; when they run out (or are refused), the case needs an operator. */
  async function guarded(caseId: string, attempts: number, fn: () => Promise<void>, commandId?: string) {
    try {
      await fn();
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      // An outage is not the case's fault: retry later without using up its attempts.
      if (isConnectionError(err)) throw new RetryLaterError(reason);
      if (err instanceof RefusedError || attempts >= maxAttempts) {
        await runner.fail(caseId, reason, commandId).catch(() => {});
        throw new PermanentError(reason);
      }
      throw err;
    }
  }

  const connection = (): ConnectionState => ({
    database: config.mode === 'standalone' ? 'embedded' : dbDown ? 'down' : 'up',
    broker: bus.state() === 'in-process' ? 'in-process' : bus.state() === 'up' ? 'up' : 'down',
  });
  bus.onStateChange(() => emit({ type: 'connection.changed', state: connection() }));

  /** Standalone: one local user holding every role (DESIGN §1). */
  async function ensureLocalUser() {
    const id = localUserId(config.user);
    const { rowCount } = await db.query('SELECT 1 FROM moderators WHERE id = $1', [id]);
    if (!rowCount) await queries.addModerator({ id, role: 'admin', displayName: `${id} (local)`, actor: 'standalone', tool: 'worker' });
  }

  let started = false;
  const core: Core = {
    mode: config.mode,
    db,
    bus,
    graph,
    platform,
    execute: (cmd) => commands.execute(cmd),
    listCases: (q) => reads.listCases(q),
    getCase: (id) => reads.getCase(id),
    audit: (q) => reads.audit(q),
    metrics: (q) => reads.metrics(q),
    moderators: () => reads.moderators(),
    commandStatus: (id) => reads.commandStatus(id),
    addModerator: (input) => queries.addModerator(input),
    connection,
    onEvent(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    ready: () => dbReady,
    drain: () => ('drain' in bus ? (bus as MemoryBus).drain() : Promise.resolve()),
    sweep: () => sweeper.sweepOnce(config.mode === 'standalone' ? 0 : undefined),

    async seedDemo() {
      const people: Array<[string, 'moderator' | 'supervisor' | 'admin', string]> = [
        ['demo-moderator', 'moderator', 'Dana (moderator)'],
        ['demo-moderator-2', 'moderator', 'Milo (moderator)'],
        ['demo-supervisor', 'supervisor', 'Sam (supervisor)'],
        ['demo-supervisor-2', 'supervisor', 'Ria (supervisor)'],
        ['demo-admin', 'admin', 'Ada (admin)'],
      ];
      for (const [id, role, displayName] of people) await queries.addModerator({ id, role, displayName, actor: 'demo', tool: 'cli' });
      const messages = demoMessages();
      for (const m of messages) await bus.publishIngest('content.submitted', m, { messageId: m.contentId });
      return messages.length;
    },

    async health(): Promise<HealthReport> {
      const problems: string[] = [];
      const t0 = performance.now();
      const database: HealthReport['database'] = await readDb
        .query('SELECT 1')
        .then(() => ({ state: config.mode === 'standalone' ? ('embedded' as const) : ('up' as const), latencyMs: Math.round((performance.now() - t0) * 10) / 10 }))
        .catch((err: Error) => ({ state: 'down' as const, error: err.message }));
      if (database.state === 'down') problems.push(`database unreachable: ${database.error}`);
      const state = bus.state();
      const broker: HealthReport['broker'] = { state };
      if (state === 'down') problems.push('broker unreachable');
      else
        broker.queues = await bus.queueDepths().catch((err: Error) => {
          broker.error = err.message;
          problems.push(`broker: ${err.message}`);
          return undefined;
        });
      const dead = broker.queues?.find((q) => q.queue === DEAD_QUEUE)?.messages ?? 0;
      if (dead) problems.push(`${dead} message(s) in the dead-letter queue ${DEAD_QUEUE}`);
      let cases: HealthReport['cases'];
      if (database.state !== 'down') {
        const r = (cases = await caseHealthCounts(readDb));
        if (r.failed) problems.push(`${r.failed} failed case(s) need an operator`);
        if (r.stuckAnalyzing) problems.push(`${r.stuckAnalyzing} case(s) analysing for more than 5 minutes`);
      }
      const down = database.state === 'down' || state === 'down';
      return { status: down ? 'down' : problems.length ? 'degraded' : 'ok', mode: config.mode, database, broker, cases, problems };
    },

    async start() {
      await bus.start();
      await bus.subscribeEvents((rk, body) => {
        if (rk === 'case.updated') emit(body as CoreEvent);
      });
      if (worker) {
        await dbReady;
        const prefetch = config.prefetch;
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
            const job = AnalysisJob.safeParse(JSON.parse(d.body.toString('utf8')));
            if (!job.success) throw new PermanentError('malformed analysis job');
            await guarded(job.data.caseId, d.attempts, () => runner.analyze(job.data.caseId));
          },
          { prefetch, maxAttempts },
        );
        const commandHandler = async (d: { body: Buffer; attempts: number }) => {
          const job = CommandJob.safeParse(JSON.parse(d.body.toString('utf8')));
          if (!job.success) throw new PermanentError('malformed command job');
          await guarded(job.data.caseId, d.attempts, () => runner.applyCommand(job.data.commandId), job.data.commandId);
        };
        await bus.consume('decisions', commandHandler, { prefetch, maxAttempts });
        await bus.consume('rollbacks', commandHandler, { prefetch, maxAttempts });
        // Single owner (standalone): everything unfinished is ours to resume right away.
        if (config.mode === 'standalone') await sweeper.sweepOnce(0);
        sweeper.start();
      }
      if (config.mode === 'standalone') await ensureLocalUser();
      started = true;
      logger.info({ mode: config.mode, worker, platform: platform.name, classifier: classifier.name }, 'core started');
    },

    // Stop in order: stop consuming, finish in flight, close the bus, close pools (STYLE 5).
    async stop() {
      stopped = true;
      commands.stop();
      if (started) {
        await sweeper.stop();
        await bus.stopConsuming();
        await bus.close();
      }
      // Traces are flushed with a bound: a dead LangSmith endpoint must not hang shutdown (FACTS).
      if (tracing.enabled && !(await flushTraces(3_000))) logger.warn({}, 'some traces were not sent before shutdown');
      await lock.close().catch(() => {});
      await db.close().catch(() => {});
      if (readDb !== db) await readDb.close().catch(() => {});
      await embedded?.stop();
      logger.info({}, 'core stopped');
    },
  };
  // Connected mode: probe the shared database so "database offline" shows within seconds (DESIGN §9).
  let probe: NodeJS.Timeout | undefined;
  let probePool: pg.Pool | undefined;
  if (config.mode === 'connected') {
    // Its own connection: on the shared pool a probe waiting behind busy workers read as "database down"
    // while PostgreSQL was fine (BENCHMARKS.md, part 4).
    const probes = (probePool = new pg.Pool({ connectionString: dbUrl, application_name: 'guardian-probe', max: 1, connectionTimeoutMillis: 2_000, query_timeout: 2_000, keepAlive: true }));
    probes.on('error', (err) => logger.debug({ err: err.message }, 'probe connection error'));
    const report = (ok: boolean) => {
      if (ok !== dbDown) return;
      dbDown = !ok;
      logger.warn({ database: ok ? 'up' : 'down' }, 'database connectivity changed');
      emit({ type: 'connection.changed', state: connection() });
    };
    // One probe in flight at a time: a silent server is "down" once its probe has gone unanswered for
    // 2 s, and "up" again as soon as a probe is answered (no pile of hung probes on the pool).
    let inFlightSince: number | undefined;
    const tick = () => {
      if (inFlightSince !== undefined) {
        if (Date.now() - inFlightSince > 2_000) report(false);
        return;
      }
      inFlightSince = Date.now();
      probes.query('SELECT 1').then(
        () => {
          inFlightSince = undefined;
          report(true);
        },
        () => {
          inFlightSince = undefined;
          report(false);
        },
      );
    };
    // Every second: a silent server shows as offline within ~3 s (DESIGN §9 asks for 5 s).
    probe = setInterval(tick, 1_000);
    probe.unref();
  }
  const stopCore = core.stop;
  core.stop = async () => {
    if (probe) clearInterval(probe);
    await stopCore();
    await probePool?.end().catch(() => {});
  };
  return core;
}
