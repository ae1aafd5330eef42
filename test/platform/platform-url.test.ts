/**
 * Issue 12, must show 2: PLATFORM_URL must be https, except a loopback address (127.0.0.0/8, [::1]) which
 * may stay http with no extra setting; any other http URL stops the start with a message naming the variable.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/core/config.js';
import { createWebhookPlatform } from '../../src/core/platform/webhook.js';
import { cleanEnv, guardian } from '../support/cli.js';

const SECRET = 'test-webhook-secret-0123456789';
const withUrl = (url: string) => loadConfig({ PLATFORM_URL: url, PLATFORM_WEBHOOK_SECRET: SECRET });
const refusal = (url: string) => {
  try {
    withUrl(url);
  } catch (e) {
    return e as ConfigError;
  }
  throw new Error(`expected ${url} to be refused`);
};

describe('PLATFORM_URL transport (issue 12, must show 2)', () => {
  it.each([
    'https://platform.example',
    'https://platform.example:8443/hooks/',
    'https://10.0.0.5',
    'http://127.0.0.1:8080',
    'http://127.1.2.3',
    'http://127.1', // WHATWG: 127.0.0.1
    'http://[::1]:9000/base',
    'http://[0:0:0:0:0:0:0:1]',
  ])('accepts %s', (url) => {
    const c = withUrl(url);
    expect(c.platform.url).toBe(url.replace(/\/+$/, ''));
    const secret = (c.platform as { secret: string }).secret;
    expect(createWebhookPlatform({ url, secret, timeoutMs: 1_000 }).name).toBe('webhook');
  });

  it.each([
    'http://platform.example',
    'http://localhost:8080', // a name, not an address: it could resolve anywhere
    'http://10.0.0.5',
    'http://128.0.0.1',
    'http://[::2]',
    'http://[::ffff:10.0.0.1]',
    'http://127.0.0.1.evil.example',
    'ftp://platform.example',
  ])('refuses %s at start, naming PLATFORM_URL', (url) => {
    const e = refusal(url);
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.variable).toBe('PLATFORM_URL');
    expect(e.message).toMatch(/^Invalid configuration: PLATFORM_URL must/);
    expect(e.message).toContain('https://');
    // The adapter holds the same rule, whoever builds it.
    expect(() => createWebhookPlatform({ url, secret: SECRET, timeoutMs: 1_000 })).toThrow(/https/);
  });

  it('stops the start of the guardian command with exit 2 and the variable named', async () => {
    const r = await guardian(
      ['cases', 'list', '--json'],
      cleanEnv({
        DATABASE_URL: 'postgres://127.0.0.1:1/x',
        AMQP_URL: 'amqp://127.0.0.1:1',
        PLATFORM_URL: 'http://platform.example/hooks',
        PLATFORM_WEBHOOK_SECRET: SECRET,
      }),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/PLATFORM_URL must use https:\/\/.*got http:\/\/platform\.example/);
    expect(r.stdout).toBe('');
  }, 60_000);
});
