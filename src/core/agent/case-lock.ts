import type pg from 'pg';

/** Serialises work on one case (one thread) across this process and, in connected mode, all processes. */
export interface CaseLock {
  withLock<T>(caseId: string, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** In-process keyed mutex. Enough on its own in standalone mode, where one process owns the data dir. */
export function createLocalLock(): CaseLock {
  const tails = new Map<string, Promise<unknown>>();
  return {
    async withLock(caseId, fn) {
      const prev = tails.get(caseId) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((r) => (release = r));
      const tail = prev.then(() => mine);
      tails.set(caseId, tail);
      await prev;
      try {
        return await fn();
      } finally {
        release();
        if (tails.get(caseId) === tail) tails.delete(caseId);
      }
    },
    async close() {},
  };
}

/**
 * Adds a PostgreSQL session advisory lock on a dedicated pool (never the pool the graph uses, or lock
 * holders could starve it). Two concurrent resumes of one interrupt both run in LangGraph (FACTS):
 * this, plus the "is that interrupt still pending?" check in the runner, makes the second a no-op.
 */
export function createPgLock(lockPool: pg.Pool, onLost?: (caseId: string, err: Error) => void): CaseLock {
  const local = createLocalLock();
  return {
    withLock(caseId, fn) {
      return local.withLock(caseId, async () => {
        const client = await lockPool.connect();
        // The client is held (idle) while fn runs: if the server ends this session, the lock is gone and
        // the client emits 'error' with no pool listener to catch it (an uncaught 'error' ends the process).
        // The work goes on: every step is idempotent and the case row is compare-and-set.
        let lost: Error | undefined;
        const onError = (err: Error) => {
          lost = err;
          onLost?.(caseId, err);
        };
        client.on('error', onError);
        try {
          await client.query('SELECT pg_advisory_lock(hashtext($1))', [`case:${caseId}`]);
          try {
            return await fn();
          } finally {
            if (!lost) await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`case:${caseId}`]).catch((err: Error) => (lost = err));
          }
        } finally {
          client.off('error', onError);
          client.release(lost);
        }
      });
    },
    close: () => lockPool.end(),
  };
}
