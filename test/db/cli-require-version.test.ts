/**
 * `guardian release require-version` through the real CLI (issue 13), each person with their own
 * DATABASE_URL: an admin sets the minimum (exit 0, --json { minimumVersion, previous }), a moderator cannot
 * (exit 4, the database refusing), everyone reads it (--show); then a CLI older than the minimum (it reports
 * package.json's version, or GUARDIAN_CLIENT_VERSION) has its decide refused: exit 5, update_required, the
 * case unchanged; a current one decides.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, guardian, REPO, type CliResult } from '../support/cli.js';
import { startHarness, type Harness } from '../support/harness.js';

let h: Harness;
let worker: pg.Pool;
const packageVersion = (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

beforeAll(async () => {
  h = await startHarness({ worker: false });
  worker = h.inst.pool(h.inst.workerUrl);
}, 60_000);
afterAll(async () => {
  await h?.close();
});

const as = (userId: string, args: string[], extra: Record<string, string> = {}): Promise<CliResult> =>
  guardian(args, cleanEnv({ ...h.envAs(userId), ...extra }));
const minimum = async () => (await h.inst.dba('SELECT minimum_client_version AS v FROM private.installation')).rows[0].v as string | null;

/** A case awaiting its level-1 review, arranged through the worker login (the product's path). */
async function awaitingReview(): Promise<string> {
  const id = randomUUID();
  await worker.query(
    `SELECT worker.ingest_content(p_case_id => $1, p_content_id => $2, p_author_id => 'author-1', p_text => 'reported text',
       p_url => NULL, p_reported_by => NULL, p_report_reason => NULL, p_priority => 'normal', p_submitted_at => now())`,
    [id, `content-${id}`],
  );
  await worker.query('SELECT * FROM worker.begin_analysis($1)', [id]);
  await worker.query(`SELECT * FROM worker.sync_review(p_case_id => $1, p_interrupt_id => $2, p_level => 1, p_review_kind => 'initial', p_sla_minutes => 60)`, [
    id,
    `interrupt-${id}`,
  ]);
  return id;
}
const caseState = async (id: string) => (await h.inst.dba('SELECT status, version FROM cases WHERE id = $1', [id])).rows[0];

describe('guardian release require-version', () => {
  it('usage: a version, --show or --clear (exit 2); a bad version is refused by the database naming the field (exit 2)', async () => {
    const none = await as('admin-1', ['release', 'require-version']);
    expect(none.code, none.stderr).toBe(2);
    expect(none.stderr).toMatch(/^invalid_input: version: give the minimum version/m);
    const bad = await as('admin-1', ['release', 'require-version', 'banana']);
    expect(bad.code, bad.stderr).toBe(2);
    expect(bad.stderr).toMatch(/^invalid_input: version: must be a version like/m);
    expect(await minimum()).toBeNull();
  });

  it('a moderator cannot set it (their own login; exit 4) and the minimum is unchanged', async () => {
    const r = await as('mod-1', ['release', 'require-version', '0.0.1', '--json']);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/^forbidden: Setting the minimum client version needs an admin\./m);
    expect(r.stdout).toBe('');
    expect(await minimum()).toBeNull();
  });

  // The steps below run in order (vitest runs a file's tests one after another), on one case.
  let c: string;
  let before: { status: string; version: number };
  const decide = () => ['decide', c, '--decision', 'remove', '--reason', 'harassment, clearly'];

  it("an admin sets it (exit 0, --json { minimumVersion, previous }); a moderator reads it (--show)", async () => {
    c = await awaitingReview();
    before = await caseState(c);
    const set = await as('admin-1', ['release', 'require-version', '0.2.0', '--json']);
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toEqual({ minimumVersion: '0.2.0', previous: null });
    expect(await minimum()).toBe('0.2.0');
    const show = await as('mod-1', ['release', 'require-version', '--show', '--json'], { GUARDIAN_CLIENT_VERSION: '0.2.0' });
    expect(show.code, show.stderr).toBe(0);
    expect(JSON.parse(show.stdout)).toEqual({ minimumVersion: '0.2.0', setAt: expect.any(String), clientVersion: '0.2.0', current: true });
    const text = await as('mod-1', ['release', 'require-version', '--show'], { GUARDIAN_CLIENT_VERSION: '0.1.0' });
    expect(text.stdout).toMatch(/^minimum version: 0\.2\.0 \(set .+\); this client \(0\.1\.0\) must be updated to send commands$/m);
  });

  it('a 0.1.0 CLI\'s decide is refused: update_required, exit 5, the case as it was, no command', async () => {
    const old = await as('mod-1', decide(), { GUARDIAN_CLIENT_VERSION: '0.1.0' });
    expect(old.code, old.stderr).toBe(5);
    expect(old.stderr).toMatch(/^update_required: Update required: this client is 0\.1\.0, the minimum is 0\.2\.0\./m);
    expect(await caseState(c)).toEqual(before);
    expect((await h.inst.dba(`SELECT count(*)::int AS n FROM commands WHERE case_id = $1 AND type = 'decide'`, [c])).rows[0].n).toBe(0);
  });

  it("without the override the CLI reports package.json's version", async () => {
    const raised = await as('admin-1', ['release', 'require-version', bump(packageVersion), '--json']);
    expect(JSON.parse(raised.stdout)).toEqual({ minimumVersion: bump(packageVersion), previous: '0.2.0' });
    const own = await as('mod-1', decide());
    expect(own.code, own.stderr).toBe(5);
    expect(own.stderr).toContain(`this client is ${packageVersion}, the minimum is ${bump(packageVersion)}.`);
    expect(await caseState(c)).toEqual(before);
  });

  it('an updated CLI decides', async () => {
    const current = await as('mod-1', [...decide(), '--json'], { GUARDIAN_CLIENT_VERSION: bump(packageVersion) });
    expect(current.code, current.stderr).toBe(0);
    expect(JSON.parse(current.stdout)).toMatchObject({ status: 'accepted', case: { id: c, status: 'executing' } });
  });

  it('an admin on an old CLI can still lower it; --clear removes it', async () => {
    const lowered = await as('admin-1', ['release', 'require-version', '0.0.1'], { GUARDIAN_CLIENT_VERSION: '0.0.0' });
    expect(lowered.code, lowered.stderr).toBe(0);
    expect(lowered.stdout).toMatch(new RegExp(`^minimum version is now 0\\.0\\.1 \\(was ${bump(packageVersion).replace(/\./g, '\\.')}\\)`));
    const cleared = await as('admin-1', ['release', 'require-version', '--clear', '--json']);
    expect(JSON.parse(cleared.stdout)).toEqual({ minimumVersion: null, previous: '0.0.1' });
    const shown = await as('mod-1', ['release', 'require-version', '--show']);
    expect(shown.stdout).toMatch(/^no minimum version/);
  });
});

/** The next minor version: newer than `v`. */
function bump(v: string): string {
  const [major, minor] = v.split('.').map(Number);
  return `${major}.${minor! + 1}.0`;
}
