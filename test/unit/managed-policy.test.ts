// Managed settings (issue 13, must show 4): the machine-wide policy file's place on each OS, its precedence
// over the person's own settings, the view the settings screen shows, and every malformed file stopping the
// start with a message naming the file and the field. Real files in a temp dir; loadConfig as the app calls it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CallbackManager } from '@langchain/core/callbacks/manager';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/core/config.js';
import {
  applyManagedPolicy,
  LANGCHAIN_TRACING_VARIABLES,
  loadManagedPolicy,
  MANAGED_KEYS,
  ManagedPolicyError,
  policyFilePath,
  POLICY_FILE_ENV,
  type ManagedKey,
  type ManagedView,
} from '../../src/core/managed/policy.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-policy-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const write = (content: unknown) => {
  const file = path.join(dir, `policy-${++n}.json`);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
};
const withPolicy = (content: unknown, env: Record<string, string> = {}) => loadConfig({ ...env, [POLICY_FILE_ENV]: write(content) });
const setting = (view: ManagedView, key: ManagedKey) => view.settings.find((s) => s.key === key)!;
/** Whether LangChain would attach its LangSmith tracer to a call made now (it decides from process.env). */
const isTracingEnabled = () => !!CallbackManager.configure()?.handlers.some((h) => h.name === 'langchain_tracer');
const connected = { DATABASE_URL: 'postgres://alice@db.old/guardian', AMQP_URL: 'amqp://ws:ws@mq.old/guardian' };

describe('policy file location', () => {
  it.each([
    ['linux', {}, '/etc/guardian-workstation/policy.json'],
    ['freebsd', {}, '/etc/guardian-workstation/policy.json'],
    ['darwin', {}, '/Library/Application Support/Guardian Workstation/policy.json'],
    ['win32', { ProgramData: 'D:\\ProgramData' }, 'D:\\ProgramData\\Guardian Workstation\\policy.json'],
    ['win32', { PROGRAMDATA: 'E:\\PD' }, 'E:\\PD\\Guardian Workstation\\policy.json'],
    ['win32', {}, 'C:\\ProgramData\\Guardian Workstation\\policy.json'],
    ['linux', { [POLICY_FILE_ENV]: '/opt/acme/guardian.json' }, '/opt/acme/guardian.json'],
    ['win32', { [POLICY_FILE_ENV]: 'C:\\acme\\policy.json', ProgramData: 'D:\\x' }, 'C:\\acme\\policy.json'],
    ['linux', { [POLICY_FILE_ENV]: '  ' }, '/etc/guardian-workstation/policy.json'],
  ] as const)('on %s with %o is %s', (platform, env, expected) => {
    expect(policyFilePath(platform, env)).toBe(expected);
  });

  it('is optional: no file, no policy, everything is the person’s or built in', () => {
    expect(loadManagedPolicy(path.join(dir, 'absent.json'))).toBeNull();
    const c = loadConfig({ [POLICY_FILE_ENV]: path.join(dir, 'absent.json'), GUARDIAN_SLA_MINUTES: '45' });
    expect(c.managed.file).toBeNull();
    expect(c.managed.settings.map((s) => s.key)).toEqual(MANAGED_KEYS);
    expect(setting(c.managed, 'slaMinutes')).toEqual({ key: 'slaMinutes', value: 45, source: 'user', locked: false });
    expect(setting(c.managed, 'updateChannel')).toEqual({ key: 'updateChannel', value: 'stable', source: 'built-in', locked: false });
    expect(c.managed.settings.every((s) => !s.locked)).toBe(true);
  });
});

describe('precedence: enforced > the person’s own > defaults > built-in', () => {
  it('enforced values win over the environment, and the view marks them locked', () => {
    const policy = {
      enforced: { updateChannel: 'stable', worker: false, tracing: false, slaMinutes: 30, updateUrl: 'https://updates.example/guardian' },
    };
    const c = withPolicy(policy, {
      ...connected,
      GUARDIAN_UPDATE_CHANNEL: 'beta',
      GUARDIAN_WORKER: 'on',
      LANGSMITH_TRACING: 'true',
      LANGSMITH_API_KEY: 'lsv2-key-1234',
      GUARDIAN_SLA_MINUTES: '240',
      GUARDIAN_UPDATE_URL: 'https://elsewhere.example/feed',
    });
    expect(c.update).toEqual({ channel: 'stable', feedUrl: 'https://updates.example/guardian' });
    expect(c.worker).toBe(false);
    expect(c.langsmith.tracing).toBe(false);
    expect(c.slaMinutes).toBe(30);
    for (const key of ['updateChannel', 'worker', 'tracing', 'slaMinutes', 'updateUrl'] as const) {
      expect(setting(c.managed, key)).toMatchObject({ source: 'enforced', locked: true, value: policy.enforced[key] });
    }
    expect(c.managed.file).toMatch(/policy-\d+\.json$/);
    // What the policy does not name stays the person's.
    expect(setting(c.managed, 'databaseUrl')).toMatchObject({ source: 'user', locked: false });
  });

  it('a default loses to the person’s own value and fills in where they set none', () => {
    const file = write({ defaults: { updateChannel: 'beta', slaMinutes: 30, claimMinutes: 20, worker: true } });
    const own = loadConfig({ ...connected, [POLICY_FILE_ENV]: file, GUARDIAN_UPDATE_CHANNEL: 'stable', GUARDIAN_SLA_MINUTES: '90', GUARDIAN_WORKER: 'off' });
    expect([own.update.channel, own.slaMinutes, own.worker]).toEqual(['stable', 90, false]);
    expect(setting(own.managed, 'updateChannel')).toEqual({ key: 'updateChannel', value: 'stable', source: 'user', locked: false });
    expect(setting(own.managed, 'worker')).toEqual({ key: 'worker', value: false, source: 'user', locked: false });
    const none = loadConfig({ ...connected, [POLICY_FILE_ENV]: file });
    expect([none.update.channel, none.slaMinutes, none.claimMinutes, none.worker]).toEqual(['beta', 30, 20, true]);
    expect(setting(none.managed, 'claimMinutes')).toEqual({ key: 'claimMinutes', value: 20, source: 'default', locked: false });
    // Neither: built-in.
    expect(setting(none.managed, 'rolePrefix')).toEqual({ key: 'rolePrefix', value: 'guardian', source: 'built-in', locked: false });
  });

  it('enforced beats a default for the same key', () => {
    const c = withPolicy({ defaults: { updateChannel: 'beta' }, enforced: { updateChannel: 'stable' } });
    expect(c.update.channel).toBe('stable');
    expect(setting(c.managed, 'updateChannel').source).toBe('enforced');
  });

  it('an enforced server keeps the login of whoever runs the process, and the view shows no password', () => {
    const c = withPolicy(
      { enforced: { databaseUrl: 'postgres://db.example:5433/guardian?sslmode=verify-full', amqpUrl: 'amqps://ws:ws-pass@mq.example/guardian' } },
      { DATABASE_URL: 'postgres://guardian.alice:s3cret@db.old/guardian', AMQP_URL: 'amqp://x:y@mq.old/' },
    );
    expect(c.mode).toBe('connected');
    expect(c.databaseUrl).toBe('postgres://guardian.alice:s3cret@db.example:5433/guardian?sslmode=verify-full');
    // The enforced broker URL names its own user: used as it is.
    expect(c.amqpUrl).toBe('amqps://ws:ws-pass@mq.example/guardian');
    expect(setting(c.managed, 'databaseUrl')).toMatchObject({ value: 'postgres://db.example:5433/guardian?sslmode=verify-full', locked: true });
    const own = loadConfig({ [POLICY_FILE_ENV]: path.join(dir, 'absent.json'), DATABASE_URL: 'postgres://w:pw@db/x', AMQP_URL: 'amqp://h' });
    expect(JSON.stringify(own.managed)).not.toContain('pw@');
  });

  it('enforced tracing off also switches off LangChain’s own env-driven tracer in this process', () => {
    const saved = Object.fromEntries(LANGCHAIN_TRACING_VARIABLES.map((v) => [v, process.env[v]]));
    try {
      for (const v of LANGCHAIN_TRACING_VARIABLES) process.env[v] = 'true';
      expect(isTracingEnabled()).toBe(true);
      // Only the policy's enforced "off" touches the process; a default does not.
      withPolicy({ defaults: { tracing: false } }, { LANGSMITH_TRACING: 'true', LANGSMITH_API_KEY: 'lsv2-key-1234' });
      expect(isTracingEnabled()).toBe(true);
      const c = withPolicy({ enforced: { tracing: false } }, { LANGSMITH_TRACING: 'true', LANGCHAIN_TRACING: 'false' });
      expect(c.langsmith.tracing).toBe(false);
      expect(isTracingEnabled()).toBe(false);
      for (const v of LANGCHAIN_TRACING_VARIABLES) expect(process.env[v]).toBeUndefined();
    } finally {
      for (const [v, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[v];
        else process.env[v] = value;
      }
    }
  });

  it('applyManagedPolicy does not change the environment it was given', () => {
    const env = { GUARDIAN_UPDATE_CHANNEL: 'beta' };
    const policy = loadManagedPolicy(write({ enforced: { updateChannel: 'stable' } }));
    const out = applyManagedPolicy(env, policy);
    expect(out.env.GUARDIAN_UPDATE_CHANNEL).toBe('stable');
    expect(env.GUARDIAN_UPDATE_CHANNEL).toBe('beta');
  });
});

describe('a malformed policy file stops the start, naming the file and the field', () => {
  it.each([
    ['not JSON', '{"enforced": {"updateChannel": "stable",}}', '(file)', /is not valid JSON/],
    ['an array', '[]', '(root)', /expected an object/],
    ['a section that is not an object', { enforced: 'stable' }, 'enforced', /expected an object of managed settings/],
    ['an unknown section', { enforce: { updateChannel: 'stable' } }, 'enforce', /is not a managed setting \(known: "defaults" and "enforced"\)/],
    ['an unknown key', { enforced: { updateChanel: 'stable' } }, 'enforced.updateChanel', /is not a managed setting \(known: databaseUrl, /],
    ['a wrong channel', { enforced: { updateChannel: 'nightly' } }, 'enforced.updateChannel', /^expected "stable" \| "beta"$/],
    ['a string for a boolean', { enforced: { worker: 'off' } }, 'enforced.worker', /^expected true or false$/],
    ['a string for tracing', { defaults: { tracing: 'false' } }, 'defaults.tracing', /^expected true or false$/],
    ['a fraction of minutes', { defaults: { slaMinutes: 1.5 } }, 'defaults.slaMinutes', /whole number of minutes/],
    ['zero minutes', { enforced: { claimMinutes: 0 } }, 'enforced.claimMinutes', /at least 1 minute/],
    ['minutes as a string', { enforced: { slaMinutes: '60' } }, 'enforced.slaMinutes', /whole number of minutes/],
    ['an http update feed', { enforced: { updateUrl: 'http://updates.example/guardian' } }, 'enforced.updateUrl', /https:\/\//],
    ['a non-URL update feed', { enforced: { updateUrl: 'updates.example' } }, 'enforced.updateUrl', /https:\/\//],
    ['a MySQL server', { enforced: { databaseUrl: 'mysql://db/x' } }, 'enforced.databaseUrl', /postgres:\/\//],
    ['an http broker', { defaults: { amqpUrl: 'http://mq/x' } }, 'defaults.amqpUrl', /amqp:\/\//],
    ['a bad role prefix', { enforced: { rolePrefix: 'Acme' } }, 'enforced.rolePrefix', /lower-case letters/],
    ['a password in the server address', { enforced: { databaseUrl: 'postgres://worker:hunter2@db/x' } }, 'enforced.databaseUrl', /must not contain a password: a machine-wide policy file is readable by every local user/],
    ['a password in a default server address', { defaults: { databaseUrl: 'postgres://u:p@db/x' } }, 'defaults.databaseUrl', /must not contain a password/],
  ])('%s', (_what, content, field, problem) => {
    const file = write(content);
    let error: unknown;
    try {
      loadConfig({ [POLICY_FILE_ENV]: file });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ManagedPolicyError);
    expect(error).toBeInstanceOf(ConfigError); // the CLI's exit 2, the app's start error
    const e = error as ManagedPolicyError;
    expect(e.file).toBe(file);
    expect(e.field).toBe(field);
    expect(e.message).toMatch(new RegExp(`^Invalid managed policy ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ${field.replace(/[.()]/g, '\\$&')}: `));
    expect(e.message.slice(e.message.indexOf(`${field}: `) + field.length + 2)).toMatch(problem);
  });

  it('says the field like the issue asks: enforced.updateChannel: expected "stable" | "beta"', () => {
    const file = write({ enforced: { updateChannel: 'nightly' } });
    expect(() => loadManagedPolicy(file)).toThrow(`Invalid managed policy ${file}: enforced.updateChannel: expected "stable" | "beta"`);
  });

  it('does not start on a policy path it cannot read (a directory)', () => {
    expect(() => loadManagedPolicy(dir)).toThrow(/: \(file\): cannot be read \(EISDIR\)/);
  });

  it('an empty policy is valid and decides nothing', () => {
    const c = withPolicy({}, { GUARDIAN_WORKER: 'on', ...connected });
    expect(c.worker).toBe(true);
    expect(c.managed.file).not.toBeNull();
    expect(c.managed.settings.filter((s) => s.source === 'enforced' || s.source === 'default')).toEqual([]);
  });
});

describe('config.update', () => {
  const none = { [POLICY_FILE_ENV]: path.join(dir, 'absent.json') };
  it('is stable with no feed by default', () => {
    expect(loadConfig(none).update).toEqual({ channel: 'stable', feedUrl: null });
  });
  it('takes GUARDIAN_UPDATE_CHANNEL and GUARDIAN_UPDATE_URL (https, or http to a loopback address)', () => {
    expect(loadConfig({ ...none, GUARDIAN_UPDATE_CHANNEL: ' Beta ', GUARDIAN_UPDATE_URL: 'https://updates.example/g' }).update).toEqual({
      channel: 'beta',
      feedUrl: 'https://updates.example/g',
    });
    expect(loadConfig({ ...none, GUARDIAN_UPDATE_URL: 'http://127.0.0.1:8080/feed' }).update.feedUrl).toBe('http://127.0.0.1:8080/feed');
  });
  it.each([
    [{ GUARDIAN_UPDATE_CHANNEL: 'nightly' }, 'GUARDIAN_UPDATE_CHANNEL', /must be "stable" or "beta"/],
    [{ GUARDIAN_UPDATE_URL: 'http://updates.example/feed' }, 'GUARDIAN_UPDATE_URL', /must use https:\/\//],
    [{ GUARDIAN_UPDATE_URL: 'http://localhost:8080/feed' }, 'GUARDIAN_UPDATE_URL', /must use https:\/\//],
    [{ GUARDIAN_UPDATE_URL: 'ftp://updates.example/feed' }, 'GUARDIAN_UPDATE_URL', /https:\/\//],
  ])('refuses %o naming %s', (env, variable, problem) => {
    let error: ConfigError | undefined;
    try {
      loadConfig({ ...none, ...env });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.variable).toBe(variable);
    expect(error!.message).toMatch(problem);
  });
});
