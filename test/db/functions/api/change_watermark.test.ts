/**
 * api.change_watermark as real logins: the database time from which an incremental read of `cases` must
 * start — the start of the oldest transaction still running in this database (its rows will carry that
 * time as updated_at), else now(), truncated to milliseconds. It sees other logins' sessions (the owner
 * holds pg_read_all_stats), so a person gets the exact value, without the 5-second margin.
 *
 * Not tested: the 60-second cap on a leaked transaction (it would need a transaction held open for a
 * minute, i.e. a sleep).
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, observe, type Actor, type Fixture } from './support.js';

let f: Fixture;
beforeAll(async () => {
  f = await createFixture();
});
afterAll(async () => {
  await f?.drop();
});

/** Opens a transaction on a connection of the actor's own; returns its start (text, µs) and the client. */
async function openTransaction(who: Actor): Promise<{ client: pg.PoolClient; started: string }> {
  const client = await who.pool.connect();
  await client.query('BEGIN');
  const { rows } = await client.query(`SELECT now()::text AS t`);
  return { client, started: rows[0].t as string };
}

async function endTransaction(t: { client: pg.PoolClient }) {
  await t.client.query('ROLLBACK').catch(() => {});
  t.client.release();
}

/** The watermark the actor reads, and whether it equals `expected` (a timestamptz text) truncated to ms. */
async function watermarkIs(who: Actor, expected: string | null) {
  const { rows } = await who.pool.query(
    `SELECT api.change_watermark() AS w, api.change_watermark()::text AS wt,
            api.change_watermark() = date_trunc('milliseconds', coalesce($1::timestamptz, now())) AS same,
            api.change_watermark() = date_trunc('milliseconds', api.change_watermark()) AS truncated`,
    [expected],
  );
  return rows[0] as { w: Date; wt: string; same: boolean; truncated: boolean };
}

describe('api.change_watermark', () => {
  it('with no other transaction running, is the caller\'s own transaction time, truncated to milliseconds', async () => {
    const r = await watermarkIs(f.people.mod1, null);
    expect(r.w).toBeInstanceOf(Date);
    expect(r).toMatchObject({ same: true, truncated: true });
  });

  it('is the start of another login\'s open transaction, which a person could not see by themselves', async () => {
    const worker = await openTransaction(f.worker);
    try {
      const r = await watermarkIs(f.people.mod1, worker.started);
      expect(r, `watermark ${r.wt}, the worker's transaction began ${worker.started}`).toMatchObject({ same: true, truncated: true });
      // A moderator's own view of pg_stat_activity hides the worker's session: the function is what sees it.
      const { rows } = await f.people.mod1.pool.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1 AND xact_start IS NOT NULL`,
        [f.worker.login],
      );
      expect(rows[0].n).toBe(0);
    } finally {
      await endTransaction(worker);
    }
    // Once it ended, the watermark is the caller's time again.
    expect(await watermarkIs(f.people.mod1, null)).toMatchObject({ same: true });
  });

  it('with several transactions open, is the start of the oldest one', async () => {
    const older = await openTransaction(f.people.sup1);
    const newer = await openTransaction(f.people.mod2);
    try {
      expect(new Date(newer.started).getTime()).toBeGreaterThanOrEqual(new Date(older.started).getTime());
      expect(await watermarkIs(f.people.admin, older.started)).toMatchObject({ same: true });
      await endTransaction(older);
      expect(await watermarkIs(f.people.admin, newer.started)).toMatchObject({ same: true });
    } finally {
      await endTransaction(older).catch(() => {});
      await endTransaction(newer);
    }
  });

  it('changes nothing', async () => {
    const ch = await observe(f, () => f.people.mod1.pool.query('SELECT api.change_watermark()'));
    expect(ch.error).toBeUndefined();
    expect(ch).toMatchObject({ changedCases: [], commands: [], audit: [], otherChanged: false });
  });

  it('is granted to the moderator group (so every person role) and the worker, nobody else', async () => {
    const { rows } = await f.inst.dba<{ grantee: string }>(
      `SELECT a.grantee::regrole::text AS grantee FROM pg_proc p, aclexplode(p.proacl) a
        WHERE p.oid = 'api.change_watermark()'::regprocedure AND a.privilege_type = 'EXECUTE' ORDER BY 1`,
    );
    expect(rows.map((r) => r.grantee.replace(/"/g, '')).sort()).toEqual([f.inst.roles.moderator, f.inst.roles.owner, f.inst.roles.worker].sort());
  });

  it('every person role may call it', async () => {
    for (const who of [f.people.mod1, f.people.sup1, f.people.admin]) {
      expect((await watermarkIs(who, null)).same).toBe(true);
    }
  });

  it('the worker login may call it, as its grant says (the app provisioned as a worker reads the queue with it)', async () => {
    const ch = await observe(f, () => f.worker.pool.query('SELECT api.change_watermark() AS w'));
    expect(ch.error, `the worker's call was refused: ${ch.error?.code} ${ch.error?.message}`).toBeUndefined();
    expect(ch.commands).toEqual([]);
  });
});
