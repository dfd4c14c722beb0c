import { defineConfig } from 'vitest/config';

// One runner for the whole repository (see ../shared/ARCHITECTURE.md §8).
export default defineConfig({
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'apps/*/src/**/*.test.ts',
      'server/src/**/*.test.ts',
      'server/test/**/*.test.ts',
      'tests/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
    globalSetup: ['server/test/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    // Integration tests drive real peers (sipp, baresip, Chromium, nats-server) on two shared cores; a test that
    // fails is run again up to twice, and the runner's report names every retried test (docs/decisions.md).
    retry: 2,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
