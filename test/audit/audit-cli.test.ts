// `guardian audit` keeps its contract (oldest first, `--json` an array of events) and, additively, takes
// the short id the UI shows or a content id, a time window and `--newest`; `audit verify --case` takes a
// short id too and names the event a superuser edited. Real PostgreSQL, the CLI as a person's own login.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declareBrokerTopology } from '../../src/core/setup/broker-setup.js';
import { cleanEnv, guardian } from '../support/cli.js';
import { createTestInstallation, type TestInstallation } from '../support/installation.js';
import { createTestVhost, type TestVhost } from '../support/isolation.js';

let inst: TestInstallation;
let vhost: TestVhost;
let env: NodeJS.ProcessEnv;
const caseId = randomUUID();
const contentId = `cli-post-${caseId.slice(0, 6)}`;

beforeAll(async () => {
  inst = await createTestInstallation();
  vhost = await createTestVhost();
  await declareBrokerTopology(vhost.url);
  const sup = await inst.person('sup-1', 'supervisor');
  env = cleanEnv({ DATABASE_URL: sup.url, AMQP_URL: vhost.url, GUARDIAN_ROLE_PREFIX: inst.roles.prefix });
  await inst.pool(inst.workerUrl, 1).query(
    `SELECT worker.ingest_content(p_case_id => $1, p_content_id => $2, p_author_id => 'a-1', p_text => 'some text', p_url => NULL,
            p_reported_by => NULL, p_report_reason => NULL, p_priority => 'normal', p_submitted_at => now())`,
    [caseId, contentId],
  );
});
afterAll(async () => {
  await inst?.drop();
  await vhost?.drop();
});

const events = async (args: string[]) => {
  const r = await guardian(['audit', ...args, '--json'], env);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Array<{ id: number; caseId: string | null; type: string }>;
};

describe('guardian audit', () => {
  it('lists a case by its whole id (oldest first, as before), by its short id, by --content; --newest reverses', async () => {
    const full = await events([caseId]);
    expect(full.map((e) => e.type)[0]).toBe('case.created');
    expect(full.map((e) => e.id)).toEqual([...full.map((e) => e.id)].sort((a, b) => a - b));
    // Four CLI processes at once (each is a whole Node start; one after another they took a minute on a busy machine).
    const [short, byContent, newest, window] = await Promise.all([
      events([caseId.slice(0, 8)]),
      events(['--content', contentId]),
      events([caseId.slice(0, 8), '--newest']),
      events(['--from', '2000-01-01T00:00:00Z', '--to', '2000-01-02T00:00:00Z']),
    ]);
    expect(short).toEqual(full);
    expect(byContent).toEqual(full);
    expect(newest).toEqual([...full].reverse());
    expect(window).toEqual([]);
  }, 120_000);

  it('refuses a malformed case id with a message naming it (not a PostgreSQL error)', async () => {
    const r = await guardian(['audit', 'not-a-case', '--json'], env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/caseId/);
    expect(r.stderr).not.toMatch(/syntax for type uuid/);
  });

  it('verify --case takes the short id and names the event a superuser edited', async () => {
    const ok = await guardian(['audit', 'verify', '--case', caseId.slice(0, 8), '--json'], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, streams: 1 });
    const [created] = await events([caseId]);
    await inst.dba(`BEGIN; SET LOCAL session_replication_role = replica;
      UPDATE audit_events SET payload = payload || '{"priority":"urgent"}' WHERE id = ${Number(created!.id)}; COMMIT;`);
    const bad = await guardian(['audit', 'verify', '--case', caseId.slice(0, 8), '--json'], env);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, firstBroken: { eventId: created!.id, kind: 'edited', stream: `case:${caseId}` } });
  }, 120_000);
});
