import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePassword, scramVerifier } from '../../src/core/setup/scram.js';
import { type ScramCluster, scramClusterAvailable, startScramCluster } from '../support/scram-cluster.js';

const FORMAT = /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/;

async function connect(url: string, password?: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000, ...(password !== undefined ? { password } : {}) });
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  return client;
}

async function canLogIn(url: string): Promise<true> {
  const client = await connect(url);
  try {
    const { rows } = await client.query<{ one: number }>('SELECT 1 AS one');
    expect(rows[0]?.one).toBe(1);
    return true;
  } finally {
    await client.end();
  }
}

describe('scramVerifier / generatePassword (pure)', () => {
  it('has the pg_authid format, random salt, deterministic with a fixed salt', () => {
    const a = scramVerifier('correct horse');
    const b = scramVerifier('correct horse');
    expect(a).toMatch(FORMAT);
    expect(b).toMatch(FORMAT);
    expect(a).not.toBe(b);
    const salt = Buffer.alloc(16, 7);
    expect(scramVerifier('correct horse', { salt })).toBe(scramVerifier('correct horse', { salt }));
    expect(scramVerifier('correct horse', { salt })).not.toBe(scramVerifier('correct horsf', { salt }));
    expect(scramVerifier('x', { salt, iterations: 10 })).toMatch(/^SCRAM-SHA-256\$10:/);
  });

  it('generatePassword gives 24 base64url characters, different each call', () => {
    const a = generatePassword();
    const b = generatePassword();
    expect(a).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(b).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(a).not.toBe(b);
  });
});

const avail = scramClusterAvailable();

describe.skipIf(!avail.ok)(`against a private scram-sha-256 cluster${avail.ok ? '' : ` — skipped: ${avail.reason}`}`, () => {
  let cluster: ScramCluster;

  beforeAll(async () => {
    const t0 = Date.now();
    cluster = await startScramCluster();
    console.log(`scram cluster on port ${cluster.port} started in ${Date.now() - t0} ms`);
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it('accepts the admin password, refuses a wrong or missing one', async () => {
    await expect(canLogIn(cluster.adminUrl)).resolves.toBe(true);
    await expect(connect(cluster.urlFor('postgres', 'wrong-password'))).rejects.toMatchObject({ code: '28P01' });
    await expect(connect(cluster.urlFor('postgres', undefined))).rejects.toThrow(/password|SASL/i);
  });

  it('a role created with a client-computed verifier stores it verbatim and logs in with the password', async () => {
    const pw = generatePassword();
    const verifier = scramVerifier(pw);
    const admin = await connect(cluster.adminUrl);
    try {
      await admin.query('DROP ROLE IF EXISTS t_login');
      await admin.query(`CREATE ROLE t_login LOGIN PASSWORD '${verifier}'`);
      const { rows } = await admin.query<{ rolpassword: string }>("SELECT rolpassword FROM pg_authid WHERE rolname = 't_login'");
      expect(rows[0]?.rolpassword).toBe(verifier);
    } finally {
      await admin.end();
    }
    await expect(canLogIn(cluster.urlFor('t_login', pw))).resolves.toBe(true);
    await expect(connect(cluster.urlFor('t_login', `${pw}x`))).rejects.toMatchObject({ code: '28P01' });
  });

  it('stop() is safe to call twice', async () => {
    // a second, throwaway cluster, so the shared one stays up for the other tests
    const other = await startScramCluster();
    await other.stop();
    await other.stop();
    await expect(connect(other.adminUrl)).rejects.toThrow();
  }, 120_000);
});
