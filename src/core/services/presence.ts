// Presence (issue 14): who has a case open or is typing a decision on it, as thin typed callers of
// resources/db/functions/api/touch_presence.sql and presence.sql. The person is the login's (session_user):
// nothing here names whose presence it is, so no client can appear as someone else. Ephemeral, ids only.
import { dbCall } from '../store/db-errors.js';
import type { Queryable } from '../store/db.js';

export type PresenceState = 'viewing' | 'typing';
export interface PresenceEntry {
  caseId: string;
  personId: string;
  state: PresenceState;
  /** Database time the person entered this state. */
  since: string;
}

/** Says the signed-in person is viewing / typing on a case (expires in the database unless heartbeated), or left it. */
export async function touchPresence(db: Queryable, caseId: string, state: PresenceState | 'left'): Promise<PresenceEntry[]> {
  const { rows } = await dbCall(() =>
    db.query<{ r: PresenceEntry[] }>('SELECT api.touch_presence(p_case_id => $1, p_state => $2) AS r', [caseId, state]),
  );
  return rows[0]!.r;
}

/** The unexpired presence on the given cases (the caller's own included). */
export async function readPresence(db: Queryable, caseIds: readonly string[]): Promise<PresenceEntry[]> {
  if (caseIds.length === 0) return [];
  const { rows } = await dbCall(() => db.query<{ r: PresenceEntry[] }>('SELECT api.presence(p_case_ids => $1::uuid[]) AS r', [caseIds]));
  return rows[0]!.r;
}
