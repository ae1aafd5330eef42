/**
 * Shared arrangements for the people function tests (test/db/functions/people/*.test.ts): ONE installation
 * per file with an admin (root), a supervisor and a moderator, each calling as their own login. What really
 * changed is read as the DBA from the catalogs (pg_authid, pg_auth_members) and the tables.
 */
import type pg from 'pg';
import { expect } from 'vitest';
import { generatePassword, scramVerifier } from '../../../../src/core/setup/scram.js';
import { createTestInstallation, type TestInstallation, type TestPerson } from '../../../support/installation.js';

export interface PeopleWorld {
  inst: TestInstallation;
  root: TestPerson;
  admin: pg.Pool;
  sup: TestPerson;
  supervisor: pg.Pool;
  mod: TestPerson;
  moderator: pg.Pool;
  worker: pg.Pool;
}

export async function peopleWorld(): Promise<PeopleWorld> {
  const inst = await createTestInstallation();
  const [root, sup, mod] = await Promise.all([inst.person('root', 'admin'), inst.person('sup', 'supervisor'), inst.person('mod', 'moderator')]);
  return {
    inst, root, admin: inst.pool(root.url), sup, supervisor: inst.pool(sup.url), mod, moderator: inst.pool(mod.url), worker: inst.pool(inst.workerUrl),
  };
}

export const verifier = () => scramVerifier(generatePassword());

/** The error a statement was refused with; fails the test when it succeeded. */
export async function refusal(p: Promise<unknown>, what = 'the statement'): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return { code: e.code ?? 'none', message: e.message ?? String(err) };
  }
  throw new Error(`expected ${what} to be refused, but it succeeded`);
}

export const ADD = 'SELECT api.add_person($1, $2, $3, $4, $5) AS r';
export const SET_ROLE = 'SELECT api.set_person_role($1, $2, $3) AS r';
export const DISABLE = 'SELECT api.disable_person($1, $2) AS r';

export async function call(pool: pg.Pool, sql: string, params: unknown[]): Promise<any> {
  return (await pool.query(sql, params)).rows[0].r;
}

export interface RoleAttrs {
  rolsuper: boolean;
  rolinherit: boolean;
  rolcreaterole: boolean;
  rolcreatedb: boolean;
  rolcanlogin: boolean;
  rolreplication: boolean;
  rolbypassrls: boolean;
  rolpassword: string | null;
}

/** A role's attributes and stored password (pg_authid: the DBA's view), or undefined. */
export async function roleAttrs(w: PeopleWorld, login: string): Promise<RoleAttrs | undefined> {
  const { rows } = await w.inst.dba<RoleAttrs>(
    `SELECT rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls, rolpassword
       FROM pg_authid WHERE rolname = $1`, [login]);
  return rows[0];
}

/** What a person's login may do, beyond its group: nothing. */
export const PLAIN_LOGIN = { rolsuper: false, rolinherit: true, rolcreaterole: false, rolcreatedb: false, rolcanlogin: true, rolreplication: false, rolbypassrls: false };

/** The groups a role is a direct member of, with whether it may grant them on. */
export async function groupsOf(w: PeopleWorld, login: string): Promise<Array<{ group: string; admin: boolean }>> {
  const { rows } = await w.inst.dba(
    `SELECT r.rolname AS "group", a.admin_option AS admin FROM pg_auth_members a
       JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
      WHERE m.rolname = $1 ORDER BY 1`, [login]);
  return rows;
}

/** The person groups a role holds, directly or through another group (what PostgreSQL lets it do). */
export async function effectiveRoles(w: PeopleWorld, login: string): Promise<string[]> {
  const { roles } = w.inst;
  const { rows } = await w.inst.dba(
    `SELECT k FROM unnest($2::text[], $3::text[]) AS g(k, name) WHERE pg_has_role($1, name, 'MEMBER') ORDER BY k`,
    [login, ['moderator', 'supervisor', 'admin', 'owner', 'role_manager', 'worker'],
      [roles.moderator, roles.supervisor, roles.admin, roles.owner, roles.roleManager, roles.worker]]);
  return rows.map((r) => r.k);
}

export async function personRow(w: PeopleWorld, id: string): Promise<any> {
  const { rows } = await w.inst.dba('SELECT * FROM moderators WHERE id = $1', [id]);
  return rows[0];
}

export interface GlobalEvent {
  id: number;
  type: string;
  actor: string;
  tool: string;
  db_login: string;
  payload: any;
}

/** The id of the last audit event so far (events of a test are those after it). */
export async function mark(w: PeopleWorld): Promise<number> {
  return (await w.inst.dba('SELECT coalesce(max(id), 0)::int AS id FROM audit_events')).rows[0].id;
}

/** The events after `since`, all of them (people events go to the global stream). */
export async function eventsSince(w: PeopleWorld, since: number): Promise<GlobalEvent[]> {
  const { rows } = await w.inst.dba<GlobalEvent & { stream: string }>(
    'SELECT id::int, stream, type, actor, tool, db_login, payload FROM audit_events WHERE id > $1 ORDER BY id', [since]);
  for (const r of rows) expect(r.stream, r.type).toBe('global');
  return rows.map(({ stream: _stream, ...e }) => e);
}

/** Every role of the installation, with what it may do. */
export async function installationRoles(w: PeopleWorld): Promise<Array<{ rolname: string } & RoleAttrs>> {
  const { rows } = await w.inst.dba(
    `SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls, rolpassword
       FROM pg_authid WHERE starts_with(rolname, $1) ORDER BY rolname`, [w.inst.roles.prefix]);
  return rows;
}

/** A people function as its catalog entry says: owned by the role manager, SECURITY DEFINER, search_path pinned, for the person groups. */
export async function expectPeopleFunction(w: PeopleWorld, signature: string): Promise<void> {
  const { rows } = await w.inst.dba(
    `SELECT p.prosecdef AS definer, p.proowner::regrole::text AS owner, p.proconfig AS config,
            array(SELECT a.grantee::regrole::text FROM aclexplode(p.proacl) a WHERE a.privilege_type = 'EXECUTE' ORDER BY 1) AS executors
       FROM pg_proc p WHERE p.oid = $1::regprocedure`, [signature]);
  const { roleManager, moderator } = w.inst.roles;
  expect(rows[0], signature).toEqual({
    definer: true, owner: roleManager, config: ['search_path=pg_catalog, public, pg_temp'], executors: [moderator, roleManager].sort(),
  });
}
