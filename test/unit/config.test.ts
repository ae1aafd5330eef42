import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/core/config.js';
import { cleanEnv, guardian } from '../support/cli.js';

const fail = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (e) {
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
};

describe('configuration', () => {
  it('reads SLA targets per urgency and severity (GUARDIAN_SLA_TARGETS), none by default', () => {
    expect(loadConfig({}).slaTargets).toEqual({});
    expect(loadConfig({ GUARDIAN_SLA_TARGETS: ' urgent=15, critical = 30,high=480 ,,' }).slaTargets).toEqual({ urgent: 15, critical: 30, high: 480 });
  });

  it('is standalone with nothing set and connected with both servers set', () => {
    expect(loadConfig({}).mode).toBe('standalone');
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db', AMQP_URL: 'amqp://h' }).mode).toBe('connected');
  });

  it.each([
    [{ DATABASE_URL: 'postgres://u@h/db' }, 'AMQP_URL'],
    [{ AMQP_URL: 'amqp://h' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'mysql://h/db', AMQP_URL: 'amqp://h' }, 'DATABASE_URL'],
    [{ GUARDIAN_WORKER: 'maybe' }, 'GUARDIAN_WORKER'],
    [{ PLATFORM_URL: 'http://platform.local' }, 'PLATFORM_WEBHOOK_SECRET'],
    [{ PLATFORM_URL: 'http://platform.local', PLATFORM_WEBHOOK_SECRET: 'short' }, 'PLATFORM_WEBHOOK_SECRET'],
    [{ LANGSMITH_TRACING: 'true' }, 'LANGSMITH_API_KEY'],
    [{ GUARDIAN_PREFETCH: 'lots' }, 'GUARDIAN_PREFETCH'],
    [{ GUARDIAN_BREAK_AFTER: 'often' }, 'GUARDIAN_BREAK_AFTER'],
    [{ GUARDIAN_BREAK_AFTER: '-1' }, 'GUARDIAN_BREAK_AFTER'],
    [{ GUARDIAN_BREAK_AFTER: '2.5' }, 'GUARDIAN_BREAK_AFTER'],
    [{ GUARDIAN_BREAK_AFTER: '1001' }, 'GUARDIAN_BREAK_AFTER'],
    [{ GUARDIAN_UNDO_SECONDS: '31' }, 'GUARDIAN_UNDO_SECONDS'],
    [{ GUARDIAN_UNDO_SECONDS: '-1' }, 'GUARDIAN_UNDO_SECONDS'],
    [{ GUARDIAN_UNDO_SECONDS: 'soon' }, 'GUARDIAN_UNDO_SECONDS'],
    [{ GUARDIAN_ROLE_PREFIX: 'Guardian' }, 'GUARDIAN_ROLE_PREFIX'],
    [{ GUARDIAN_ROLE_PREFIX: '1guardian' }, 'GUARDIAN_ROLE_PREFIX'],
    [{ GUARDIAN_ROLE_PREFIX: 'guard-ian' }, 'GUARDIAN_ROLE_PREFIX'],
    [{ GUARDIAN_ROLE_PREFIX: 'g"; DROP ROLE x; --' }, 'GUARDIAN_ROLE_PREFIX'],
    [{ GUARDIAN_ROLE_PREFIX: `g${'x'.repeat(31)}` }, 'GUARDIAN_ROLE_PREFIX'],
    [{ GUARDIAN_SLA_TARGETS: 'critical' }, 'GUARDIAN_SLA_TARGETS'],
    [{ GUARDIAN_SLA_TARGETS: 'severe=10' }, 'GUARDIAN_SLA_TARGETS'],
    [{ GUARDIAN_SLA_TARGETS: 'high=0' }, 'GUARDIAN_SLA_TARGETS'],
    [{ GUARDIAN_SLA_TARGETS: 'high=1.5' }, 'GUARDIAN_SLA_TARGETS'],
    [{ GUARDIAN_SLA_TARGETS: 'high=10,high=20' }, 'GUARDIAN_SLA_TARGETS'],
  ])('names the variable that is wrong: %o', (env, variable) => {
    const e = fail(env as Record<string, string>);
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.variable).toBe(variable);
    expect(e.message).toContain(variable);
  });

  it('holds a decision 5 s for Undo by default; GUARDIAN_UNDO_SECONDS=0 turns the window off; the settings view lists it', () => {
    expect(loadConfig({}).undoSeconds).toBe(5);
    expect(loadConfig({ GUARDIAN_UNDO_SECONDS: '0' }).undoSeconds).toBe(0);
    const c = loadConfig({ GUARDIAN_UNDO_SECONDS: '12' });
    expect(c.undoSeconds).toBe(12);
    expect(c.managed.settings.find((s) => s.key === 'undoSeconds')).toEqual({ key: 'undoSeconds', value: 12, source: 'user', locked: false });
    expect(loadConfig({}).managed.settings.find((s) => s.key === 'undoSeconds')).toMatchObject({ value: 5, source: 'built-in' });
  });

  it('runs no worker role unless GUARDIAN_WORKER=on (a desktop holds no platform power by default)', () => {
    const connected = { DATABASE_URL: 'postgres://u@h/db', AMQP_URL: 'amqp://h' };
    expect(loadConfig({}).worker).toBe(false);
    expect(loadConfig(connected).worker).toBe(false);
    expect(loadConfig({ ...connected, GUARDIAN_WORKER: '' }).worker).toBe(false);
    expect(loadConfig({ ...connected, GUARDIAN_WORKER: 'off' }).worker).toBe(false);
    expect(loadConfig({ ...connected, GUARDIAN_WORKER: 'on' }).worker).toBe(true);
    expect(loadConfig({ ...connected, GUARDIAN_WORKER: ' ON ' }).worker).toBe(true);
  });

  it('suggests a break after GUARDIAN_BREAK_AFTER sensitive cases, 25 by default, 0 for never', () => {
    expect(loadConfig({}).wellbeing.breakAfter).toBe(25);
    expect(loadConfig({ GUARDIAN_BREAK_AFTER: '' }).wellbeing.breakAfter).toBe(25);
    expect(loadConfig({ GUARDIAN_BREAK_AFTER: '3' }).wellbeing.breakAfter).toBe(3);
    expect(loadConfig({ GUARDIAN_BREAK_AFTER: '0' }).wellbeing.breakAfter).toBe(0);
  });

  it('takes the installation role prefix from GUARDIAN_ROLE_PREFIX, "guardian" by default', () => {
    expect(loadConfig({}).rolePrefix).toBe('guardian');
    expect(loadConfig({ GUARDIAN_ROLE_PREFIX: '' }).rolePrefix).toBe('guardian');
    expect(loadConfig({ GUARDIAN_ROLE_PREFIX: 'acme_prod2' }).rolePrefix).toBe('acme_prod2');
    expect(loadConfig({ GUARDIAN_ROLE_PREFIX: `g${'x'.repeat(30)}` }).rolePrefix).toHaveLength(31);
    expect(fail({ GUARDIAN_ROLE_PREFIX: 'Acme' }).message).toMatch(/GUARDIAN_ROLE_PREFIX must be lower-case letters, digits and _/);
  });

  it('makes the CLI exit 2 naming the variable', async () => {
    const r = await guardian(['cases', 'list', '--json'], cleanEnv({ DATABASE_URL: 'postgres://127.0.0.1/x' }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/AMQP_URL/);
    expect(r.stdout).toBe('');
    const prefix = await guardian(['whoami'], cleanEnv({ GUARDIAN_ROLE_PREFIX: 'No-Good' }));
    expect(prefix.code).toBe(2);
    expect(prefix.stderr).toMatch(/GUARDIAN_ROLE_PREFIX/);
    expect(prefix.stdout).toBe('');
  });
});
