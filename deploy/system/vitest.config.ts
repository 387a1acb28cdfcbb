import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Tools first (fails in seconds naming a missing one), then one synthesis of every scenario that all
    // test files read (see test/global-setup.ts).
    globalSetup: ['test/required-tools.ts', 'test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
