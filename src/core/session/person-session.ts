// One person's session (DESIGN §10): their own PostgreSQL login is their identity. Every change goes
// through the command functions (the database derives the actor from the login); reads are plain SELECTs
// on what the role may read. The workstation, the dev host (one per signed-in browser) and the CLI each
// hold sessions; standalone mode has one, for its local person, on the embedded database.
import type { CoreApi, CoreEvent } from '../api.js';
import { GuardianError } from '../errors.js';
import type { Logger } from '../ports.js';
import type { Bus, WorkQueue } from '../queue/bus.js';
import type { EventHub } from '../runtime/events.js';
import { createProbe, type Probe } from '../runtime/probe.js';
import { within } from '../runtime/within.js';
import { createCommandClient } from '../services/commands.js';
import { createBulk } from '../services/bulk.js';
import { createDeadLetterAdmin } from '../services/dead-letters.js';
import { createPeople, type Whoami } from '../services/people.js';
import { createQueries } from '../services/queries.js';
import type { CaseRow } from '../store/cases-repo.js';
import { createDb, isConnectionError, type Db, type Queryable } from '../store/db.js';
import { fromDbError } from '../store/db-errors.js';
import { checkSchema } from '../store/schema-check.js';

export interface PersonSession extends CoreApi {
  /** The person, as the database said at sign-in (or as remembered, when the session opened offline). */
  readonly person: Whoami;
  /** This login's connection (reads; `guardian audit verify`). */
  readonly db: Queryable;
  close(): Promise<void>;
}

export interface SessionOptions {
  mode: 'connected' | 'standalone';
  /** Connected: the person's DATABASE_URL (their login). Standalone: the embedded database's pool. */
  connectionString?: string;
  db?: Db;
  bus: Bus;
  hub: EventHub;
  logger: Logger;
  claimMinutes: number;
  /** The review SLA the dashboard counts breaches against (GUARDIAN_SLA_MINUTES; default 60). */
  slaMinutes?: number;
  tool: 'cli' | 'ui' | 'api';
  /** Open even when the database is unreachable, as this (remembered) person: a workstation must. */
  offlineAs?: Whoami;
  /** With offlineAs: how long the first answer may take before the session opens offline (default 3 s). */
  offlineBoundMs?: number;
  /** Standalone: this process's own live updates go straight to the in-process bus. */
  publishCaseChanged?: (row: CaseRow) => void;
}

const changedEvent = (row: CaseRow): CoreEvent => ({ type: 'case.updated', caseId: row.id, status: row.status, version: row.version, level: row.level });

export async function openPersonSession(o: SessionOptions): Promise<PersonSession> {
  const shared = !!o.db;
  const db =
    o.db ??
    createDb({
      connectionString: o.connectionString!,
      max: 4,
      applicationName: 'guardian-person',
      onError: (err) => o.logger.warn({ err: err.message }, 'database connection error (session)'),
    });
  let probe: Probe | undefined;
  const connection = () => ({
    database: o.mode === 'standalone' ? ('embedded' as const) : probe?.isDown() ? ('down' as const) : ('up' as const),
    broker: o.bus.state() === 'in-process' ? ('in-process' as const) : o.bus.state() === 'up' ? ('up' as const) : ('down' as const),
  });

  const people = createPeople(db, o.tool);
  let person: Whoami;
  try {
    const check = (async () => {
      if (o.mode === 'connected') await checkSchema(db);
      return people.whoami();
    })();
    // Opening offline is allowed: a silent server must not hold the workstation for the pool's 15 s
    // connect timeout (issue 12). After the probe's bound (~3 s: a silent database is "down") it opens as
    // the remembered person, unverified; the seat checks the login once the probe hears the server.
    person = o.offlineAs && o.mode === 'connected' ? await within(check, o.offlineBoundMs ?? 3_000, () =>
            Object.assign(new Error('timeout exceeded when trying to connect (no answer within the offline bound)'), { code: '08001' }),
          ) : await check;
  } catch (err) {
    if (!(o.offlineAs && isConnectionError(err))) {
      if (!shared) await db.close().catch(() => {});
      // A wrong or missing password, a disabled login: typed (forbidden, CLI exit 4), not a crash.
      throw fromDbError(err);
    }
    // The workstation opens on the cache and the outbox while the servers are away (DESIGN §9); the
    // database checks this login again at every command once it is back.
    person = o.offlineAs;
  }
  // This session's own view of the connections: its probe (its login, its database) and the process's
  // broker. Connection events reach this session's listeners only, carrying its own state.
  const own = new Set<(e: CoreEvent) => void>();
  const emitOwn = (e: CoreEvent) => {
    for (const l of own) l(e);
  };
  if (o.mode === 'connected')
    probe = createProbe({
      connectionString: o.connectionString!,
      logger: o.logger,
      // Opened offline: down until a probe is answered (then the seat checks the password for real).
      initiallyDown: person === o.offlineAs,
      onChange: () => emitOwn({ type: 'connection.changed', state: connection() }),
    });

  const publishJob = (queue: WorkQueue, body: object) => o.bus.publishJob(queue, body);
  const commands = createCommandClient({
    db,
    logger: o.logger,
    claimMinutes: o.claimMinutes,
    publishJob,
    // This process hears its own change at once; the others hear it from the database (event relay).
    onCaseChanged: (row) => (o.publishCaseChanged ? o.publishCaseChanged(row) : o.hub.emit(changedEvent(row))),
  });
  const reads = createQueries(db, { slaMinutes: o.slaMinutes });
  const execute: CoreApi['execute'] = (cmd) => commands.execute({ ...cmd, tool: cmd.tool ?? o.tool });
  const bulk = createBulk({ db, logger: o.logger, tool: o.tool, personId: person.id, execute, onProgress: (job) => emitOwn({ type: 'bulk.progress', job }) });

  return {
    mode: o.mode,
    person,
    db,
    whoami: () => people.whoami(),
    execute,
    bulk,
    listCases: (q) => reads.listCases(q),
    getCase: (id) => reads.getCase(id),
    audit: (q) => reads.audit(q),
    metrics: (q) => reads.metrics(q),
    dashboard: (q) => reads.dashboard(q),
    moderators: () => reads.moderators(),
    commandStatus: (id) => reads.commandStatus(id),
    people: { list: () => people.list(), add: (i) => people.add(i), disable: (id) => people.disable(id), setRole: (id, role) => people.setRole(id, role) },
    deadLetters: createDeadLetterAdmin(db, o.tool),
    connection,
    onEvent(l) {
      own.add(l);
      const off = o.hub.on((e) => l(e.type === 'connection.changed' ? { type: 'connection.changed', state: connection() } : e));
      return () => {
        own.delete(l);
        off();
      };
    },
    async close() {
      commands.stop();
      await probe?.stop();
      if (!shared) await db.close().catch(() => {});
    },
  };
}

/** The refusal for `--as X` / GUARDIAN_USER naming someone other than the login's person (exit 4). */
export function assertActingAs(person: Whoami, requested: string | undefined): void {
  if (requested && requested !== person.id)
    throw new GuardianError('forbidden', `You are logged in as ${person.id} (login ${person.login}), not ${requested}: --as only picks whose saved login to use.`);
}
