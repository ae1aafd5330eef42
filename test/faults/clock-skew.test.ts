import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEXT } from '../support/harness.js';
import { cleanEnv, GUARDIAN_BIN, REPO } from '../support/cli.js';
import { checkInvariants, publishAll, startRig, waitSettled, type Rig } from './support/rig.js';

// Client clocks skewed with libfaketime (Debian package `faketime`): the worker runs 3 hours ahead, one
// moderator's CLI 2 hours behind, another's a day ahead. Leases and ordering are database time (DESIGN §6),
// so none of it may matter. No server is stopped: the shared servers, a database and vhost of its own.
const faketime = spawnSync('faketime', ['-f', '+0', 'true']).status === 0;

function skewed(offset: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn('faketime', ['-f', offset, process.execPath, GUARDIAN_BIN, ...args], { env, cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
}

function run(offset: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = skewed(offset, args, env);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(!faketime)(`client clock skew (faketime)${faketime ? '' : ' — skipped: the faketime command (Debian package faketime) is not installed'}`, () => {
  let rig: Rig;
  let worker: ChildProcess;
  let workerOut = '';
  let workerExited: Promise<unknown>;
  beforeAll(async () => {
    // The skew really reaches a Node process here (libfaketime preloaded).
    const ahead = Number(spawnSync('faketime', ['-f', '+3h', process.execPath, '-e', 'process.stdout.write(String(Date.now()))'], { encoding: 'utf8' }).stdout);
    expect(ahead - Date.now()).toBeGreaterThan(2 * 3600_000);
    rig = await startRig({ inProcessWorker: false, moderators: ['mod-2'] });
    worker = skewed('+3h', ['worker'], cleanEnv(rig.env));
    worker.stdout!.on('data', (d) => (workerOut += d));
    worker.stderr!.on('data', (d) => (workerOut += d));
    workerExited = new Promise((r) => worker.once('exit', r));
  }, 120_000);
  afterAll(async () => {
    worker?.kill('SIGTERM');
    await workerExited;
    await rig?.close();
  });

  const personEnv = (id: string) => cleanEnv({ ...rig.env, DATABASE_URL: rig.people[id]!.url, PLATFORM_URL: '', PLATFORM_WEBHOOK_SECRET: '' });

  it('a worker 3 h ahead: nothing lost or doubled, audit intact, events in database-time order', async () => {
    const texts = [TEXT.spam, TEXT.threat, TEXT.clean];
    const msgs = Array.from({ length: 12 }, (_, i) => ({ contentId: `skew-${i}`, text: texts[i % 3]! }));
    await publishAll(rig.amqpUrl, msgs);
    await waitSettled(rig, msgs.map((m) => m.contentId)).catch((err: Error) => {
      throw new Error(`${err.message}\nworker:\n${workerOut.slice(-3000)}`);
    });
    const inv = await checkInvariants(rig, msgs.map((m) => m.contentId));
    expect(inv).toMatchObject({ lost: [], duplicatedEffects: [], stuckCommands: [], stuckCases: [], auditOk: true });
    // Timestamps are the database's: nothing 3 h in the future, and within every stream the audit order
    // (id) is the time order.
    const { rows } = await rig.reader.query(
      `SELECT (SELECT count(*)::int FROM cases WHERE created_at > now() + interval '1 minute' OR updated_at > now() + interval '1 minute') AS future_cases,
              (SELECT count(*)::int FROM audit_events WHERE created_at > now() + interval '1 minute') AS future_events,
              (SELECT count(*)::int FROM (SELECT created_at < lag(created_at) OVER (PARTITION BY stream ORDER BY id) AS back FROM audit_events) x WHERE back) AS out_of_order`,
    );
    expect(rows[0]).toEqual({ future_cases: 0, future_events: 0, out_of_order: 0 });
  }, 240_000);

  it('a lease taken by a CLI 2 h behind runs 15 minutes of database time, and a CLI a day ahead cannot take it', async () => {
    const { rows } = await rig.reader.query<{ id: string }>(`SELECT id FROM cases WHERE status = 'awaiting_review' ORDER BY content_id LIMIT 1`);
    const caseId = rows[0]!.id;
    const claim = await run('-2h', ['claim', caseId, '--as', 'mod-1', '--json'], personEnv('mod-1'));
    expect(claim.code, claim.stderr).toBe(0);
    const { rows: lease } = await rig.reader.query(
      `SELECT claimed_by, claim_until > now() AND claim_until <= now() + interval '15 minutes' AS fifteen_db_minutes FROM cases WHERE id = $1`,
      [caseId],
    );
    expect(lease[0]).toEqual({ claimed_by: 'mod-1', fifteen_db_minutes: true });
    // A day ahead, the lease would long have run out by that machine's clock: the database says it has not.
    const steal = await run('+1d', ['claim', caseId, '--as', 'mod-2', '--json'], personEnv('mod-2'));
    expect(steal.code, steal.stderr).toBe(3);
    const { rows: still } = await rig.reader.query(`SELECT claimed_by FROM cases WHERE id = $1`, [caseId]);
    expect(still[0].claimed_by).toBe('mod-1');
    // The lease holder decides from her skewed machine; the skewed worker carries it out, once.
    const decide = await run('-2h', ['decide', caseId, '--decision', 'remove', '--reason', 'threat', '--as', 'mod-1', '--json'], personEnv('mod-1'));
    expect(decide.code, decide.stderr).toBe(0);
    const all = Array.from({ length: 12 }, (_, i) => `skew-${i}`);
    await waitSettled(rig, all);
    const { rows: done } = await rig.reader.query(`SELECT c.status, array_agg(a.kind) AS kinds FROM cases c JOIN actions a ON a.case_id = c.id WHERE c.id = $1 GROUP BY c.status`, [caseId]);
    expect(done[0]).toEqual({ status: 'actioned', kinds: ['remove_content'] });
    const inv = await checkInvariants(rig, all);
    expect(inv).toMatchObject({ lost: [], duplicatedEffects: [], stuckCommands: [], stuckCases: [], auditOk: true });
  }, 120_000);
});
