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
  ])('names the variable that is wrong: %o', (env, variable) => {
    const e = fail(env as Record<string, string>);
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.variable).toBe(variable);
    expect(e.message).toContain(variable);
  });

  it('makes the CLI exit 2 naming the variable', async () => {
    const r = await guardian(['cases', 'list', '--json'], cleanEnv({ DATABASE_URL: 'postgres://127.0.0.1/x' }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/AMQP_URL/);
    expect(r.stdout).toBe('');
  });
});
