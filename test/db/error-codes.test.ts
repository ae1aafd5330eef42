/**
 * The database's errors have one registry, src/core/store/db-errors.ts (DB_ERRORS, fromDbError). Checked
 * here: every SQLSTATE the SQL under resources/db/functions raises is registered; every GW* code is in
 * resources/db/README.md's Errors table with the same contract code and CLI exit (src/core/errors.ts
 * exitCodeFor, what src/cli/index.ts returns); and, through real calls as real logins on a test
 * installation, one refusal per registered code reaches the caller as its GuardianError. Command functions
 * return GWCON/GWFRB refusals as values ({ outcome: 'rejected', error }) so that their record survives:
 * that shape is asserted too, and what the command client makes of it.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeFor, GuardianError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/log.js';
import { resourcePath } from '../../src/core/resources.js';
import { createCommandClient } from '../../src/core/services/commands.js';
import { createDb } from '../../src/core/store/db.js';
import { DB_ERRORS, dbCall, fromDbError } from '../../src/core/store/db-errors.js';
import { createTestInstallation, type TestInstallation, type TestPerson } from '../support/installation.js';
import { scramClusterAvailable, startScramCluster, type ScramCluster } from '../support/scram-cluster.js';

// ---------------------------------------------------------------------------------------------------------
// What the SQL raises, read from its text

interface Raise {
  file: string;
  /** The SQLSTATE, or the expression it is computed from when it is not a literal. */
  code: string;
  literal: boolean;
}

function sqlFiles(): Array<{ file: string; sql: string }> {
  const root = resourcePath('db', 'functions');
  return fs
    .readdirSync(root)
    .sort()
    .flatMap((dir) =>
      fs
        .readdirSync(path.join(root, dir))
        .filter((f) => f.endsWith('.sql'))
        .sort()
        .map((f) => ({
          file: `${dir}/${f}`,
          // Whole-line comments only: `--` may occur inside a string.
          sql: fs.readFileSync(path.join(root, dir, f), 'utf8').replace(/^\s*--.*$/gm, ''),
        })),
    );
}

/**
 * Every place an error is raised: a call of private.fail (its first argument), or a RAISE of level
 * EXCEPTION (its ERRCODE, SQLSTATE or condition name; without one it is P0001). Lower levels are not errors.
 * String literals are masked first (a COMMENT may say "Raise …"), and read back for the codes.
 */
function raises(): Raise[] {
  const out: Raise[] = [];
  for (const { file, sql } of sqlFiles()) {
    const strings: string[] = [];
    const masked = sql.replace(/'(?:[^']|'')*'/g, (lit) => `'#${strings.push(lit) - 1}'`);
    const unmask = (s: string) => s.replace(/'#(\d+)'/g, (_m, i: string) => strings[Number(i)]!);
    const literal = (s: string | undefined) => (s === undefined ? undefined : /^'([^']*)'$/.exec(unmask(s).trim())?.[1]);
    for (const m of masked.matchAll(/(?<!FUNCTION )private\.fail\(\s*([^,)]*)/g)) {
      const code = literal(m[1]);
      out.push({ file, code: code ?? unmask(m[1]!).trim(), literal: code !== undefined });
    }
    for (const m of masked.matchAll(/\bRAISE\b([^;]*);/gi)) {
      const body = m[1]!.trim();
      // A bare RAISE re-raises what a handler caught; lower levels are not errors.
      if (body === '' || /^(WARNING|NOTICE|INFO|LOG|DEBUG)\b/i.test(body)) continue;
      const rest = body.replace(/^EXCEPTION\b\s*/i, '');
      const named = /^([a-z_]+)\b/i.exec(rest)?.[1]; // RAISE [EXCEPTION] division_by_zero …: a condition name
      const code =
        literal(/ERRCODE\s*=\s*('#\d+')/i.exec(rest)?.[1]) ??
        literal(/^SQLSTATE\s+('#\d+')/i.exec(rest)?.[1]) ??
        (named && !/^(USING|SQLSTATE)$/i.test(named) ? named : undefined);
      const computed = /ERRCODE\s*=\s*(\w+)/i.exec(rest)?.[1];
      if (code !== undefined) out.push({ file, code, literal: true });
      else if (computed) out.push({ file, code: computed, literal: false });
      // RAISE EXCEPTION 'message' without an ERRCODE: PostgreSQL's raise_exception.
      else out.push({ file, code: 'P0001', literal: true });
    }
  }
  return out;
}

/** resources/db/README.md's Errors table: SQLSTATE(s) → contract code and CLI exit. */
function readmeErrors(): Map<string, { code: string; exit: number }> {
  const md = fs.readFileSync(resourcePath('db', 'README.md'), 'utf8');
  const section = md.slice(md.indexOf('## Errors'));
  const table = new Map<string, { code: string; exit: number }>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 5 || !/`/.test(cells[1] ?? '')) continue;
    const contract = /`([a-z_]+)`/.exec(cells[2] ?? '')?.[1];
    if (!contract) continue;
    for (const m of cells[1]!.matchAll(/`([0-9A-Z]{5})`/g)) table.set(m[1]!, { code: contract, exit: Number(cells[3]) });
  }
  return table;
}

describe('the registry and the SQL', () => {
  it('every SQLSTATE raised under resources/db/functions is a key of DB_ERRORS', () => {
    const all = raises();
    const unregistered = all.filter((r) => r.literal && !(r.code in DB_ERRORS)).map((r) => `${r.file}: ${r.code}`);
    expect(unregistered).toEqual([]);
    // Every raise names its code literally, but private.fail's own RAISE, which passes its argument on.
    expect(all.filter((r) => !r.literal)).toEqual([{ file: 'private/fail.sql', code: 'p_code', literal: false }]);
    // The scan sees the raises: the four Guardian codes all occur.
    expect([...new Set(all.map((r) => r.code))]).toEqual(expect.arrayContaining(['GWCON', 'GWFRB', 'GWINV', 'GWNFD']));
  });

  it('every GW* code is in the README\'s Errors table, with the registry\'s contract code and the CLI\'s exit code', () => {
    const readme = readmeErrors();
    const gw = Object.keys(DB_ERRORS).filter((k) => k.startsWith('GW'));
    expect(gw.sort()).toEqual(['GWCON', 'GWFRB', 'GWINV', 'GWNFD', 'GWUPD']);
    for (const code of new Set([...gw, ...raises().filter((r) => r.literal).map((r) => r.code).filter((c) => c.startsWith('GW'))])) {
      expect(readme.has(code), `${code} in resources/db/README.md`).toBe(true);
    }
    // Each row of the table agrees with the registry and with what the CLI exits with.
    expect(readme.size).toBeGreaterThanOrEqual(7);
    for (const [sqlstate, row] of readme) {
      const err = fromDbError({ code: sqlstate, message: 'm' });
      expect({ sqlstate, code: DB_ERRORS[sqlstate]?.code, exit: exitCodeFor(err) }).toEqual({ sqlstate, code: row.code, exit: row.exit });
    }
  });

  it('the CLI\'s exit codes: conflict 3, forbidden 4, invalid input 2, update required 5, anything else 1', () => {
    expect(exitCodeFor(fromDbError({ code: 'GWCON', message: 'stale' }))).toBe(3);
    expect(exitCodeFor(fromDbError({ code: 'GWFRB', message: 'four-eyes' }))).toBe(4);
    expect(exitCodeFor(fromDbError({ code: '42501', message: 'permission denied' }))).toBe(4);
    expect(exitCodeFor(fromDbError({ code: 'GWINV', message: 'bad' }))).toBe(2);
    expect(exitCodeFor(fromDbError({ code: 'GWNFD', message: 'none' }))).toBe(1);
    // Additive to DESIGN §13's 0–4 (issue 13): an old client is told to update.
    expect(exitCodeFor(fromDbError({ code: 'GWUPD', message: 'Update required' }))).toBe(5);
    // An unregistered SQLSTATE is not made a contract error.
    const unknown = { code: '40P01', message: 'deadlock detected' };
    expect(fromDbError(unknown)).toBe(unknown);
    expect(exitCodeFor(unknown)).toBe(1);
  });

  it('fromDbError: a GW* error\'s JSON DETAIL becomes its details, beside the SQLSTATE', () => {
    const e = fromDbError({ code: 'GWCON', message: 'Case x changed', detail: '{"caseId":"x","version":3}' }) as GuardianError;
    expect(e).toBeInstanceOf(GuardianError);
    expect({ code: e.code, message: e.message, details: e.details }).toEqual({
      code: 'conflict', message: 'Case x changed', details: { caseId: 'x', version: 3, sqlstate: 'GWCON' },
    });
    expect((fromDbError({ code: 'GWINV', message: 'm', detail: 'not json' }) as GuardianError).details).toEqual({ sqlstate: 'GWINV' });
    // PostgreSQL's own DETAIL is not JSON of ours and is not parsed.
    expect((fromDbError({ code: '23514', message: 'm', detail: '{"a":1}' }) as GuardianError).details).toEqual({ sqlstate: '23514' });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Real refusals, as real logins

describe('each registered code, met for real', () => {
  let inst: TestInstallation;
  let mod: TestPerson;
  let adm: TestPerson;
  let modDb: pg.Pool;
  let admDb: pg.Pool;
  let workerDb: pg.Pool;
  let cluster: ScramCluster | undefined;
  const scram = scramClusterAvailable();
  let n = 0;
  const commandId = () => `cmd-${++n}-${randomUUID()}`;

  /** A case as the worker ingests it (still being analysed). */
  async function ingested(): Promise<string> {
    const id = randomUUID();
    await workerDb.query(
      `SELECT worker.ingest_content(p_case_id => $1, p_content_id => $2, p_author_id => 'author-1', p_text => 'reported text',
         p_url => NULL, p_reported_by => NULL, p_report_reason => NULL, p_priority => 'normal', p_submitted_at => now())`,
      [id, `content-${id}`],
    );
    return id;
  }

  /** A case awaiting a level-1 review, as the worker projects it. */
  async function awaitingReview(): Promise<string> {
    const id = await ingested();
    await workerDb.query(
      `SELECT * FROM worker.sync_review(p_case_id => $1, p_interrupt_id => $2, p_level => 1, p_review_kind => 'initial', p_sla_minutes => 60)`,
      [id, `interrupt-${id}`],
    );
    return id;
  }

  const note = (caseId: string, cmd: string, text: string) =>
    modDb.query('SELECT api.add_note(p_case_id => $1, p_command_id => $2, p_text => $3, p_tool => \'cli\') AS r', [caseId, cmd, text]);

  async function connect(url: string): Promise<void> {
    const c = new pg.Client({ connectionString: url });
    c.on('error', () => {});
    try {
      await c.connect();
      await c.query('SELECT 1');
    } finally {
      await c.end().catch(() => {});
    }
  }

  /** One refusal per registered code: what is tried, as whom, and the message it is refused with. */
  const REFUSALS: Record<string, { tried: string; run: () => Promise<unknown>; message: RegExp }> = {
    GWINV: {
      tried: 'a moderator claims a case for 0 minutes (api.claim_case: 1 to 1440)',
      run: async () => modDb.query('SELECT api.claim_case(p_case_id => $1, p_command_id => $2, p_minutes => 0)', [await ingested(), commandId()]),
      message: /^minutes: a claim lasts 1 to 1440 minutes$/,
    },
    GWNFD: {
      tried: 'a moderator adds a note to a case that does not exist',
      run: () => note(randomUUID(), commandId(), 'hello'),
      message: /^No case [0-9a-f-]{36}\.$/,
    },
    GWCON: {
      tried: 'a moderator reuses a command id for a different note (raised: the id cannot record a second command)',
      run: async () => {
        const id = await ingested();
        const cmd = commandId();
        expect((await note(id, cmd, 'first')).rows[0].r.outcome).toBe('applied');
        return note(id, cmd, 'second');
      },
      message: /^Command id cmd-\S+ was already used for a different command\.$/,
    },
    GWFRB: {
      tried: 'the worker records a ban the agent decided alone (worker.record_action)',
      run: async () => {
        const id = await ingested();
        return workerDb.query(
          `SELECT worker.record_action(p_action_id => $1, p_case_id => $2, p_command_id => $3, p_seq => 1, p_kind => 'ban_user', p_reason => 'spam')`,
          [`act-${id}`, id, `auto:${id}`],
        );
      },
      message: /^the agent may not ban_user without a human$/,
    },
    GWUPD: {
      tried: "a 0.1.0 client's note once an admin set the minimum version 0.2.0 (then removed again)",
      run: async () => {
        const id = await ingested();
        expect((await admDb.query(`SELECT api.set_minimum_version('0.2.0', $1) AS r`, [commandId()])).rows[0].r.outcome).toBe('applied');
        const old = createDb({ connectionString: mod.url, max: 1, clientVersion: '0.1.0' });
        try {
          return await old.query("SELECT api.add_note(p_case_id => $1, p_command_id => $2, p_text => 'hello') AS r", [id, commandId()]);
        } finally {
          await old.close();
          await admDb.query('SELECT api.set_minimum_version(NULL, $1)', [commandId()]);
        }
      },
      message: /^Update required: this client is 0\.1\.0, the minimum is 0\.2\.0\./,
    },
    '42501': {
      tried: "a moderator's UPDATE cases SET status = 'closed'",
      run: async () => modDb.query(`UPDATE cases SET status = 'closed' WHERE id = $1`, [await ingested()]),
      message: /^permission denied for table cases$/,
    },
    '22P02': {
      tried: 'a moderator names a case by something that is not a uuid',
      run: () => note('not-a-uuid', commandId(), 'hello'),
      message: /^invalid input syntax for type uuid: "not-a-uuid"$/,
    },
    '23514': {
      // Every function validates its input before a CHECK constraint could see it (record_action's kind
      // is refused as not called for by the command, GWFRB): the constraint is the last line, met here by
      // the DBA writing the table directly.
      tried: 'a row that breaks a CHECK constraint (a platform action of a kind there is not)',
      run: async () => {
        const id = await awaitingReview();
        return inst.dba(
          `INSERT INTO actions (id, case_id, seq, kind, reason, reversible, status) VALUES ($1, $2, 1, 'delete_everything', 'r', false, 'pending')`,
          [`act-${id}`, id],
        );
      },
      message: /violates check constraint "actions_kind_check"/,
    },
    '28000': {
      tried: 'a person an admin disabled connects',
      run: async () => {
        const gone = await inst.person('gone', 'moderator');
        const { rows } = await admDb.query(`SELECT api.disable_person('gone') AS r`);
        expect(rows[0].r).toMatchObject({ outcome: 'applied', person: { id: 'gone', active: false } });
        return connect(gone.url);
      },
      message: /is not permitted to log in/,
    },
    '28P01': {
      tried: 'a wrong password (a private scram-sha-256 cluster: the shared server trusts every password)',
      run: () => connect(cluster!.urlFor('postgres', 'not-the-password')),
      message: /password authentication failed for user "postgres"/,
    },
  };

  beforeAll(async () => {
    inst = await createTestInstallation();
    mod = await inst.person('mod', 'moderator');
    adm = await inst.person('adm', 'admin');
    modDb = inst.pool(mod.url);
    admDb = inst.pool(adm.url);
    workerDb = inst.pool(inst.workerUrl);
    if (scram.ok) cluster = await startScramCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
    await inst?.drop();
  });

  it('there is one refusal for every registered code', () => {
    expect(Object.keys(REFUSALS).sort()).toEqual(Object.keys(DB_ERRORS).sort());
  });

  it.for(Object.keys(REFUSALS))('%s reaches the caller as its GuardianError', async (sqlstate, ctx) => {
    if (sqlstate === '28P01' && !scram.ok) ctx.skip(`no private cluster: ${scram.reason}`);
    const refusal = REFUSALS[sqlstate]!;
    const err = await dbCall(refusal.run).then(
      () => new Error(`not refused: ${refusal.tried}`),
      (e: unknown) => e,
    );
    expect(err, refusal.tried).toBeInstanceOf(GuardianError);
    const g = err as GuardianError;
    expect({ code: g.code, sqlstate: g.details?.sqlstate }, refusal.tried).toEqual({ code: DB_ERRORS[sqlstate]!.code, sqlstate });
    expect(g.message).toMatch(refusal.message);
  });

  describe('GWCON and GWFRB from a command function: a value, recorded and audited', () => {
    const client = () =>
      createCommandClient({
        db: modDb,
        logger: silentLogger,
        claimMinutes: 15,
        publishJob: async () => {
          throw new Error('a refused command publishes no job');
        },
      });

    it('GWCON: a claim on a case still being analysed', async () => {
      const id = await ingested();
      const cmd = commandId();
      const call = () => dbCall(() => modDb.query('SELECT api.claim_case(p_case_id => $1, p_command_id => $2, p_tool => \'cli\') AS r', [id, cmd]));
      const error = {
        code: 'conflict',
        message: `Case ${id} is analyzing: nothing to claim.`,
        details: { caseId: id, status: 'analyzing', version: 1, lastDecision: null },
      };
      expect((await call()).rows[0].r).toEqual({ outcome: 'rejected', duplicate: false, error });

      // Recorded, with its audit event (a raise would have rolled both back).
      const cmdRow = await inst.dba('SELECT type, actor, tool, status, result FROM commands WHERE id = $1', [cmd]);
      expect(cmdRow.rows).toEqual([{ type: 'claim', actor: 'mod', tool: 'cli', status: 'rejected', result: { error } }]);
      const events = await inst.dba(
        `SELECT type, actor, db_login, payload->>'code' AS code, payload->>'commandId' AS "commandId" FROM audit_events WHERE stream = $1 AND type = 'command.rejected'`,
        [`case:${id}`],
      );
      expect(events.rows).toEqual([{ type: 'command.rejected', actor: 'mod', db_login: mod.login, code: 'conflict', commandId: cmd }]);

      // The same command again: the stored refusal, said to be a duplicate.
      expect((await call()).rows[0].r).toEqual({ outcome: 'rejected', duplicate: true, error: { ...error, details: { ...error.details, duplicate: true } } });

      // What the command client (and so the CLI) makes of it.
      const thrown = await client()
        .execute({ type: 'claim', caseId: id, commandId: commandId(), tool: 'cli' })
        .then(() => undefined, (e: unknown) => e);
      expect(thrown).toBeInstanceOf(GuardianError);
      expect({ code: (thrown as GuardianError).code, details: (thrown as GuardianError).details, exit: exitCodeFor(thrown) }).toEqual({
        code: 'conflict',
        details: error.details,
        exit: 3,
      });
    });

    it('GWFRB: a moderator\'s rollback (supervisors and admins only)', async () => {
      const id = await ingested();
      const cmd = commandId();
      const { rows } = await dbCall(() =>
        modDb.query('SELECT api.rollback_case(p_case_id => $1, p_command_id => $2, p_reason => $3) AS r', [id, cmd, 'that was wrong']),
      );
      const error = { code: 'forbidden', message: 'Rollback needs a supervisor or an admin.' };
      expect(rows[0].r).toEqual({ outcome: 'rejected', duplicate: false, error });
      const cmdRow = await inst.dba('SELECT type, actor, status, result FROM commands WHERE id = $1', [cmd]);
      expect(cmdRow.rows).toEqual([{ type: 'rollback', actor: 'mod', status: 'rejected', result: { error } }]);
      const events = await inst.dba(
        `SELECT actor, payload->>'code' AS code FROM audit_events WHERE stream = $1 AND type = 'command.rejected'`,
        [`case:${id}`],
      );
      expect(events.rows).toEqual([{ actor: 'mod', code: 'forbidden' }]);
      // The case is as it was.
      expect((await inst.dba('SELECT status, version FROM cases WHERE id = $1', [id])).rows).toEqual([{ status: 'analyzing', version: 1 }]);

      const thrown = await client()
        .execute({ type: 'rollback', caseId: id, commandId: commandId(), reason: 'that was wrong' })
        .then(() => undefined, (e: unknown) => e);
      expect(thrown).toBeInstanceOf(GuardianError);
      expect({ code: (thrown as GuardianError).code, message: (thrown as GuardianError).message, exit: exitCodeFor(thrown) }).toEqual({
        code: 'forbidden',
        message: error.message,
        exit: 4,
      });
    });
  });
});
