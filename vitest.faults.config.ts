import { configDefaults, defineConfig } from 'vitest/config';

// `npm run test:faults`: the fault plan (test/faults/**). Each file starts the servers it stops or kills
// (a private PostgreSQL cluster from initdb, a private RabbitMQ node), so files run in parallel beside
// the shared servers; the main `npm test` (vitest.config.ts) excludes them and scripts/test.mjs runs
// this config after it.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/faults/**/*.test.ts'],
    exclude: [...configDefaults.exclude],
    testTimeout: 300_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: Number(process.env.VITEST_MAX_WORKERS) || 2,
  },
});
