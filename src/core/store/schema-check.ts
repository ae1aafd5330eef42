// Clients no longer migrate (DESIGN §10: `guardian setup` does, as a DBA): at start they check that the
// database has every migration this build knows and say what to run when it has not.
import { GuardianError } from '../errors.js';
import { migrationNames } from '../setup/db-setup.js';
import type { Queryable } from './db.js';

export async function checkSchema(db: Queryable): Promise<{ newer: string[] }> {
  let applied: string[];
  try {
    applied = (await db.query<{ name: string }>('SELECT name FROM guardian_migrations ORDER BY name')).rows.map((r) => r.name);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === '42P01')
      throw new GuardianError('unavailable', 'This database has no Guardian schema yet: a DBA runs `guardian setup` once (DESIGN §10, README "Trust model").');
    if (code === '42501') throw new GuardianError('forbidden', 'This login may not read the Guardian schema: it is not a person or worker of this installation.');
    throw err;
  }
  const known = migrationNames();
  const missing = known.filter((m) => !applied.includes(m));
  if (missing.length)
    throw new GuardianError(
      'unavailable',
      `The database schema is older than this build (missing ${missing.join(', ')}): a DBA runs \`guardian setup\` to upgrade it.`,
    );
  return { newer: applied.filter((m) => !known.includes(m)) };
}
