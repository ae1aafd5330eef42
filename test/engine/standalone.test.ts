import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { cleanEnv, guardian } from '../support/cli.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guardian-standalone-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

it('works end to end with no PostgreSQL or RabbitMQ configured (must show 8)', async () => {
  const env = cleanEnv({ GUARDIAN_DATA_DIR: dataDir, GUARDIAN_USER: 'solo' });

  const demo = await guardian(['demo'], env);
  expect(demo.code, demo.stderr).toBe(0);
  expect(demo.stderr).toMatch(/published \d+ demo message/);

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
  const decide = await guardian(['decide', String(target.id), '--decision', 'remove', '--reason', 'threat of violence', '--as', 'demo-moderator', '--expected-version', String(target.version), '--json'], env);
  expect(decide.code, decide.stderr).toBe(0);
  expect(JSON.parse(decide.stdout)).toMatchObject({ status: 'accepted', case: { status: 'actioned' } });

  const stale = await guardian(['decide', String(target.id), '--decision', 'warn', '--reason', 'late decision', '--as', 'demo-moderator-2', '--expected-version', String(target.version)], env);
  expect(stale.code).toBe(3);
  expect(stale.stderr).toMatch(/decided by demo-moderator \(remove\)/);

  const modRollback = await guardian(['rollback', String(target.id), '--reason', 'changed my mind', '--as', 'demo-moderator'], env);
  expect(modRollback.code).toBe(4);

  const rollback = await guardian(['rollback', String(target.id), '--reason', 'it was a quote', '--as', 'demo-supervisor'], env);
  expect(rollback.code, rollback.stderr).toBe(0);

  const show = await guardian(['cases', 'show', String(target.id), '--json'], env);
  const detail = JSON.parse(show.stdout);
  expect(detail).toMatchObject({ status: 'awaiting_review', level: 2, reviewKind: 'rollback' });
  expect(detail.actions.map((a: { kind: string; status: string }) => `${a.kind}:${a.status}`)).toEqual(['remove_content:done', 'restore_content:done']);

  const audit = await guardian(['audit', String(target.id), '--json'], env);
  const events = JSON.parse(audit.stdout) as Array<{ type: string; actor: string }>;
  expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['case.created', 'review.requested', 'decision.made', 'action.executed', 'rollback.requested', 'action.reversed']));
  expect(events.find((e) => e.type === 'decision.made')!.actor).toBe('demo-moderator');

  const usage = await guardian(['decide', String(target.id), '--decision', 'obliterate', '--reason', 'x', '--as', 'solo'], env);
  expect(usage.code).toBe(2);
}, 180_000);

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
  expect(JSON.parse(add.stdout)).toMatchObject({ id: 'new-sup', role: 'supervisor', displayName: 'New Supervisor' });
  const bad = await guardian(['moderators', 'add', 'x', '--role', 'overlord'], env);
  expect(bad.code).toBe(2);
}, 120_000);
