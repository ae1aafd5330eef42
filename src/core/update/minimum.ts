// The team's minimum client version as the database holds it (helper V: api.minimum_version(), readable by
// every person), so "Update required" shows before a decision is refused, and clears once an admin lowers it.
import type { Queryable } from '../store/db.js';

/**
 * The minimum (null: none) and the database's own answer whether this session's client is current (the gate's
 * comparison, so the banner and a real refusal never disagree), or undefined when it cannot be read now
 * (offline, an older database).
 */
export async function readMinimumVersion(db: Queryable): Promise<{ minimumVersion: string | null; current?: boolean } | undefined> {
  try {
    const r = await db.query<{ r: { minimumVersion: string | null; current?: boolean } | null }>('SELECT api.minimum_version() AS r');
    const v = r.rows[0]?.r;
    return { minimumVersion: v?.minimumVersion ?? null, ...(typeof v?.current === 'boolean' ? { current: v.current } : {}) };
  } catch {
    return undefined;
  }
}
