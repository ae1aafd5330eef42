// The one table of the database's errors (STYLE, "The database as the API"): the SQLSTATEs the command
// functions raise (private.fail, resources/db/functions) and the PostgreSQL ones a person meets, each
// mapped to the typed error the CLI turns into an exit code and the UI into a message. A test checks that
// every code the SQL raises is here (test/db/error-codes.test.ts).
import { GuardianError } from '../errors.js';
import type { ErrorCode } from '../../shared/domain.js';

export const DB_ERRORS: Record<string, { code: ErrorCode; meaning: string }> = {
  GWINV: { code: 'invalid_input', meaning: 'a command function refused its arguments' },
  GWNFD: { code: 'not_found', meaning: 'no such case, person or command' },
  GWCON: { code: 'conflict', meaning: 'stale version, already decided, claimed by someone else, id reused' },
  GWFRB: { code: 'forbidden', meaning: 'role, four-eyes, not a person of this installation' },
  // details { minimumVersion, clientVersion }: the UI shows "Update required" with the update action.
  GWUPD: { code: 'update_required', meaning: 'the client is older than the minimum version an admin set (or reported none)' },
  '42501': { code: 'forbidden', meaning: 'insufficient_privilege: PostgreSQL refused the statement for this login' },
  '28P01': { code: 'forbidden', meaning: 'invalid_password: the login or its password is wrong' },
  '28000': { code: 'forbidden', meaning: 'invalid_authorization_specification: no such login, or it may not log in' },
  '22P02': { code: 'invalid_input', meaning: 'invalid_text_representation (e.g. a case id that is not a uuid)' },
  '23514': { code: 'invalid_input', meaning: 'check_violation' },
};

/** A database error as the typed error of the contract; anything else is returned unchanged. */
export function fromDbError(err: unknown): unknown {
  const e = err as { code?: string; message?: string; detail?: string };
  // The server asked for the password and there was none to give (pg fails before any SQLSTATE).
  if (!e?.code && /client password must be a string/.test(e?.message ?? ''))
    return new GuardianError('forbidden', 'No password for this login: give it in DATABASE_URL, PGPASSWORD or ~/.pgpass (the server requires one).', {
      sqlstate: '28P01',
    });
  const known = e?.code ? DB_ERRORS[e.code] : undefined;
  if (!known) return err;
  let details: Record<string, unknown> | undefined;
  if (e.detail && e.code?.startsWith('GW')) {
    try {
      details = JSON.parse(e.detail) as Record<string, unknown>;
    } catch {
      details = undefined;
    }
  }
  return new GuardianError(known.code, e.message ?? known.meaning, { ...details, sqlstate: e.code });
}

/** Runs a database call and rethrows its registered errors as typed errors. */
export async function dbCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw fromDbError(err);
  }
}
