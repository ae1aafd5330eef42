import amqp from 'amqplib';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestInstallation } from './installation.js';
import { createTestDatabase, createTestVhost, listVhosts, pgAdminUrl, waitFor } from './isolation.js';

async function databaseExists(name: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: pgAdminUrl() });
  await c.connect();
  try {
    const r = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return r.rowCount === 1;
  } finally {
    await c.end();
  }
}

describe('createTestDatabase', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  it('creates a usable, separate database and drop() removes it even with open connections', async () => {
    const a = await createTestDatabase('gwiso');
    const b = await createTestDatabase('gwiso');
    cleanups.push(a.drop, b.drop);

    expect(a.name).toMatch(/^gwiso_[a-z0-9_]+$/);
    expect(a.name).not.toBe(b.name);
    expect(new URL(a.url).pathname).toBe(`/${a.name}`);
    expect(await databaseExists(a.name)).toBe(true);

    const ca = new pg.Client({ connectionString: a.url });
    await ca.connect();
    ca.on('error', () => undefined); // drop() terminates this session on purpose
    await ca.query('CREATE TABLE t (v int)');
    await ca.query('INSERT INTO t VALUES (42)');
    expect((await ca.query('SELECT current_database() AS db')).rows[0].db).toBe(a.name);

    // isolation: b does not see a's table
    const cb = new pg.Client({ connectionString: b.url });
    await cb.connect();
    const seen = await cb.query("SELECT to_regclass('public.t') AS t");
    expect(seen.rows[0].t).toBeNull();
    await cb.end();

    // ca is still connected: drop must terminate it rather than fail
    await a.drop();
    expect(await databaseExists(a.name)).toBe(false);
    await a.drop(); // idempotent
    await ca.end().catch(() => undefined);

    await b.drop();
    expect(await databaseExists(b.name)).toBe(false);
  });

  it('rejects a prefix that is not a plain identifier', async () => {
    await expect(createTestDatabase('x"; DROP')).rejects.toThrow(/invalid prefix/);
  });
});

async function rolesLike(prefix: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: pgAdminUrl() });
  await c.connect();
  try {
    const r = await c.query<{ rolname: string }>(`SELECT rolname FROM pg_roles WHERE rolname LIKE $1 || '%' ORDER BY 1`, [prefix]);
    return r.rows.map((x) => x.rolname);
  } finally {
    await c.end();
  }
}

describe('createTestInstallation', () => {
  it('gives each installation its own database and role prefix (roles are cluster-wide), and drop() removes both', async () => {
    const a = await createTestInstallation();
    const b = await createTestInstallation();
    try {
      expect(a.roles.prefix).not.toBe(b.roles.prefix);
      expect(a.roles.prefix.startsWith(b.roles.prefix) || b.roles.prefix.startsWith(a.roles.prefix)).toBe(false);
      const alice = await a.person('alice', 'moderator');
      expect(alice.login).toBe(a.roles.personLogin('alice'));
      expect(await rolesLike(a.roles.prefix)).toEqual(expect.arrayContaining([alice.login, a.workerLogin, a.roles.moderator]));
      // A person of one installation is nobody in the other: not even allowed to connect to its database.
      const c = new pg.Client({ connectionString: b.urlFor(alice.login) });
      await expect(c.connect()).rejects.toThrow(/permission denied|not permitted|does not exist/);
      await c.end().catch(() => undefined);
    } finally {
      await a.drop();
      await b.drop();
    }
    expect(await databaseExists(a.db.name)).toBe(false);
    expect(await rolesLike(a.roles.prefix)).toEqual([]);
    expect(await rolesLike(b.roles.prefix)).toEqual([]);
  });
});

describe('createTestVhost', () => {
  it('creates a vhost guest can use, isolated from others, and drop() deletes it', async () => {
    const v = await createTestVhost('gwiso');
    const other = await createTestVhost('gwiso');
    try {
      expect(v.url).toBe(`amqp://guest:guest@127.0.0.1:5672/${encodeURIComponent(v.vhost)}`);
      expect(await listVhosts()).toEqual(expect.arrayContaining([v.vhost, other.vhost]));

      const conn = await amqp.connect(v.url);
      try {
        const ch = await conn.createChannel();
        await ch.assertQueue('iso-q', { durable: false });
        ch.sendToQueue('iso-q', Buffer.from('hello'));
        const msg = await waitFor(() => ch.get('iso-q', { noAck: true }), { message: 'message on iso-q' });
        expect(msg.content.toString()).toBe('hello');
        await ch.close();
      } finally {
        await conn.close();
      }

      // the queue exists only in its own vhost
      const conn2 = await amqp.connect(other.url);
      try {
        const ch2 = await conn2.createChannel();
        ch2.on('error', () => undefined); // checkQueue on a missing queue closes the channel
        await expect(ch2.checkQueue('iso-q')).rejects.toThrow(/NOT_FOUND/);
      } finally {
        await conn2.close().catch(() => undefined);
      }
    } finally {
      await v.drop();
      await other.drop();
    }
    const after = await listVhosts();
    expect(after).not.toContain(v.vhost);
    expect(after).not.toContain(other.vhost);
    await v.drop(); // idempotent
  });
});

describe('waitFor', () => {
  it('resolves with the first truthy value', async () => {
    let n = 0;
    const v = await waitFor(() => (++n >= 3 ? `done after ${n}` : null), { intervalMs: 1 });
    expect(v).toBe('done after 3');
  });

  it('treats throws as "not yet" and times out with the message and last error', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('still booting');
        },
        { timeoutMs: 60, intervalMs: 10, message: 'the widget' },
      ),
    ).rejects.toThrow(/timed out after 60 ms .*waiting for the widget \(last error: still booting\)/);
  });
});
