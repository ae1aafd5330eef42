import { configDefaults, defineConfig } from 'vitest/config';

// Unit tests (src/**) and integration tests against real PostgreSQL and RabbitMQ (test/**).
// `npm test` (scripts/test.mjs) starts the servers first; e2e/ is Playwright's, bench/ is not tests.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // test/faults/** stop and kill servers of their own: `npm run test:faults` (vitest.faults.config.ts).
    exclude: [...configDefaults.exclude, 'e2e/**', 'bench/**', 'out/**', 'dist/**', 'test/faults/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration test files each run an agent, a pool and a broker connection: on 2 cores more
    // than 2 files at once only adds contention (and timeouts). Files isolate themselves with
    // their own database and vhost (test/support/isolation.ts), so 2 in parallel is safe.
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: Number(process.env.VITEST_MAX_WORKERS) || 2,
  },
});
