// Composition of the core for the configured mode (DESIGN §1, §10). Each part lives in its own module:
// the embedded database and its setup (standalone), the broker adapter, the worker role (agent, consumers,
// sweeper, event relay), person sessions (commands and reads under a person's own login), health and demo.
import type { CoreEvent, ConnectionState } from './api.js';
import type { Classifier } from './classify/classifier.js';
import { localUserId, type Config } from './config.js';
import { seedDemo } from './demo/seed.js';
import { GuardianError } from './errors.js';
import type { Platform } from './platform/platform.js';
import type { Logger } from './ports.js';
import { createAmqpBus } from './queue/amqp-bus.js';
import { backoffMs, type Bus } from './queue/bus.js';
import { createMemoryBus, type MemoryBus } from './queue/memory-bus.js';
import { createEventHub } from './runtime/events.js';
import { healthReport, type HealthReport } from './runtime/health.js';
import type { WorkerRole, WorkerRoleOptions } from './runtime/worker-role.js';
import { openPersonSession, type PersonSession } from './session/person-session.js';
import { setupDatabase } from './setup/db-setup.js';
import { roleNames } from './setup/roles.js';
import type { Whoami } from './services/people.js';
import type { CaseRow } from './store/cases-repo.js';
import { createDb, type Db } from './store/db.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './store/embedded.js';
import { checkSchema } from './store/schema-check.js';

export type { HealthReport } from './runtime/health.js';

export interface CoreOptions {
  config: Config;
  logger: Logger;
  /** Overrides for tests and the evaluation tool; production picks adapters from config. */
  classifier?: Classifier;
  platform?: Platform;
  /**
   * Run the worker role: consume the work queues, run the agent, execute platform actions. Standalone
   * always does (one local person, everything in process); connected defaults to config.worker.
   */
  worker?: boolean;
  /** Max deliveries of a job before the case is marked failed and the message dead-lettered. */
  maxAttempts?: number;
  /** Start even when the shared servers are unreachable, and connect when they come back (workstations). */
  tolerateOffline?: boolean;
}

export interface SessionRequest {
  /** A person's login and password (sign-in); without them, DATABASE_URL's own login. */
  login?: string;
  password?: string;
  tool?: 'cli' | 'ui' | 'api';
  /** Open while the database is unreachable as this remembered person (the workstation's offline start). */
  offlineAs?: Whoami;
}

export interface Core {
  readonly mode: 'connected' | 'standalone';
  /** The process's own login's pool (DATABASE_URL; the embedded database in standalone mode). */
  readonly db: Db;
  readonly bus: Bus;
  /**
   * The worker role, when this process runs it. Standalone: there once the agent has loaded (it loads
   * after start, so the queue answers first: issue 16); await ready() for it.
   */
  readonly worker?: WorkerRole;
  /**
   * Connected: resolves once the database schema is checked (at once unless started with tolerateOffline).
   * Standalone: once the worker role (the agent) has loaded and consumes; rejects if it could not.
   */
  ready(): Promise<void>;
  /** Standalone only: resolves when all queued work has been processed. */
  drain(): Promise<void>;
  /** Publishes demo content to the ingest exchange; returns how many messages were published. */
  seedDemo(): Promise<number>;
  /** Republishes unfinished work now (all of it in standalone mode). Worker role only. */
  sweep(): Promise<number>;
  health(): Promise<HealthReport>;
  /** A person's session: their own login is their identity (DESIGN §10). Closed by stop() if still open. */
  openSession(req?: SessionRequest): Promise<PersonSession>;
  /** The server a person signs in to, for the sign-in screen (no credentials). */
  server(): string;
  /** A person's login from what they typed: their id (alice → guardian.alice) or the login itself. */
  loginFor(idOrLogin: string): string;
  connection(): ConnectionState;
  onEvent(listener: (e: CoreEvent) => void): () => void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** DATABASE_URL with another login's credentials (sign-in), everything else (host, database, sslmode) kept. */
export function withLogin(url: string, login?: string, password?: string): string {
  if (!login) return url;
  const u = new URL(url);
  u.username = encodeURIComponent(login);
  u.password = password ? encodeURIComponent(password) : '';
  return u.toString();
}

/** The server part of DATABASE_URL, as shown at sign-in: host, port and database, never credentials. */
export function serverOf(url: string): string {
  const u = new URL(url);
  return `${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
}

export async function createCore(o: CoreOptions): Promise<Core> {
  const { config, logger } = o;
  const standalone = config.mode === 'standalone';
  const runWorker = standalone || (o.worker ?? config.worker);
  const maxAttempts = o.maxAttempts ?? 5;
  const hub = createEventHub(logger);
  const sessions = new Set<PersonSession>();
  let embedded: EmbeddedPostgres | undefined;
  let dbUrl: string;
  let localPerson: string | undefined;

  if (standalone) {
    embedded = await startEmbeddedPostgres(config.dataDir, logger);
    dbUrl = embedded.connectionString;
    // The single owner of the embedded database sets it up itself; its one local person holds every role.
    localPerson = localUserId(config.user);
    try {
      await setupDatabase({ url: dbUrl, mode: 'standalone', logger, localPerson });
    } catch (err) {
      await embedded.stop();
      throw err;
    }
  } else {
    dbUrl = config.databaseUrl!;
  }
  // PGlite has one backend session: one connection only (FACTS).
  const db = createDb({
    connectionString: dbUrl,
    // Enough for every handler the consumers may run at once (4 queues × prefetch) plus reads.
    max: standalone ? 1 : runWorker ? Math.max(10, config.prefetch * 5 + 4) : 4,
    ...(standalone ? {} : { applicationName: runWorker ? 'guardian-core' : 'guardian-person' }),
    // PGlite's one backend session ignores startup options: the client version is set per connection.
    reportVersion: standalone ? 'session' : 'startup',
    onError: (err) => logger.warn({ err: err.message }, 'database connection error'),
  });

  // A worker older than the team's minimum version (`guardian release require-version`) must not carry out
  // actions: it does not start, and the work waits in the queues for a current one (issue 13). The
  // database's own answer (api.minimum_version: the gate's comparison) decides; nothing is compared here.
  async function refuseIfOutdated(): Promise<void> {
    const { rows } = await db.query<{ r: { minimumVersion: string | null; clientVersion: string | null; current: boolean } }>('SELECT api.minimum_version() AS r');
    const r = rows[0]?.r;
    if (r && r.current === false)
      throw new GuardianError(
        'update_required',
        `This worker is ${r.clientVersion ?? 'of no reported version'}; the team's minimum is ${r.minimumVersion}: update it before it carries out actions.`,
        { minimumVersion: r.minimumVersion, clientVersion: r.clientVersion },
      );
  }

  // A workstation must open (and take decisions into its outbox) while the servers are unreachable: there
  // the schema check is retried in the background; everywhere else a missing or old schema stops start.
  let stopped = false;
  let dbReady: Promise<void> = Promise.resolve();
  if (!standalone && runWorker) {
    if (o.tolerateOffline) {
      dbReady = (async () => {
        for (let attempt = 1; !stopped; attempt++) {
          try {
            return void (await checkSchema(db));
          } catch (err) {
            if (err instanceof GuardianError && err.code !== 'unavailable') throw err;
            logger.warn({ err: (err as Error).message, attempt }, 'database not ready yet; retrying');
            await new Promise((r) => setTimeout(r, backoffMs(attempt, 500, 10_000)).unref());
          }
        }
      })();
      dbReady.catch(() => {});
    } else {
      try {
        await checkSchema(db);
      } catch (err) {
        await db.close().catch(() => {});
        throw err;
      }
    }
  }

  const bus: Bus | MemoryBus = standalone
    ? createMemoryBus({ logger })
    : createAmqpBus({ url: config.amqpUrl!, logger, lazy: o.tolerateOffline, declare: runWorker });
  // Standalone: a change is an in-process event at once. Connected: the database announces committed
  // changes and a worker relays them (queue/event-relay.ts), so no client can fake one.
  const publishCaseChanged = standalone
    ? (row: CaseRow) =>
        void bus
          .publishEvent('case.updated', { type: 'case.updated', caseId: row.id, status: row.status, version: row.version, level: row.level })
          .catch(() => {})
    : undefined;
  // The worker role brings the agent (LangGraph, LangChain core, the checkpoint saver: ~0.4 s of module
  // loading). Connected, it is loaded here; standalone, after start() (the queue answers first and the
  // work waits in the in-process bus until the agent consumes it): issue 16's start time.
  const workerOptions: WorkerRoleOptions = { config, logger, db, bus, classifier: o.classifier, platform: o.platform, maxAttempts, connectionString: dbUrl, publishCaseChanged };
  const loadWorker = async () => (await import('./runtime/worker-role.js')).createWorkerRole(workerOptions);
  let worker: WorkerRole | undefined = runWorker && !standalone ? await loadWorker() : undefined;
  // Standalone: the worker role loading and starting in the background (set by start()).
  let workerStarted: Promise<void> | undefined;
  const afterWorker = async () => {
    if (workerStarted) await workerStarted;
  };

  // The process's view: the database side of a connection belongs to each session (its login, its probe).
  const connection = (): ConnectionState => ({
    database: standalone ? 'embedded' : 'up',
    broker: bus.state() === 'in-process' ? 'in-process' : bus.state() === 'up' ? 'up' : 'down',
  });
  bus.onStateChange(() => hub.emit({ type: 'connection.changed', state: connection() }));

  let started = false;
  const core: Core = {
    mode: config.mode,
    db,
    bus,
    get worker() {
      return worker;
    },
    ready: () => (standalone ? afterWorker() : dbReady),
    async drain() {
      await afterWorker();
      if ('drain' in bus) await (bus as MemoryBus).drain();
    },
    async sweep() {
      await afterWorker();
      return worker ? worker.sweep(standalone ? 0 : undefined) : 0;
    },
    seedDemo: () => seedDemo(bus),
    health: () => healthReport({ mode: config.mode, db, bus }),
    server: () => (standalone ? 'embedded database' : serverOf(dbUrl)),
    loginFor: (x) => (x.includes('.') ? x : roleNames(config.rolePrefix).personLogin(x)),
    connection,
    onEvent: (l) => hub.on(l),

    async openSession(req: SessionRequest = {}) {
      const own = !req.login;
      const session = await openPersonSession({
        mode: config.mode,
        ...(standalone || own ? { db } : {}),
        connectionString: standalone ? undefined : own ? dbUrl : withLogin(dbUrl, req.login, req.password),
        bus,
        hub,
        logger,
        claimMinutes: config.claimMinutes,
        slaMinutes: config.slaMinutes,
        tool: req.tool ?? 'api',
        offlineAs: req.offlineAs,
        publishCaseChanged,
      });
      sessions.add(session);
      const close = session.close;
      return Object.assign(session, {
        async close() {
          sessions.delete(session);
          await close();
        },
      });
    },

    async start() {
      try {
        await bus.start();
        await bus.subscribeEvents((rk, body) => {
          if (rk === 'case.updated') hub.emit(body as CoreEvent);
        });
        if (standalone) {
          // The agent loads while the person's first reads are answered; content and decisions wait in the
          // in-process bus meanwhile. A failure to load is logged and rejects ready() and drain().
          workerStarted = loadWorker().then(async (w) => {
            if (stopped) return;
            worker = w;
            await w.start();
            logger.info({ platform: w.platform.name, classifier: w.classifier.name }, 'worker role started');
          });
          workerStarted.catch((err: unknown) => logger.error({ err: (err as Error).message }, 'the agent did not start: content is not analysed and decisions are not carried out'));
        } else if (worker) {
          await dbReady;
          let held = false;
          if (!standalone)
            await refuseIfOutdated().catch((err: unknown) => {
              // A workstation provisioned as a worker must still open, to show "Update required" and update
              // itself: its worker role stays stopped (the work waits for a current worker). Headless, it refuses.
              if (!(o.tolerateOffline && err instanceof GuardianError && err.code === 'update_required')) throw err;
              held = true;
              logger.error({ err: err.message }, 'the worker role does not start on this workstation until it is updated');
            });
          if (!held) await worker.start();
        }
      } catch (err) {
        // A start that fails leaves nothing running (connections, consumers): the process can exit.
        await core.stop().catch(() => {});
        throw err;
      }
      started = true;
      logger.info({ mode: config.mode, worker: !!worker, platform: worker?.platform.name, classifier: worker?.classifier.name }, 'core started');
    },

    // Stop in order: stop consuming, finish in flight, close the bus, close sessions and pools (STYLE 5).
    async stop() {
      stopped = true;
      await workerStarted?.catch(() => {});
      await worker?.stop();
      if (started) await bus.stopConsuming();
      // Also after a failed start: a broker connection left open would keep reconnecting (and the CLI alive).
      await bus.close();
      for (const s of [...sessions]) await s.close().catch(() => {});
      await db.close().catch(() => {});
      await embedded?.stop();
      logger.info({}, 'core stopped');
    },
  };
  return core;
}
