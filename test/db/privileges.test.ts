/**
 * The privilege matrix of the trust model (DESIGN §10) as data. What resources/db/privileges.sql, the GRANT
 * of each file under resources/db/functions and setup's roles (src/core/setup/db-setup.ts) amount to on a
 * fresh installation is read from the catalogs as the DBA and compared whole with `toEqual`, so any drift
 * fails with a readable diff. Then the few things the catalogs only imply are tried for real, as the
 * logins themselves.
 *
 * Principals are written as kinds, since the installation's prefix is its own: moderator, supervisor and
 * admin are one person's login each, worker is the worker's login, roleManager the role manager group,
 * owner the NOLOGIN owner, PUBLIC every role. Privileges are the effective ones (has_*_privilege), i.e.
 * including what a role holds through its group memberships. Roles in the role tables are written with
 * the production prefix (`guardian_…`, `guardian.<person>`), the DBA as `DBA`.
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourcePath } from '../../src/core/resources.js';
import { generatePassword, scramVerifier } from '../../src/core/setup/scram.js';
import { createTestInstallation, type TestInstallation, type TestPerson } from '../support/installation.js';

const PRINCIPALS = ['owner', 'moderator', 'supervisor', 'admin', 'worker', 'roleManager', 'PUBLIC'] as const;
type Principal = (typeof PRINCIPALS)[number];
type Row = Record<Principal, string>;

const TABLE_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'] as const;
const ALL = TABLE_PRIVILEGES.join(' ');
const R = 'SELECT';
const RW = 'SELECT INSERT UPDATE DELETE';

// privileges.sql, table by table. The role manager reads and writes moderators only: it is no member of the
// person groups (PostgreSQL 15 lets CREATEROLE grant them without; on 16+ setup gives it ADMIN OPTION
// without INHERIT or SET), so it holds none of their privileges.
const TABLES: Record<string, Row> = {
  moderators:             { owner: ALL, moderator: R, supervisor: R, admin: R, worker: '',  roleManager: 'SELECT INSERT UPDATE', PUBLIC: '' },
  cases:                  { owner: ALL, moderator: R, supervisor: R, admin: R, worker: R,   roleManager: '', PUBLIC: '' },
  commands:               { owner: ALL, moderator: R, supervisor: R, admin: R, worker: R,   roleManager: '', PUBLIC: '' },
  actions:                { owner: ALL, moderator: R, supervisor: R, admin: R, worker: R,   roleManager: '', PUBLIC: '' },
  statements:             { owner: ALL, moderator: R, supervisor: R, admin: R, worker: R,   roleManager: '', PUBLIC: '' },
  audit_events:           { owner: ALL, moderator: R, supervisor: R, admin: R, worker: '',  roleManager: '', PUBLIC: '' },
  audit_heads:            { owner: ALL, moderator: R, supervisor: R, admin: R, worker: '',  roleManager: '', PUBLIC: '' },
  platform_sim_actions:   { owner: ALL, moderator: '', supervisor: '', admin: '', worker: 'SELECT INSERT', roleManager: '', PUBLIC: '' },
  guardian_migrations:    { owner: ALL, moderator: R, supervisor: R, admin: R, worker: R,   roleManager: '', PUBLIC: '' },
  checkpoints:            { owner: ALL, moderator: '', supervisor: '', admin: '', worker: RW, roleManager: '', PUBLIC: '' },
  checkpoint_blobs:       { owner: ALL, moderator: '', supervisor: '', admin: '', worker: RW, roleManager: '', PUBLIC: '' },
  checkpoint_writes:      { owner: ALL, moderator: '', supervisor: '', admin: '', worker: RW, roleManager: '', PUBLIC: '' },
  checkpoint_migrations:  { owner: ALL, moderator: '', supervisor: '', admin: '', worker: R,  roleManager: '', PUBLIC: '' },
  // issue 15: a person's own opt-outs, read and set only through api.my_wellbeing / api.set_wellbeing.
  wellbeing_settings:     { owner: ALL, moderator: '', supervisor: '', admin: '', worker: '',  roleManager: '', PUBLIC: '' },
  // issue 14: presence, touched only for one's own person through api.touch_presence, read through api.presence.
  case_presence:          { owner: ALL, moderator: '', supervisor: '', admin: '', worker: '',  roleManager: '', PUBLIC: '' },
  // issue 14: reason templates, read through api.reason_templates and written through its two functions only.
  reason_templates:       { owner: ALL, moderator: '', supervisor: '', admin: '', worker: '',  roleManager: '', PUBLIC: '' },
  // issue 14: saved views, read through api.saved_views and written through api.save_view / api.delete_view only.
  saved_views:            { owner: ALL, moderator: '', supervisor: '', admin: '', worker: '',  roleManager: '', PUBLIC: '' },
  'private.installation': { owner: ALL, moderator: '', supervisor: '', admin: '', worker: '', roleManager: '', PUBLIC: '' },
  'private.applied_functions': { owner: ALL, moderator: '', supervisor: '', admin: '', worker: '', roleManager: '', PUBLIC: '' },
  // Issue 15: persons read dead letters only through api.dead_letters / api.dead_letter (admins only).
  dead_letters:           { owner: ALL, moderator: '', supervisor: '', admin: '', worker: R,   roleManager: '', PUBLIC: '' },
  // Issue 14: bulk batches, written only by api.start_batch; persons read them as they read commands.
  batches:                { owner: ALL, moderator: R, supervisor: R, admin: R, worker: '',  roleManager: '', PUBLIC: '' },
};

const NONE_BUT_OWNER = (owner: string): Row => ({ owner, moderator: '', supervisor: '', admin: '', worker: '', roleManager: '', PUBLIC: '' });
const SEQUENCES: Record<string, Row> = {
  audit_events_id_seq: NONE_BUT_OWNER('USAGE SELECT UPDATE'),
  dead_letters_id_seq: NONE_BUT_OWNER('USAGE SELECT UPDATE'),
  guardian_migrations_id_seq: NONE_BUT_OWNER('USAGE SELECT UPDATE'),
  reason_templates_id_seq: NONE_BUT_OWNER('USAGE SELECT UPDATE'),
  saved_views_id_seq: NONE_BUT_OWNER('USAGE SELECT UPDATE'),
};

const UC = 'USAGE CREATE';
const SCHEMAS: Record<string, Row> = {
  public:  { owner: UC, moderator: 'USAGE', supervisor: 'USAGE', admin: 'USAGE', worker: 'USAGE', roleManager: 'USAGE', PUBLIC: 'USAGE' },
  private: { owner: UC, moderator: 'USAGE', supervisor: 'USAGE', admin: 'USAGE', worker: 'USAGE', roleManager: UC, PUBLIC: '' },
  api:     { owner: UC, moderator: 'USAGE', supervisor: 'USAGE', admin: 'USAGE', worker: 'USAGE', roleManager: UC, PUBLIC: '' },
  worker:  { owner: UC, moderator: '', supervisor: '', admin: '', worker: 'USAGE', roleManager: '', PUBLIC: '' },
};

// CONNECT through the person groups and the worker group only (the role manager logs in nowhere).
const DATABASE: Row = { owner: 'CONNECT CREATE', moderator: 'CONNECT', supervisor: 'CONNECT', admin: 'CONNECT', worker: 'CONNECT', roleManager: '', PUBLIC: '' };

// Who may EXECUTE each function of the application schemas (the owner left out: it owns them). Every person
// function is granted to guardian_moderator and so to every person (the people functions then refuse
// whoever is not an admin, see below); the role manager executes only the people functions it owns.
const PERSONS = 'moderator supervisor admin';
const PERSONS_RM = `${PERSONS} roleManager`;
const FUNCTIONS: Record<string, string> = {
  'api.add_note(uuid, text, text, text)': PERSONS,
  'api.add_person(text, text, text, text, text)': PERSONS_RM,
  // Granted to the worker too, but the worker has no USAGE on schema api: see the test below.
  'api.change_watermark()': `${PERSONS} worker`,
  'api.claim_case(uuid, text, integer, text)': PERSONS,
  'api.decide_appeal(uuid, text, text, text, integer, text)': PERSONS,
  'api.decide_case(uuid, text, text, text, text[], integer, integer, text)': PERSONS,
  // The supervisor dashboard (issue 15): supervisors and admins only; a moderator gets permission denied.
  'api.dashboard(text, integer)': 'supervisor admin',
  // Dead letters (issue 15): every person may call them; they refuse whoever is not an admin (tested in
  // test/queue/dead-letters-console.test.ts with the moderator's and the supervisor's own logins).
  'api.dead_letter(bigint)': PERSONS,
  'api.dead_letter_discard(bigint[], text, text)': PERSONS,
  'api.dead_letter_replay(bigint[], text, text)': PERSONS,
  'api.dead_letters(text, integer)': PERSONS,
  // The team's minimum client version (issue 13): read by every person and the worker, set by admins.
  'api.minimum_version()': `${PERSONS} worker`,
  'api.disable_person(text, text)': PERSONS_RM,
  // Wellbeing (issue 15): one's own settings, and the audited reveal of blurred content.
  'api.my_wellbeing()': PERSONS,
  'api.record_reveal(uuid, text, text, text)': PERSONS,
  'api.reason_templates()': PERSONS,
  'api.save_reason_template(text, text, text, text, text, bigint, text)': PERSONS,
  'api.delete_reason_template(text, bigint, text)': PERSONS,
  'api.saved_views()': PERSONS,
  'api.save_view(text, text, text, jsonb, text, bigint, text)': PERSONS,
  'api.delete_view(text, bigint, text)': PERSONS,
  'api.set_wellbeing(text, text[], integer, text, text)': PERSONS,
  // The People screen's list (issue 15): granted to every person, refused inside to all but admins.
  'api.list_people()': PERSONS,
  // Presence (issue 14): one's own (the person comes from the login), everyone's unexpired presence read.
  'api.presence(uuid[])': PERSONS,
  'api.touch_presence(uuid, text, integer)': PERSONS,
  'api.release_case(uuid, text, text)': PERSONS,
  'api.request_escalation(uuid, text, text, text)': PERSONS,
  'api.rollback_case(uuid, text, text, integer, text)': PERSONS,
  'api.set_minimum_version(text, text, text)': PERSONS,
  // Bulk actions (issue 14): granted to every person, refused inside to all but supervisors and admins.
  'api.start_batch(text, text, integer, text, text, text, text)': PERSONS,
  'api.set_person_role(text, text, text)': PERSONS_RM,
  'api.whoami()': PERSONS,
  'private.action_actor(uuid, text, text, text, boolean)': '',
  'private.append_audit(uuid, text, text, text, jsonb)': 'roleManager',
  'private.audit_hash(text, text, bigint, text, text, text, text, timestamp with time zone, jsonb)': '',
  // The first admin: the DBA only (and the role manager, its owner, which nobody logs in as).
  'private.bootstrap_person(text, text, text, text)': 'roleManager',
  'private.case_json(cases)': '',
  'private.check_batch_command(text)': '',
  'private.check_command_fields(text, text)': '',
  'private.check_envelope(text, text)': '',
  'private.check_reason(text, text)': '',
  'private.check_reviewable(cases, text, integer)': '',
  'private.check_scram_verifier(text)': 'roleManager',
  'private.conflict_details(cases)': '',
  'private.current_person_id()': `${PERSONS} worker`,
  'private.dead_letter_json(dead_letters, boolean)': '',
  'private.dead_letter_request(text, bigint[], text, text)': '',
  'private.describe_last(cases)': '',
  'private.ensure_local_person(text)': 'roleManager',
  'private.fail(text, text, jsonb)': 'roleManager',
  'private.has_role(text)': `${PERSONS} worker roleManager`,
  'private.is_standalone()': 'roleManager',
  'private.lock_case(uuid)': '',
  'private.minimum_client_version()': '',
  'private.mark_applied(uuid, text)': '',
  'private.notify_case_changed()': '',
  'private.now_text()': '',
  'private.person()': 'roleManager',
  'private.person_login(text)': 'roleManager',
  'private.person_role()': 'roleManager',
  'private.prior_result(text, text, cases, text, jsonb)': '',
  'private.record_command(text, text, cases, text, text, integer, jsonb, text)': '',
  'private.refuse_people(text, text, text, text, text, text, jsonb)': 'roleManager',
  'private.reject(text, text, uuid, text, text, integer, jsonb, text, text, text)': '',
  'private.require_current_client(text)': 'roleManager',
  'private.require_person()': 'roleManager',
  'private.role_name(text)': `${PERSONS} worker roleManager`,
  'private.role_prefix()': 'roleManager',
  'private.trim_text(text)': 'roleManager',
  'private.save_person(text, text, text, text, text, text)': 'roleManager',
  'private.semver_cmp(text, text)': '',
  'private.semver_valid(text)': '',
  'private.set_membership(text, text)': 'roleManager',
  'private.sla_minutes(integer, text, text, jsonb)': '',
  // A trigger function of the first migration, in schema public: privileges.sql revokes PUBLIC's EXECUTE on
  // the owner's functions there too (a trigger still fires: the owner runs it).
  'public.audit_events_append_only()': '',
  'worker.begin_analysis(uuid)': 'worker',
  'worker.dead_letter_replayed(bigint)': 'worker',
  'worker.edit_content(text, text, text, timestamp with time zone)': 'worker',
  'worker.escalate_breaches(integer)': 'worker',
  'worker.fail_case(uuid, text, text)': 'worker',
  'worker.finish_action(text, boolean, text, jsonb)': 'worker',
  'worker.ingest_content(uuid, text, text, text, text, text, text, text, timestamp with time zone)': 'worker',
  'worker.note_action_error(text, text)': 'worker',
  'worker.open_appeal(text, text, text, text, timestamp with time zone)': 'worker',
  'worker.record_action(text, uuid, text, integer, text, text, integer, text)': 'worker',
  'worker.record_dead_letter(text, text, text, text, text, text, bytea, bigint, boolean, text, jsonb, integer, integer)': 'worker',
  'worker.record_statement(text, uuid, jsonb)': 'worker',
  'worker.record_not_reversible(text, uuid, text, integer, text, text, text)': 'worker',
  'worker.sync_outcome(uuid, text, text, jsonb, jsonb, text)': 'worker',
  'worker.sync_review(uuid, text, integer, text, integer, jsonb, text, jsonb)': 'worker',
};

// The SECURITY DEFINER helpers of schema private (everything else there runs as its caller, i.e. inside a
// definer function as that function's owner).
const PRIVATE_DEFINERS = [
  'private.append_audit', 'private.bootstrap_person', 'private.current_person_id', 'private.ensure_local_person',
  'private.has_role', 'private.is_standalone', 'private.minimum_client_version', 'private.person', 'private.person_role', 'private.require_current_client', 'private.role_name',
  'private.role_prefix',
];
// The functions the migrations create (the rest come from resources/db/functions): trigger functions.
const MIGRATION_FUNCTIONS = ['private.notify_case_changed', 'public.audit_events_append_only'];
// A pinned search_path: the catalog first, pg_temp last (never searched before the schemas named).
const PINNED = /^pg_catalog(, public)?, pg_temp$/;

const ROLE_ATTRIBUTES = {
  guardian_owner: 'NOLOGIN',
  guardian_role_manager: 'NOLOGIN CREATEROLE',
  guardian_moderator: 'NOLOGIN',
  guardian_supervisor: 'NOLOGIN',
  guardian_admin: 'NOLOGIN',
  guardian_worker: 'NOLOGIN',
  'guardian.mod': 'LOGIN',
  'guardian.sup': 'LOGIN',
  'guardian.adm': 'LOGIN',
  guardian_worker1: 'LOGIN',
};

// member → the roles it is a member of.
const MEMBERSHIPS = {
  DBA: 'guardian_owner, guardian_role_manager',
  guardian_owner: 'pg_read_all_stats',
  // PostgreSQL 15; on 16+ also the three groups with admin option (neither inherited nor SET).
  guardian_role_manager: 'pg_signal_backend',
  guardian_supervisor: 'guardian_moderator',
  guardian_admin: 'guardian_supervisor',
  'guardian.mod': 'guardian_moderator',
  'guardian.sup': 'guardian_supervisor',
  'guardian.adm': 'guardian_admin',
  guardian_worker1: 'guardian_worker',
};

let inst: TestInstallation;
let mod: TestPerson;
let sup: TestPerson;
let adm: TestPerson;
let dbaLogin: string;
/** Each principal's role name in this installation ('public' is PUBLIC to the has_*_privilege functions). */
let roleOf: Record<Principal, string>;

/** A role's name as written in the tables above. */
function label(rolname: string): string {
  if (rolname === dbaLogin) return 'DBA';
  const p = inst.roles.prefix;
  return rolname.startsWith(`${p}_`) || rolname.startsWith(`${p}.`) ? `guardian${rolname.slice(p.length)}` : rolname;
}

/** privileges × objects × principals through one has_<kind>_privilege, as { object: { principal: 'PRIV PRIV' } }. */
async function matrix(kind: 'table' | 'sequence' | 'schema' | 'database', objects: string[], privileges: readonly string[]): Promise<Record<string, Row>> {
  const { rows } = await inst.dba<{ o: string; k: Principal; p: string }>(
    `SELECT o, k, p FROM unnest($1::text[]) o, jsonb_each_text($2::jsonb) AS r(k, who), unnest($3::text[]) p
      WHERE has_${kind}_privilege(who, ${kind === 'table' || kind === 'sequence' ? `(CASE WHEN o LIKE '%.%' THEN o ELSE 'public.' || o END)` : 'o'}, p)`,
    [objects, JSON.stringify(roleOf), privileges],
  );
  const out: Record<string, Row> = {};
  for (const o of objects) {
    out[o] = Object.fromEntries(
      PRINCIPALS.map((k) => [k, privileges.filter((p) => rows.some((r) => r.o === o && r.k === k && r.p === p)).join(' ')]),
    ) as Row;
  }
  return out;
}

interface Fn {
  f: string;
  name: string;
  nspname: string;
  owner: string;
  definer: boolean;
  search_path: string | null;
  is_trigger: boolean;
  execute: Principal[];
}

/** Every function of the application schemas, with who may EXECUTE it. */
async function functions(): Promise<Fn[]> {
  const { rows } = await inst.dba<Fn>(
    `WITH f AS (
       SELECT p.oid, format('%s.%s(%s)', n.nspname, p.proname, oidvectortypes(p.proargtypes)) AS f, n.nspname || '.' || p.proname AS name,
              n.nspname, pg_get_userbyid(p.proowner) AS owner, p.prosecdef AS definer,
              (SELECT substr(c, length('search_path=') + 1) FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%') AS search_path,
              p.prorettype = 'trigger'::regtype AS is_trigger
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname IN ('public', 'private', 'api', 'worker'))
     SELECT f.f, f.name, f.nspname, f.owner, f.definer, f.search_path, f.is_trigger,
            coalesce(array_agg(r.k) FILTER (WHERE has_function_privilege(r.who, f.oid, 'EXECUTE')), '{}') AS execute
       FROM f CROSS JOIN jsonb_each_text($1::jsonb) AS r(k, who)
      GROUP BY 1, 2, 3, 4, 5, 6, 7
      ORDER BY 1`,
    [JSON.stringify(roleOf)],
  );
  return rows;
}

/** The functions a folder of resources/db/functions creates, by schema-qualified name. */
function fileFunctions(dir: string): string[] {
  const root = resourcePath('db', 'functions', dir);
  const names = fs
    .readdirSync(root)
    .filter((f) => f.endsWith('.sql'))
    .flatMap((f) => [...fs.readFileSync(path.join(root, f), 'utf8').matchAll(/CREATE OR REPLACE FUNCTION ([a-z_]+\.[a-z_]+)\(/g)].map((m) => m[1]!));
  return [...new Set(names)].sort();
}

/** One statement on a connection of its own as a login: its rows, or PostgreSQL's refusal. */
async function as(url: string, sql: string, params: unknown[] = []): Promise<{ rows: Array<Record<string, unknown>> } | { code: string; message: string }> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => {});
  try {
    await c.connect();
    return { rows: (await c.query(sql, params)).rows };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return { code: e.code ?? 'none', message: e.message ?? String(err) };
  } finally {
    await c.end().catch(() => {});
  }
}

beforeAll(async () => {
  inst = await createTestInstallation();
  mod = await inst.person('mod', 'moderator');
  sup = await inst.person('sup', 'supervisor');
  adm = await inst.person('adm', 'admin');
  dbaLogin = (await inst.dba<{ u: string }>('SELECT session_user AS u')).rows[0]!.u;
  roleOf = {
    owner: inst.roles.owner,
    moderator: mod.login,
    supervisor: sup.login,
    admin: adm.login,
    worker: inst.workerLogin,
    roleManager: inst.roles.roleManager,
    PUBLIC: 'public',
  };
});
afterAll(async () => {
  await inst?.drop();
});

describe('tables, sequences, schemas and the database', () => {
  it('every table of the application schemas is in the matrix, and the matrix is what privileges.sql grants', async () => {
    const { rows } = await inst.dba<{ t: string }>(
      `SELECT CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END AS t
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname IN ('public', 'private', 'api', 'worker') AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY 1`,
    );
    expect(rows.map((r) => r.t)).toEqual(Object.keys(TABLES).sort());
    expect(await matrix('table', Object.keys(TABLES), TABLE_PRIVILEGES)).toEqual(TABLES);
  });

  it('sequences are the owner\'s alone', async () => {
    const { rows } = await inst.dba<{ s: string }>(
      `SELECT c.relname AS s FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname IN ('public', 'private', 'api', 'worker') AND c.relkind = 'S' ORDER BY 1`,
    );
    expect(rows.map((r) => r.s)).toEqual(Object.keys(SEQUENCES).sort());
    expect(await matrix('sequence', Object.keys(SEQUENCES), ['USAGE', 'SELECT', 'UPDATE'])).toEqual(SEQUENCES);
  });

  it('schemas: persons reach api but not worker, the worker worker but not api, PUBLIC nothing but USAGE on public', async () => {
    expect(await matrix('schema', Object.keys(SCHEMAS), ['USAGE', 'CREATE'])).toEqual(SCHEMAS);
  });

  it('the database: PUBLIC may neither connect nor create temporary tables', async () => {
    const db = inst.db.name;
    expect((await matrix('database', [db], ['CONNECT', 'TEMPORARY', 'CREATE']))[db]).toEqual(DATABASE);
  });

  it('for real: a login in no group cannot connect; persons and the worker create nothing, not even temporary tables', async () => {
    const stranger = `${inst.roles.prefix}_stranger`;
    await inst.dba(`CREATE ROLE "${stranger}" LOGIN`); // dropped with the installation's roles
    expect(await as(inst.urlFor(stranger), 'SELECT 1')).toMatchObject({ code: '42501', message: expect.stringMatching(/permission denied for database/) });
    for (const url of [mod.url, adm.url, inst.workerUrl]) {
      expect(await as(url, 'CREATE TABLE public.intruder (i int)')).toMatchObject({ code: '42501', message: expect.stringMatching(/permission denied for schema public/) });
      expect(await as(url, 'CREATE TEMP TABLE intruder (i int)')).toMatchObject({ code: '42501', message: expect.stringMatching(/temporary tables/) });
    }
  });
});

describe('ownership', () => {
  it('everything in public, private, api and worker is the owner\'s, but the people functions (the role manager\'s)', async () => {
    const { rows } = await inst.dba<{ o: string; owner: string }>(
      `SELECT 'relation ' || n.nspname || '.' || c.relname AS o, pg_get_userbyid(c.relowner) AS owner
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname IN ('public', 'private', 'api', 'worker') AND c.relkind IN ('r', 'p', 'S', 'v', 'm', 'f')
       UNION ALL
       SELECT 'function ' || n.nspname || '.' || p.proname, pg_get_userbyid(p.proowner)
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname IN ('public', 'private', 'api', 'worker')
       UNION ALL
       SELECT 'schema ' || nspname, pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname IN ('public', 'private', 'api', 'worker')`,
    );
    expect(rows.filter((r) => r.o.startsWith('relation ')).length).toBeGreaterThanOrEqual(Object.keys(TABLES).length);
    const people = fileFunctions('people');
    expect(people).toContain('api.add_person');
    const notTheOwners = Object.fromEntries(rows.filter((r) => r.owner !== inst.roles.owner).map((r) => [r.o, label(r.owner)]));
    expect(notTheOwners).toEqual({
      ...Object.fromEntries(people.map((f) => [`function ${f}`, 'guardian_role_manager'])),
      // PostgreSQL 15's own public schema; the owner has USAGE and CREATE on it (above).
      'schema public': 'pg_database_owner',
    });
  });

  it('the catalog holds exactly the functions the files define (and the migrations\' trigger functions)', async () => {
    const inFiles = ['private', 'api', 'worker', 'people'].flatMap(fileFunctions);
    const inCatalog = [...new Set((await functions()).map((f) => f.name))].sort();
    expect(inCatalog).toEqual([...new Set([...inFiles, ...MIGRATION_FUNCTIONS])].sort());
  });
});

describe('functions', () => {
  it('who may EXECUTE which function', async () => {
    const fns = await functions();
    const actual = Object.fromEntries(
      fns.map((f) => [f.f, PRINCIPALS.filter((k) => k !== 'owner' && f.execute.includes(k)).join(' ')]),
    );
    expect(actual).toEqual(FUNCTIONS);
  });

  it('every function in api and worker is SECURITY DEFINER with a pinned search_path', async () => {
    const fns = (await functions()).filter((f) => f.nspname === 'api' || f.nspname === 'worker');
    expect(fns.length).toBe(Object.keys(FUNCTIONS).filter((f) => /^(api|worker)\./.test(f)).length);
    const wrong = fns.filter((f) => !f.definer || !PINNED.test(f.search_path ?? '')).map((f) => `${f.f}: definer=${f.definer}, search_path=${f.search_path}`);
    expect(wrong).toEqual([]);
  });

  it('the SECURITY DEFINER helpers of private are these; every function pins its search_path but the trigger functions', async () => {
    const fns = await functions();
    expect(fns.filter((f) => f.nspname === 'private' && f.definer).map((f) => f.name).sort()).toEqual(PRIVATE_DEFINERS);
    expect(fns.filter((f) => f.nspname === 'public' && f.definer).map((f) => f.name)).toEqual([]);
    const unpinned = fns.filter((f) => !PINNED.test(f.search_path ?? ''));
    expect(unpinned.map((f) => ({ f: f.f, search_path: f.search_path, trigger: f.is_trigger }))).toEqual([
      { f: 'private.notify_case_changed()', search_path: null, trigger: true },
      { f: 'public.audit_events_append_only()', search_path: null, trigger: true },
    ]);
  });

  it('persons call api functions only (no worker.*); the worker calls worker functions (no api decision function)', async () => {
    const fns = await functions();
    const persons: Principal[] = ['moderator', 'supervisor', 'admin'];
    expect(fns.filter((f) => f.nspname === 'worker' && f.execute.some((k) => persons.includes(k))).map((f) => f.f)).toEqual([]);
    expect(fns.filter((f) => f.nspname === 'worker' && !f.execute.includes('worker')).map((f) => f.f)).toEqual([]);
    // The api functions granted to the worker are the change watermark and the minimum version (reads); no command function.
    expect(fns.filter((f) => f.nspname === 'api' && f.execute.includes('worker')).map((f) => f.f)).toEqual(['api.change_watermark()', 'api.minimum_version()']);
    // For real, as the logins themselves.
    expect(await as(mod.url, 'SELECT worker.begin_analysis(gen_random_uuid())')).toMatchObject({ code: '42501', message: 'permission denied for schema worker' });
    expect(await as(adm.url, `SELECT worker.fail_case(gen_random_uuid(), 'x')`)).toMatchObject({ code: '42501' });
    expect(
      await as(inst.workerUrl, `SELECT api.decide_case(gen_random_uuid(), 'cmd-worker-1', 'approve', 'the agent says so')`),
    ).toMatchObject({ code: '42501', message: 'permission denied for function decide_case' });
  });

  it('the worker may call api.change_watermark (an app provisioned as a worker lists cases), and no other api function', async () => {
    expect(await as(inst.workerUrl, 'SELECT api.change_watermark() IS NOT NULL AS ok')).toEqual({ rows: [{ ok: true }] });
    expect(await as(mod.url, 'SELECT api.change_watermark() IS NOT NULL AS ok')).toEqual({ rows: [{ ok: true }] });
  });

  it('the people functions are granted to every person; only an admin gets anything done by them', async () => {
    const verifier = scramVerifier(generatePassword());
    const newLogin = inst.roles.personLogin('newbie');
    const personOf = async (id: string) =>
      (await inst.dba('SELECT role, active FROM moderators WHERE id = $1', [id])).rows[0] as { role: string; active: boolean } | undefined;
    const forbidden = (message: string) => ({ rows: [{ r: { outcome: 'rejected', error: { code: 'forbidden', message } } }] });

    expect(await as(mod.url, `SELECT api.add_person('newbie', 'admin', NULL, $1) AS r`, [verifier])).toEqual(forbidden('Adding people needs an admin.'));
    expect(await as(sup.url, `SELECT api.add_person('newbie', 'admin', NULL, $1) AS r`, [verifier])).toEqual(forbidden('Adding people needs an admin.'));
    expect(await as(mod.url, `SELECT api.set_person_role('mod', 'admin') AS r`)).toEqual(forbidden('Changing roles needs an admin.'));
    expect(await as(sup.url, `SELECT api.disable_person('adm') AS r`)).toEqual(forbidden('Disabling people needs an admin.'));
    expect((await inst.dba('SELECT 1 FROM pg_roles WHERE rolname = $1', [newLogin])).rowCount).toBe(0);
    expect(await personOf('mod')).toEqual({ role: 'moderator', active: true });
    expect(await personOf('adm')).toEqual({ role: 'admin', active: true });
    const refused = await inst.dba(`SELECT actor, payload->>'command' AS command FROM audit_events WHERE type = 'person.refused' ORDER BY id`);
    expect(refused.rows).toEqual([
      { actor: 'mod', command: 'add_person' },
      { actor: 'sup', command: 'add_person' },
      { actor: 'mod', command: 'set_person_role' },
      { actor: 'sup', command: 'disable_person' },
    ]);

    // An admin may: the new login is a plain LOGIN in exactly one person group.
    expect(await as(adm.url, `SELECT api.add_person('newbie', 'supervisor', 'New Bie', $1) AS r`, [verifier])).toMatchObject({
      rows: [{ r: { outcome: 'applied', person: { id: 'newbie', role: 'supervisor', login: newLogin } } }],
    });
    const { rows } = await inst.dba(
      `SELECT r.rolcanlogin, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls, r.rolreplication,
              array(SELECT g.rolname::text FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid WHERE a.member = r.oid) AS groups
         FROM pg_roles r WHERE r.rolname = $1`,
      [newLogin],
    );
    expect(rows).toEqual([
      { rolcanlogin: true, rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolbypassrls: false, rolreplication: false, groups: [inst.roles.supervisor] },
    ]);
  });
});

describe('advisory locks (privileges.sql, last block)', () => {
  it('only the worker (and the owner\'s functions) may take them', async () => {
    const { rows } = await inst.dba<{ f: string; execute: Principal[] }>(
      `SELECT p.oid::regprocedure::text AS f,
              coalesce(array_agg(r.k) FILTER (WHERE has_function_privilege(r.who, p.oid, 'EXECUTE')), '{}') AS execute
         FROM pg_proc p CROSS JOIN jsonb_each_text($1::jsonb) AS r(k, who)
        WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.proname ~ '^pg_(try_)?advisory_'
        GROUP BY 1 ORDER BY 1`,
      [JSON.stringify(roleOf)],
    );
    const names = rows.map((r) => r.f);
    for (const f of ['pg_advisory_lock(bigint)', 'pg_try_advisory_lock(bigint)', 'pg_advisory_xact_lock(bigint)', 'pg_try_advisory_xact_lock(integer,integer)', 'pg_advisory_unlock_all()']) {
      expect(names).toContain(f);
    }
    const actual = Object.fromEntries(rows.map((r) => [r.f, PRINCIPALS.filter((k) => r.execute.includes(k)).join(' ')]));
    expect(actual).toEqual(Object.fromEntries(names.map((f) => [f, 'owner worker'])));
  });

  it('for real: a moderator cannot take one, the worker can', async () => {
    expect(await as(mod.url, 'SELECT pg_try_advisory_lock(7412001)')).toMatchObject({ code: '42501', message: 'permission denied for function pg_try_advisory_lock' });
    expect(await as(adm.url, 'SELECT pg_advisory_xact_lock(1)')).toMatchObject({ code: '42501' });
    expect(await as(inst.workerUrl, 'SELECT pg_try_advisory_lock(7412001) AS locked, pg_advisory_unlock(7412001) AS unlocked')).toEqual({
      rows: [{ locked: true, unlocked: true }],
    });
  });
});

describe('roles', () => {
  it('attributes: the owner and the groups are NOLOGIN, only the role manager may create roles, no login holds any power', async () => {
    const { rows } = await inst.dba<{ rolname: string; a: string }>(
      `SELECT rolname, concat_ws(' ', CASE WHEN rolcanlogin THEN 'LOGIN' ELSE 'NOLOGIN' END,
                     CASE WHEN rolsuper THEN 'SUPERUSER' END, CASE WHEN NOT rolinherit THEN 'NOINHERIT' END,
                     CASE WHEN rolcreaterole THEN 'CREATEROLE' END, CASE WHEN rolcreatedb THEN 'CREATEDB' END,
                     CASE WHEN rolreplication THEN 'REPLICATION' END, CASE WHEN rolbypassrls THEN 'BYPASSRLS' END) AS a
         FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname`,
      [[...Object.values(roleOf).filter((r) => r !== 'public'), inst.roles.moderator, inst.roles.supervisor, inst.roles.admin, inst.roles.worker]],
    );
    expect(Object.fromEntries(rows.map((r) => [label(r.rolname), r.a]))).toEqual(ROLE_ATTRIBUTES);
  });

  it('memberships: moderator ⊂ supervisor ⊂ admin, each login in one group', async () => {
    const { rows } = await inst.dba<{ member: string; role: string; admin_option: boolean }>(
      `SELECT m.rolname AS member, r.rolname AS role, a.admin_option
         FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
        WHERE (r.rolname LIKE $1 || '%' OR m.rolname LIKE $1 || '%') AND m.rolname <> ALL($2)`,
      // the logins other tests of this file create
      [inst.roles.prefix, [`${inst.roles.prefix}_stranger`, inst.roles.personLogin('newbie')]],
    );
    const by: Record<string, string[]> = {};
    for (const r of rows) (by[label(r.member)] ??= []).push(`${label(r.role)}${r.admin_option ? ' (admin option)' : ''}`);
    expect(Object.fromEntries(Object.entries(by).map(([m, rs]) => [m, rs.sort().join(', ')]))).toEqual(MEMBERSHIPS);
  });
});
