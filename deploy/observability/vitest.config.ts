import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/required-tools.ts'],
    testTimeout: 30_000,
    hookTimeout: 90_000,
  },
});
