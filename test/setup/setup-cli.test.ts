// `guardian setup` as an operator runs it (DESIGN §10, §13): once by a DBA and the broker's admin, again
// after an upgrade; clients never migrate or declare, they say what to run; people get one-time passwords.
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import amqplib from 'amqplib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, guardian } from '../support/cli.js';
import { dropRoles, uniquePrefix } from '../support/installation.js';
import { createTestDatabase, createTestVhost, type TestDatabase, type TestVhost } from '../support/isolation.js';

const run = promisify(execFile);
let db: TestDatabase;
let vhost: TestVhost;
const prefix = uniquePrefix();
const brokerUsers: string[] = [];
const withUser = (url: string, login: string, password = '') => {
  const u = new URL(url);
  u.username = encodeURIComponent(login);
  u.password = encodeURIComponent(password);
  return u.toString();
};

beforeAll(async () => {
  db = await createTestDatabase();
  vhost = await createTestVhost();
});
afterAll(async () => {
  for (const u of brokerUsers) await run('rabbitmqctl', ['-q', 'delete_user', u]).catch(() => {});
  await vhost?.drop();
  await db?.drop();
  await dropRoles(prefix);
});

const dba = () => cleanEnv({ DATABASE_URL: db.url, AMQP_URL: vhost.url, GUARDIAN_ROLE_PREFIX: prefix });

describe('guardian setup', () => {
  it('a client on a database nobody set up says what to run, and creates nothing', async () => {
    const r = await guardian(['cases', 'list', '--json'], dba());
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/guardian setup/);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const { rows } = await c.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`);
    await c.end();
    expect(rows[0].n).toBe(0);
  });

  it('sets up roles, schema, functions and topology; prints the first admin and worker one-time passwords once', async () => {
    const r = await guardian(['setup', '--admin', 'ada', '--admin-name', 'Ada Admin', '--worker', `${prefix}_worker1`, '--json'], dba());
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ rolePrefix: prefix, admin: { id: 'ada', login: `${prefix}.ada`, existed: false }, worker: { login: `${prefix}_worker1`, existed: false }, broker: { declared: true } });
    expect(out.admin.oneTimePassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(out.migrations.length).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/setup: functions/);

    // Again (an upgrade with nothing new): nothing is reset, no password is shown.
    const again = await guardian(['setup', '--admin', 'ada', '--worker', `${prefix}_worker1`, '--json'], dba());
    expect(again.code, again.stderr).toBe(0);
    const second = JSON.parse(again.stdout);
    expect(second).toMatchObject({ migrations: [], admin: { existed: true }, worker: { existed: true } });
    expect(second.admin.oneTimePassword).toBeUndefined();

    // The topology exists for everyone else to check passively.
    const conn = await amqplib.connect(vhost.url);
    const ch = await conn.createChannel();
    for (const x of ['moderation.ingest', 'guardian.work', 'guardian.events', 'guardian.dlx']) await ch.checkExchange(x);
    for (const q of ['guardian.ingest', 'guardian.analysis', 'guardian.decisions', 'guardian.rollbacks', 'guardian.dead']) await ch.checkQueue(q);
    await conn.close();
  });

  it('the first admin adds a person with a one-time password; two commands started together both work (no client migrates)', async () => {
    const admin = cleanEnv({ DATABASE_URL: withUser(db.url, `${prefix}.ada`), AMQP_URL: vhost.url, GUARDIAN_ROLE_PREFIX: prefix });
    const add = await guardian(['moderators', 'add', 'mia', '--role', 'moderator', '--name', 'Mia', '--json'], admin);
    expect(add.code, add.stderr).toBe(0);
    const mia = JSON.parse(add.stdout);
    expect(mia).toEqual({ id: 'mia', role: 'moderator', login: `${prefix}.mia`, oneTimePassword: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/) });
    const asMia = cleanEnv({ DATABASE_URL: withUser(db.url, mia.login), AMQP_URL: vhost.url, GUARDIAN_ROLE_PREFIX: prefix });
    const [a, b] = await Promise.all([guardian(['whoami', '--json'], asMia), guardian(['cases', 'list', '--json'], asMia)]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(JSON.parse(a.stdout)).toMatchObject({ id: 'mia', role: 'moderator', login: mia.login });
    // The audit names the real actor of the change.
    const audit = await guardian(['audit', '--type', 'person.added', '--json'], admin);
    const events = JSON.parse(audit.stdout) as Array<{ actor: string; payload: { id: string } }>;
    expect(events.find((e) => e.payload.id === 'mia')?.actor).toBe('ada');
    // With no user in DATABASE_URL, --as picks the person's saved login (<prefix>.<id>).
    const byAs = await guardian(['cases', 'list', '--json'], cleanEnv({ DATABASE_URL: db.url.replace(/\/\/[^@]*@/, '//'), AMQP_URL: vhost.url, GUARDIAN_ROLE_PREFIX: prefix, GUARDIAN_USER: 'mia', PGUSER: 'nobody' }));
    expect(byAs.code, byAs.stderr).toBe(0);
  });

  it('moderators list: an admin sees every person with role, state and last activity; a moderator is refused (exit 4)', async () => {
    const admin = cleanEnv({ DATABASE_URL: withUser(db.url, `${prefix}.ada`), AMQP_URL: vhost.url, GUARDIAN_ROLE_PREFIX: prefix });
    const list = await guardian(['moderators', 'list', '--json'], admin);
    expect(list.code, list.stderr).toBe(0);
    const people = JSON.parse(list.stdout) as Array<{ id: string; role: string; active: boolean; lastActivity: { type: string } | null }>;
    expect(people.map((p) => p.id)).toEqual(['ada', 'mia']);
    expect(people[0]).toMatchObject({ role: 'admin', active: true, lastActivity: { type: 'person.added' } });
    expect(people[1]).toMatchObject({ role: 'moderator', active: true });
    const text = await guardian(['moderators', 'list'], admin);
    expect(text.stdout).toMatch(/^mia\s.*moderator.*enabled/m);
    const asMia = cleanEnv({ DATABASE_URL: withUser(db.url, `${prefix}.mia`), AMQP_URL: vhost.url, GUARDIAN_ROLE_PREFIX: prefix });
    const refused = await guardian(['moderators', 'list', '--json'], asMia);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('Listing people needs an admin.');
  });

  it('--broker-permissions prints least-privilege users that RabbitMQ accepts, and the workstation user can only do its part', async () => {
    const lines = await guardian(['setup', '--broker-permissions'], dba());
    expect(lines.code, lines.stderr).toBe(0);
    expect(lines.stdout).toMatch(/^rabbitmqctl add_user '.+-workstation' '[A-Za-z0-9_-]{24}'$/m);
    expect(lines.stdout).toMatch(/^rabbitmqctl set_topic_permissions .*'moderation\.ingest'/m);

    const r = await guardian(['setup', '--broker-permissions', '--json'], dba());
    expect(r.code, r.stderr).toBe(0);
    const { users, definitions } = JSON.parse(r.stdout) as { users: Array<{ principal: string; name: string; password: string }>; definitions: unknown };
    // rabbitmqctl reads the file as the broker's own user: a private dir that user owns.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-defs-'));
    const file = path.join(dir, 'defs.json');
    fs.writeFileSync(file, JSON.stringify(definitions), { mode: 0o600 });
    const uid = Number(execFileSync('id', ['-u', 'rabbitmq']).toString());
    const gid = Number(execFileSync('id', ['-g', 'rabbitmq']).toString());
    fs.chownSync(dir, uid, gid);
    fs.chownSync(file, uid, gid);
    try {
      await run('rabbitmqctl', ['-q', 'import_definitions', file]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    brokerUsers.push(...users.map((u) => u.name));
    const ws = users.find((u) => u.principal === 'workstation')!;
    const conn = await amqplib.connect(withUser(vhost.url, ws.name, ws.password));
    conn.on('error', () => {});
    const ch = await conn.createConfirmChannel();
    ch.on('error', () => {});
    await ch.checkExchange('guardian.events');
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(queue, 'guardian.events', '#');
    ch.publish('guardian.work', 'decisions', Buffer.from(JSON.stringify({ commandId: 'hint-only', caseId: '00000000-0000-0000-0000-000000000000' })));
    await ch.waitForConfirms();
    // …and nothing else: an ingest message is refused (the channel is closed with ACCESS_REFUSED).
    const refused = await new Promise<string>((resolve) => {
      ch.once('close', () => resolve('closed'));
      ch.publish('moderation.ingest', 'appeal.submitted', Buffer.from('{}'));
      ch.waitForConfirms().catch(() => {});
    });
    expect(refused).toBe('closed');
    await conn.close().catch(() => {});
  });
});
