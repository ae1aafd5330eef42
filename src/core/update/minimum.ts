// The team's minimum client version as the database holds it (helper V: api.minimum_version(), readable by
// every person), so "Update required" shows before a decision is refused, and clears once an admin lowers it.
import type { Queryable } from '../store/db.js';

/** The minimum (null: none), or undefined when it cannot be read now (offline, an older database). */
export async function readMinimumVersion(db: Queryable): Promise<string | null | undefined> {
  try {
    const r = await db.query<{ r: { minimumVersion: string | null } | null }>('SELECT api.minimum_version() AS r');
    return r.rows[0]?.r?.minimumVersion ?? null;
  } catch {
    return undefined;
  }
}
