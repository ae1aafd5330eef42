// Diagnostic: what one SQL round trip costs this (single-threaded) Node process through `pg`, at the
// pipeline's concurrency, on the same PostgreSQL. Multiplied by the statements per case (pipeline part)
// it shows how much of a case's CPU is spent just talking to the database.
//   npx tsx bench/sql-floor.ts [--n 20000] [--concurrency 8]
import pg from 'pg';
import { banner, corePrefetch, cpuMeter, describeCpu, f1, f2, footer, isolatedEnv, now, opt, result } from './lib.js';

export async function benchSqlFloor() {
  const n = opt('n', 'BENCH_N', 20_000);
  const c = opt('concurrency', 'BENCH_CONCURRENCY', corePrefetch());
  banner(`Diagnostic: cost of one SQL round trip via pg (n=${n}, concurrency ${c}, pool 10)`);
  const env = await isolatedEnv('bench_sql');
  const pool = new pg.Pool({ connectionString: env.db.url, max: 10 });
  pool.on('error', () => {}); // a connection the server ends is simply replaced
  try {
    await pool.query('CREATE TABLE t (id bigserial PRIMARY KEY, k text, v jsonb)');
    const kinds: Array<[string, (i: number) => Promise<unknown>]> = [
      ['SELECT 1', () => pool.query('SELECT 1')],
      ['SELECT $1::int (extended protocol)', (i) => pool.query('SELECT $1::int AS x', [i])],
      ['INSERT … jsonb (autocommit)', (i) => pool.query('INSERT INTO t (k, v) VALUES ($1, $2)', [`k${i}`, JSON.stringify({ i, text: 'x'.repeat(200) })])],
    ];
    const out: Record<string, unknown> = {};
    for (const [name, fn] of kinds) {
      let next = 0;
      const cpu = cpuMeter();
      const t0 = now();
      await Promise.all(
        Array.from({ length: c }, async () => {
          while (next < n) await fn(next++);
        }),
      );
      const ms = now() - t0;
      const u = cpu.stop();
      const perStmtCpu = (u.benchProcessCpuS * 1000) / n;
      console.log(`${name.padEnd(36)} ${f1((n * 1000) / ms).padStart(8)} statements/s; Node CPU ${f2(perStmtCpu * 1000)} µs per statement, PostgreSQL CPU ${f2((u.postgresCpuS * 1e6) / n)} µs`);
      console.log(`  ${describeCpu(u)}`);
      out[name] = { perSec: (n * 1000) / ms, nodeCpuUsPerStmt: perStmtCpu * 1000, pgCpuUsPerStmt: (u.postgresCpuS * 1e6) / n };
    }
    result('sql-floor', out);
  } finally {
    await pool.end();
    await env.drop();
    footer();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchSqlFloor();
  process.exit(0);
}
