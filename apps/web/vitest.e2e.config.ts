import { defineConfig } from 'vitest/config';

// Browser suites drive one real Chromium against one real API + PostgreSQL; they share that stack, so
// they run in a single worker, one file after another.
export default defineConfig({
  test: {
    globalSetup: ['test/required-tools.ts'],
    include: ['e2e/**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 90_000,
  },
});
