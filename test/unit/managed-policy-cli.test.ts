// Managed settings through the real `guardian` CLI (issue 13, must show 4): a malformed machine policy stops
// the start with exit 2 naming the file and the field; an enforced server and role prefix win over the
// person's environment against a real installation on the shared PostgreSQL and a RabbitMQ vhost of its own.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY_FILE_ENV } from '../../src/core/managed/policy.js';
import { declareBrokerTopology } from '../../src/core/setup/broker-setup.js';
import { cleanEnv, guardian } from '../support/cli.js';
import { createTestInstallation, type TestInstallation, type TestPerson } from '../support/installation.js';
import { createTestVhost, type TestVhost } from '../support/isolation.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-policy-cli-'));
const policyFile = (name: string, content: unknown) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
};
let inst: TestInstallation;
let vhost: TestVhost;
let alice: TestPerson;
let runs = 0;

beforeAll(async () => {
  [inst, vhost] = await Promise.all([createTestInstallation(), createTestVhost('gwpolicy')]);
  alice = await inst.person('alice', 'moderator', 'Alice Moderator');
  await declareBrokerTopology(vhost.url); // as `guardian setup` would
});
afterAll(async () => {
  await Promise.all([inst?.drop(), vhost?.drop()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('guardian with a machine policy file', () => {
  it.each([
    ['health', { enforced: { updateChannel: 'nightly' } }, 'enforced.updateChannel: expected "stable" | "beta"'],
    ['whoami', { enforced: { worker: 'on' } }, 'enforced.worker: expected true or false'],
    ['health', { defaults: { slaMinute: 30 } }, 'defaults.slaMinute: is not a managed setting'],
    ['whoami', '{ "enforced": ', '(file): is not valid JSON'],
    ['health', { enforced: { databaseUrl: 'postgres://worker:hunter2@db.example/guardian' } }, 'enforced.databaseUrl: must not contain a password'],
  ])('`guardian %s` stops with exit 2 naming the file and the field (%o)', async (command, content, says) => {
    const file = policyFile(`bad-${command}-${says.slice(0, 12).replace(/\W/g, '_')}.json`, content);
    const r = await guardian([command, '--json'], cleanEnv({ [POLICY_FILE_ENV]: file, GUARDIAN_DATA_DIR: path.join(dir, 'data') }));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`Invalid managed policy ${file}: ${says}`);
    expect(r.stdout).toBe('');
  });

  it('an enforced server and role prefix win over the person’s own, and the person’s login stays theirs', async () => {
    const server = new URL(alice.url);
    const login = decodeURIComponent(server.username);
    const prefix = login.slice(0, login.indexOf('.'));
    server.username = '';
    server.password = '';
    // The person's own environment points at a database that does not exist, with the default role prefix.
    const own = new URL(alice.url);
    own.pathname = '/no_such_database_here';
    const env = { DATABASE_URL: own.toString(), AMQP_URL: vhost.url, GUARDIAN_ROLE_PREFIX: 'guardian', GUARDIAN_DATA_DIR: path.join(dir, 'data') };
    const run = (args: string[], extra: Record<string, string>, policy?: unknown) =>
      guardian(args, cleanEnv({ ...env, ...extra, ...(policy ? { [POLICY_FILE_ENV]: policyFile(`p${++runs}.json`, policy) } : {}) }));

    // The control: their own settings alone do not reach the installation.
    expect((await run(['whoami', '--json'], {})).code).not.toBe(0);
    // The enforced server, with the login from the person's own DATABASE_URL.
    const inUrl = await run(['whoami', '--json'], {}, { enforced: { databaseUrl: server.toString() } });
    expect(inUrl.code, inUrl.stderr).toBe(0);
    expect(JSON.parse(inUrl.stdout)).toMatchObject({ id: 'alice', role: 'moderator', login: alice.login, mode: 'connected' });

    // GUARDIAN_USER=alice with no login in the URL: the login is <prefix>.alice, so the enforced prefix decides it.
    const noLogin = { DATABASE_URL: `postgres://${own.host}/no_such_database_here`, GUARDIAN_USER: 'alice' };
    const serverOnly = await run(['whoami', '--json'], noLogin, { enforced: { databaseUrl: server.toString() } });
    expect(serverOnly.code).not.toBe(0); // guardian.alice is nobody here
    const managed = await run(['whoami', '--json'], noLogin, { enforced: { databaseUrl: server.toString(), rolePrefix: prefix }, defaults: { slaMinutes: 30 } });
    expect(managed.code, managed.stderr).toBe(0);
    expect(JSON.parse(managed.stdout)).toMatchObject({ id: 'alice', login: alice.login });
  });
});
