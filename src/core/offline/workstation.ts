import type { CaseDetail, CaseSummary } from '../../shared/domain.js';
import type { CaseQuery, CommandInput, CoreApi } from '../api.js';
import { GuardianError } from '../errors.js';
import type { Logger } from '../ports.js';
import { backoffMs } from '../queue/bus.js';
import { parseCommand } from '../services/commands.js';
import { cachedQuery } from './cached-query.js';
import type { LocalStore, OutboxEntry } from './local-store.js';

export interface Read<T> {
  value: T;
  /** True when the shared database could not be reached and this came from the local cache. */
  stale: boolean;
  syncedAt: string | null;
}

/** A command as the UI submits it: the tool is the workstation's; the person is the session's login. */
export type Submission = DistributiveOmit<CommandInput, 'tool'>;
type DistributiveOmit<T, K extends keyof any> = T extends unknown ? Omit<T, K> : never;

/**
 * DESIGN §9: the workstation side of the core. Decisions go through a durable outbox (saved = on disk)
 * and a relay delivers them in order, idempotent by command id and checked against the case version by
 * the core's command path; reads fall back to the local cache, marked stale, when the database is away.
 */
export function createWorkstation(o: { core: CoreApi; store: LocalStore; user: string; logger: Logger; pollMs?: number; readBoundMs?: number }) {
  const log = o.logger.child({ part: 'outbox' });
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  let stopped = false;
  let failures = 0;
  /** Delivered entries whose job hint was resent since this start or the last reconnect. */
  const rehinted = new Set<string>();
  if (o.store.movedAside)
    log.error({ movedAside: o.store.movedAside, file: o.store.file }, 'the local store was corrupt: moved aside (kept for recovery) and a fresh one opened');

  // A read the server refuses for the login (disabled by an admin: NOLOGIN, or a wrong password) is no
  // outage: the cache would hide it behind "Offline" while the database is up. (The outbox keeps such
  // commands pending as before: an offline sign-in's password is checked, and the seat closed, elsewhere.)
  const refusedLogin = (err: unknown) => ['28000', '28P01'].includes((err as { code?: string } | null)?.code ?? '') || (err as { details?: { sqlstate?: string } } | null)?.details?.sqlstate?.startsWith('28') === true;
  const transient = (err: unknown) => !(err instanceof GuardianError) || err.code === 'unavailable' || err.code === 'internal';

  /** One pass over the outbox: oldest first; a transient failure stops the pass so order is kept. */
  const relayOnce = (): Promise<boolean> => o.store.outbox.exclusive(relayPass);

  async function relayPass(): Promise<boolean> {
    // While the database is known to be away, don't pile requests onto it: wait for it to return.
    if (o.core.connection().database === 'down') return o.store.outbox.active().length > 0;
    let blocked = false;
    for (const e of o.store.outbox.active()) {
      if (stopped) break;
      try {
        if (e.state === 'pending') {
          if (blocked) continue;
          o.store.outbox.attempted(e.id);
          const r = await o.core.execute(e.command);
          o.store.outbox.setState(e.id, r.status === 'applied' ? 'applied' : 'delivered');
        } else {
          const st = await o.core.commandStatus(e.id);
          if (st?.status === 'applied') o.store.outbox.setState(e.id, 'applied');
          else if (st?.status === 'failed' || st?.status === 'rejected') o.store.outbox.setState(e.id, 'rejected', st.error ?? { code: 'internal', message: 'failed while being applied' });
          else if (st?.status === 'accepted' && !rehinted.has(e.id)) {
            // Accepted, but its job hint may have died with the last process (or the broker link): resend
            // it by id once per start and per reconnect. The database answers "duplicate, accepted" and the
            // command path republishes the hint, instead of waiting a minute for the recovery sweep.
            rehinted.add(e.id);
            const r = await o.core.execute(e.command);
            if (r.status === 'applied') o.store.outbox.setState(e.id, 'applied');
          }
        }
      } catch (err) {
        if (transient(err)) {
          // In doubt (the server may have committed it): it stays pending and is resent with the same id.
          blocked = true;
          log.debug({ commandId: e.id, err: (err as Error).message }, 'delivery deferred');
          continue;
        }
        const g = err as GuardianError;
        if (g.code === 'update_required') {
          // This build is older than the team's minimum: nothing was recorded, so the command stays pending
          // (in order) and goes with the same id once the workstation is updated. The error says why.
          blocked = true;
          if (e.error?.code !== 'update_required') o.store.outbox.setState(e.id, e.state, { code: g.code, message: g.message, details: g.details });
          continue;
        }
        o.store.outbox.setState(e.id, g.code === 'conflict' ? 'conflict' : 'rejected', { code: g.code, message: g.message, details: g.details });
      }
    }
    return blocked;
  }

  function schedule(ms: number) {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => void kick(), ms);
    timer.unref();
  }

  const activeCount = () => {
    try {
      return o.store.outbox.active().length;
    } catch {
      return 1; // unreadable now: look again later
    }
  };

  async function kick(): Promise<void> {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        const blocked = await relayOnce();
        failures = blocked ? failures + 1 : 0;
      } while (again && !stopped);
    } catch (err) {
      // The local store itself failed (disk, damage found after open): say so, keep the process, retry later.
      failures++;
      log.error({ err: (err as Error).message, code: (err as { code?: string }).code, file: o.store.file }, 'outbox relay pass failed');
    } finally {
      running = false;
    }
    // Backoff with jitter while the servers are away; a steady poll while commands await application.
    if (failures) schedule(backoffMs(failures, 500, 15_000) + 250);
    else if (activeCount()) schedule(o.pollMs ?? 1_000);
  }

  /**
   * Live read when the database answers; the local cache (marked stale) when it is known to be down or
   * does not answer within `readBoundMs` — a moderator should not wait on a silent server.
   */
  async function read<T>(fn: () => Promise<T>, fallback: () => T | undefined, save: (v: T) => void): Promise<Read<T>> {
    const cachedRead = (): Read<T> | undefined => {
      const cached = fallback();
      return cached === undefined ? undefined : { value: cached, stale: true, syncedAt: o.store.cache.syncedAt() };
    };
    if (o.core.connection().database === 'down') {
      const c = cachedRead();
      if (c) return c;
      throw new GuardianError('unavailable', 'The database is offline and this is not in the local cache yet.');
    }
    const live = fn().then((value) => {
      save(value);
      return { value, stale: false, syncedAt: new Date().toISOString() } as Read<T>;
    });
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<'slow'>((r) => (timer = setTimeout(() => r('slow'), o.readBoundMs ?? 2_500)));
    try {
      const first = await Promise.race([live, slow]);
      if (first !== 'slow') return first;
      const c = cachedRead();
      if (c) {
        live.catch(() => {}); // it may still answer later and refresh the cache
        return c;
      }
      return await live;
    } catch (err) {
      const c = cachedRead();
      if (!c || !transient(err) || refusedLogin(err)) throw err;
      return c;
    } finally {
      clearTimeout(timer);
    }
  }

  const unsubscribe = o.core.onEvent((e) => {
    if (e.type === 'case.updated') {
      // Keep the cache's view of the queue current: an offline queue must not show decided cases as open.
      try {
        o.store.cache.patchCase(e.caseId, { status: e.status, version: e.version, level: e.level });
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'could not update the local cache');
      }
    }
    // Back from an outage (database or broker): hints sent meanwhile may have been lost, so resend them.
    if (e.type === 'connection.changed' && e.state.database !== 'down' && e.state.broker !== 'down') rehinted.clear();
    if (e.type === 'case.updated' || (e.type === 'connection.changed' && e.state.database !== 'down')) void kick();
  });

  return {
    user: o.user,
    /** A corrupt store found at open, moved aside to this file (kept for recovery); null when none. */
    storeMovedAside: o.store.movedAside,
    /** Saves the command durably (fsync) and returns it as pending; delivery follows. Throws "not saved". */
    submit(input: Submission): OutboxEntry {
      const cmd = parseCommand({ ...input, tool: 'ui' });
      const entry = o.store.outbox.add(cmd, o.user);
      void kick();
      return entry;
    },
    outbox: () => o.store.outbox.recent(),
    /** Gives up on a command that conflicted or was rejected (it never applied). */
    discard(id: string): OutboxEntry {
      const e = o.store.outbox.get(id);
      if (!e) throw new GuardianError('not_found', `No outbox entry ${id}.`);
      if (e.state !== 'conflict' && e.state !== 'rejected') throw new GuardianError('conflict', `Only a conflicted or rejected command can be discarded (this one is ${e.state}).`);
      o.store.outbox.setState(id, 'discarded', e.error);
      return o.store.outbox.get(id)!;
    },
    /** Resolves a conflicted or rejected command by asking a supervisor to look at the case again. */
    requestEscalation(id: string, reason?: string): OutboxEntry {
      const e = o.store.outbox.get(id);
      if (!e) throw new GuardianError('not_found', `No outbox entry ${id}.`);
      if (e.state !== 'conflict' && e.state !== 'rejected') throw new GuardianError('conflict', `Only a conflicted or rejected command can be escalated (this one is ${e.state}).`);
      const what = e.command.type === 'decide' ? `my decision (${e.command.decision})` : `my ${e.command.type}`;
      const request = this.submit({
        type: 'request_escalation',
        caseId: e.caseId,
        reason: reason ?? `${what} was not applied: ${e.error?.message ?? e.state}`.slice(0, 2000),
        commandId: `${e.id}:escalation`,
      });
      o.store.outbox.setState(id, 'discarded', e.error);
      return request;
    },
    /** Every change of an entry in this seat's outbox, whichever relay in the process made it. */
    onOutboxChange: (l: (e: OutboxEntry) => void) => o.store.outbox.onChange(l),
    listCases: (q: CaseQuery = {}): Promise<Read<CaseSummary[]>> =>
      read(
        () => o.core.listCases(q),
        () => {
          // Never synced: nothing to show. Synced: the filtered cache, even when nothing matches.
          if (o.store.cache.syncedAt() === null) return undefined;
          return cachedQuery(o.store.cache.cases(), q);
        },
        (v) => o.store.cache.putCases(v),
      ),
    getCase: (id: string): Promise<Read<CaseDetail>> =>
      read(
        () => o.core.getCase(id),
        () => o.store.cache.getCase(id)?.detail,
        (v) => o.store.cache.putCase(v),
      ),
    kick,
    start() {
      void kick();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      unsubscribe();
    },
  };
}

export type Workstation = ReturnType<typeof createWorkstation>;
