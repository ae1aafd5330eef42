// People admin as a thin caller of the people functions (resources/db/functions/people): the database
// checks that the caller is an admin, creates or changes the login and audits it with the real actor. The
// one-time password is generated here and only its SCRAM verifier is sent (psql's \password does the same),
// so the plaintext never reaches the server or its logs; it is shown once, to the admin who asked.
import type { Moderator, Role } from '../../shared/domain.js';
import { Role as RoleSchema, UserId } from '../../shared/domain.js';
import { GuardianError, invalidInput } from '../errors.js';
import { generatePassword, scramVerifier } from '../setup/scram.js';
import { dbCall } from '../store/db-errors.js';
import type { Queryable } from '../store/db.js';

export interface PersonRecord {
  id: string;
  role: Role;
  displayName: string;
  login: string;
  active?: boolean;
}

export interface AddedPerson extends PersonRecord {
  /** Shown once; only its verifier was stored. */
  oneTimePassword: string;
}

/** A person as the admins' People screen lists them (api.list_people). */
export interface PersonListing {
  id: string;
  displayName: string;
  role: Role;
  /** Null only for a person without a login of this installation (none is made so today). */
  login: string | null;
  active: boolean;
  createdAt: string;
  disabledAt: string | null;
  /** Their newest audit event as actor (a command, a refusal, a people change), or null: nothing yet. */
  lastActivity: { at: string; type: string; caseId: string | null } | null;
}

/** Who the login is, as the database says (api.whoami). */
export interface Whoami {
  id: string;
  displayName: string;
  role: Role;
  login: string;
  mode: 'connected' | 'standalone';
}

type Answer = { outcome: 'applied' | 'rejected'; person?: PersonRecord; error?: { code: GuardianError['code']; message: string } };

function unwrap(a: Answer): PersonRecord {
  if (a.outcome === 'rejected') throw new GuardianError(a.error?.code ?? 'forbidden', a.error?.message ?? 'refused');
  return a.person!;
}

const checkId = (id: string) => {
  const r = UserId.safeParse(id);
  if (!r.success) throw invalidInput(`id: ${r.error.issues[0]!.message}`);
  return r.data;
};
const checkRole = (role: string): Role => {
  const r = RoleSchema.safeParse(role);
  if (!r.success) throw invalidInput('role must be moderator, supervisor or admin');
  return r.data;
};

export function createPeople(db: Queryable, tool: 'cli' | 'ui' | 'api') {
  return {
    async whoami(): Promise<Whoami> {
      const { rows } = await dbCall(() => db.query<{ me: Whoami }>('SELECT api.whoami() AS me'));
      return rows[0]!.me;
    },
    /** Every person, enabled or not, with their last activity (admins; the database refuses anyone else). */
    async list(): Promise<PersonListing[]> {
      const { rows } = await dbCall(() => db.query<{ people: PersonListing[] }>('SELECT api.list_people() AS people'));
      return rows[0]!.people;
    },
    async add(input: { id: string; role: Role; displayName?: string }): Promise<AddedPerson> {
      const id = checkId(input.id);
      const role = checkRole(input.role);
      const oneTimePassword = generatePassword();
      const { rows } = await dbCall(() =>
        db.query<{ r: Answer }>(
          'SELECT api.add_person(p_id => $1, p_role => $2, p_display_name => $3, p_password_verifier => $4, p_tool => $5) AS r',
          [id, role, input.displayName?.trim() || null, scramVerifier(oneTimePassword), tool],
        ),
      );
      return { ...unwrap(rows[0]!.r), oneTimePassword };
    },
    async disable(id: string): Promise<PersonRecord> {
      const { rows } = await dbCall(() => db.query<{ r: Answer }>('SELECT api.disable_person(p_id => $1, p_tool => $2) AS r', [checkId(id), tool]));
      return unwrap(rows[0]!.r);
    },
    async setRole(id: string, role: Role): Promise<PersonRecord> {
      const { rows } = await dbCall(() =>
        db.query<{ r: Answer }>('SELECT api.set_person_role(p_id => $1, p_role => $2, p_tool => $3) AS r', [checkId(id), checkRole(role), tool]),
      );
      return unwrap(rows[0]!.r);
    },
  };
}

export type People = ReturnType<typeof createPeople>;
export type { Moderator };
