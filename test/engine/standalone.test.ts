import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { cleanEnv, guardian } from '../support/cli.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guardian-standalone-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

// Standalone mode has one local person (GUARDIAN_USER, else the OS user) holding every role, on the
// embedded database, with no sign-in and no demo people (DESIGN §10). Four-eyes cannot be met by one
// person: it is waived there, and the audit says so.
it('works end to end with no PostgreSQL or RabbitMQ configured, as its one local person (must show 8)', async () => {
  const env = cleanEnv({ GUARDIAN_DATA_DIR: dataDir, GUARDIAN_USER: 'solo' });

  const demo = await guardian(['demo'], env);
  expect(demo.code, demo.stderr).toBe(0);
  expect(demo.stderr).toMatch(/published \d+ demo message/);

  const me = await guardian(['whoami', '--json'], env);
  expect(me.code, me.stderr).toBe(0);
  expect(JSON.parse(me.stdout)).toMatchObject({ id: 'solo', role: 'admin', mode: 'standalone' });

  const list = await guardian(['cases', 'list', '--json'], env);
  expect(list.code, list.stderr).toBe(0);
  const cases = JSON.parse(list.stdout) as Array<Record<string, unknown>>;
  expect(cases.length).toBeGreaterThanOrEqual(10);
  for (const key of ['id', 'contentId', 'authorId', 'status', 'level', 'version', 'severity', 'violationType', 'priority', 'claimedBy', 'createdAt', 'updatedAt'])
    expect(cases[0]).toHaveProperty(key);
  const statuses = new Set(cases.map((c) => c.status));
  expect(statuses).toEqual(new Set(['auto_resolved', 'awaiting_review', 'actioned']));
  // Urgent content is listed first.
  expect(cases[0]!.priority).toBe('urgent');

  const target = cases.find((c) => c.status === 'awaiting_review')!;
  const id = String(target.id);
  const decide = await guardian(['decide', id, '--decision', 'remove', '--reason', 'threat of violence', '--expected-version', String(target.version), '--json'], env);
  expect(decide.code, decide.stderr).toBe(0);
  expect(JSON.parse(decide.stdout)).toMatchObject({ status: 'accepted', case: { status: 'actioned' } });

  // A decision on the version seen before is a conflict naming who decided (exit 3).
  const stale = await guardian(['decide', id, '--decision', 'warn', '--reason', 'late decision', '--as', 'solo', '--expected-version', String(target.version)], env);
  expect(stale.code, stale.stderr).toBe(3);
  expect(stale.stderr).toMatch(/decided by solo \(remove\)/);

  // Nobody else can be named: --as only picks whose login to use, and there is one person here (exit 4).
  const other = await guardian(['rollback', id, '--reason', 'changed my mind', '--as', 'someone-else'], env);
  expect(other.code, other.stderr).toBe(4);
  expect(other.stderr).toMatch(/not someone-else/);
  const still = JSON.parse((await guardian(['cases', 'show', id, '--json'], env)).stdout);
  expect(still).toMatchObject({ status: 'actioned', level: 1 });

  // The one person holds the supervisor's role too: they roll back their own decision.
  const rollback = await guardian(['rollback', id, '--reason', 'it was a quote'], env);
  expect(rollback.code, rollback.stderr).toBe(0);

  const show = await guardian(['cases', 'show', id, '--json'], env);
  const detail = JSON.parse(show.stdout);
  expect(detail).toMatchObject({ status: 'awaiting_review', level: 2, reviewKind: 'rollback' });
  expect(detail.excludedDeciders).toContain('solo');
  expect(detail.actions.map((a: { kind: string; status: string }) => `${a.kind}:${a.status}`)).toEqual(['remove_content:done', 'restore_content:done']);

  // The level-2 review: four-eyes would exclude solo, who made the decision rolled back; with one person
  // it is waived, and the audit records that.
  const review = await guardian(['decide', id, '--decision', 'warn', '--reason', 'a quote, but still a warning', '--expected-version', String(detail.version), '--json'], env);
  expect(review.code, review.stderr).toBe(0);
  expect(JSON.parse(review.stdout)).toMatchObject({ status: 'accepted', case: { status: 'actioned', level: 2 } });

  const audit = await guardian(['audit', id, '--json'], env);
  expect(audit.code, audit.stderr).toBe(0);
  const events = JSON.parse(audit.stdout) as Array<{ type: string; actor: string; payload: Record<string, unknown> }>;
  expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['case.created', 'review.requested', 'decision.made', 'action.executed', 'rollback.requested', 'action.reversed']));
  const decisions = events.filter((e) => e.type === 'decision.made');
  expect(decisions.map((e) => [e.actor, e.payload.decision, e.payload.level])).toEqual([
    ['solo', 'remove', 1],
    ['solo', 'warn', 2],
  ]);
  expect(decisions[0]!.payload).not.toHaveProperty('fourEyesWaived');
  expect(decisions[1]!.payload.fourEyesWaived).toEqual(expect.stringMatching(/standalone/));
  expect(events.find((e) => e.type === 'rollback.requested')!.actor).toBe('solo');
  // The refused commands are on the record too (the stale decision); the one naming someone else never
  // reached the database.
  expect(events.filter((e) => e.type === 'command.rejected').map((e) => e.payload.code)).toEqual(['conflict']);

  const verify = await guardian(['audit', 'verify'], env);
  expect(verify.code, verify.stderr).toBe(0);
  expect(verify.stdout).toMatch(/^audit intact: \d+ streams?, \d+ events?/);

  const usage = await guardian(['decide', id, '--decision', 'obliterate', '--reason', 'x'], env);
  expect(usage.code).toBe(2);
}, 360_000); // ~15 CLI processes, each a whole Node start: 50–75 s here, over 180 s on a machine loaded ~15 deep

it('refuses a second process on the same data dir with a clear message', async () => {
  const env = cleanEnv({ GUARDIAN_DATA_DIR: dataDir });
  const { startEmbeddedPostgres } = await import('../../src/core/store/embedded.js');
  const { silentLogger } = await import('../../src/core/log.js');
  const held = await startEmbeddedPostgres(dataDir, silentLogger);
  try {
    const r = await guardian(['cases', 'list', '--json'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/in use by another Guardian process/);
    expect(r.stdout).toBe('');
  } finally {
    await held.stop();
  }
}, 60_000);

it('ingests a JSONL file with progress, reports invalid lines by number, and adds moderators', async () => {
  const env = cleanEnv({ GUARDIAN_DATA_DIR: dataDir, GUARDIAN_USER: 'solo' });
  const file = path.join(dataDir, 'batch.jsonl');
  const line = (id: string, text: string) => JSON.stringify({ schemaVersion: 1, contentId: id, authorId: 'a-1', text, submittedAt: new Date().toISOString() });
  fs.writeFileSync(file, [line('file-1', 'Nice photo!'), '{"schemaVersion": 1, "contentId": "broken"', line('file-2', 'I will kill you')].join('\n'));
  const r = await guardian(['ingest', file], env);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/published 2 message/);
  expect(r.stderr).toMatch(/line 2: malformed JSON/);

  const list = JSON.parse((await guardian(['cases', 'list', '--json', '--limit', '1000'], env)).stdout) as Array<{ contentId: string; status: string }>;
  expect(list.find((c) => c.contentId === 'file-1')?.status).toBe('auto_resolved');
  expect(list.find((c) => c.contentId === 'file-2')?.status).toBe('awaiting_review');

  const add = await guardian(['moderators', 'add', 'new-sup', '--role', 'supervisor', '--name', 'New Supervisor', '--json'], env);
  expect(add.code, add.stderr).toBe(0);
  // --json is { id, role, login, oneTimePassword } (issue 10): the one-time password is shown once.
  const added = JSON.parse(add.stdout);
  expect(added).toEqual({ id: 'new-sup', role: 'supervisor', login: expect.stringMatching(/new-sup$/), oneTimePassword: expect.stringMatching(/^\S{16,}$/) });
  // Audited with the real actor: the local person.
  const people = JSON.parse((await guardian(['audit', '--type', 'person.added', '--json'], env)).stdout) as Array<{ actor: string; payload: Record<string, unknown> }>;
  expect(people.find((e) => e.payload.id === 'new-sup')).toMatchObject({ actor: 'solo', payload: { role: 'supervisor' } });
  const bad = await guardian(['moderators', 'add', 'x', '--role', 'overlord'], env);
  expect(bad.code).toBe(2);
}, 120_000);
