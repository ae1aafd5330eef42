// The installation's PostgreSQL roles (DESIGN §10). Roles are cluster-wide, so every name carries the
// installation's prefix: `guardian` in production (guardian_moderator, …), a unique one per test run.
// The SQL files under resources/db are written with the production names; mapRoleNames rewrites them.

export const GROUP_KINDS = ['owner', 'role_manager', 'moderator', 'supervisor', 'admin', 'worker'] as const;
export type GroupKind = (typeof GROUP_KINDS)[number];
export type PersonRole = 'moderator' | 'supervisor' | 'admin';

export const DEFAULT_ROLE_PREFIX = 'guardian';
const PREFIX_RE = /^[a-z][a-z0-9_]{0,30}$/;

export interface RoleNames {
  prefix: string;
  /** NOLOGIN: owns the tables and the command functions. */
  owner: string;
  /** NOLOGIN, CREATEROLE: owns only the people functions (the one place logins are created). */
  roleManager: string;
  moderator: string;
  supervisor: string;
  admin: string;
  worker: string;
  /** A person's login: <prefix>.<id> (a dot never occurs in a group's name). */
  personLogin(id: string): string;
}

export function isValidPrefix(prefix: string): boolean {
  return PREFIX_RE.test(prefix);
}

export function roleNames(prefix = DEFAULT_ROLE_PREFIX): RoleNames {
  if (!isValidPrefix(prefix)) throw new Error(`role prefix "${prefix}": lower-case letters, digits and _ only, starting with a letter (1–31)`);
  return {
    prefix,
    owner: `${prefix}_owner`,
    roleManager: `${prefix}_role_manager`,
    moderator: `${prefix}_moderator`,
    supervisor: `${prefix}_supervisor`,
    admin: `${prefix}_admin`,
    worker: `${prefix}_worker`,
    personLogin: (id) => `${prefix}.${id}`,
  };
}

/** Rewrites the production role names (guardian_owner, guardian_moderator, …) in SQL to this installation's. */
export function mapRoleNames(sql: string, names: RoleNames): string {
  if (names.prefix === DEFAULT_ROLE_PREFIX) return sql;
  return sql.replace(/\bguardian_(owner|role_manager|moderator|supervisor|admin|worker)\b/g, (_m, kind: string) => `${names.prefix}_${kind}`);
}

/** The person id a login belongs to, if it is one of this installation's person logins. */
export function personIdOfLogin(login: string, names: RoleNames): string | undefined {
  return login.startsWith(`${names.prefix}.`) ? login.slice(names.prefix.length + 1) : undefined;
}
