import { defineConfig } from 'vitest/config';

/** Store-independent integration tests: run on SQLite and again on ClickHouse. */
const onBothStores = ['test/integration/**/*.test.ts', 'test/interop/js-exporters.test.ts', 'test/interop/zipkin-otlp-mixed-trace.test.ts'];

export default defineConfig({
  test: {
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Interop and browser tests start servers and processes; two cores do not like many at once.
    fileParallelism: true,
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'sqlite',
          include: ['shared/src/**/*.test.ts', 'server/src/**/*.test.ts', 'ui/src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**', 'test/clickhouse/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'clickhouse',
          // The same tests on a chdb-backed ClickHouse (test/support/clickhouse-global-setup.ts),
          // plus what only a shared store can do: several nodes, and ClickHouse restarting.
          include: [...onBothStores, 'test/clickhouse/**/*.test.ts'],
          // The CLI tests spawn collectors on SQLite files (--db): nothing of the store to repeat.
          // Go profiles (issue 13) are stored by SQLite only; on ClickHouse their routes are off.
          exclude: ['**/node_modules/**', '**/dist/**', 'test/integration/cli.test.ts', 'test/integration/profiles-ingest.test.ts'],
          env: { THREADLINE_TEST_STORAGE: 'clickhouse' },
          // One Python process runs every query of the run, one at a time, on shared cores.
          testTimeout: 120_000,
          globalSetup: ['test/support/clickhouse-global-setup.ts'],
        },
      },
    ],
  },
});
