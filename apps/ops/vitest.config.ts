import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/required-tools.ts'],
    // The PostgreSQL 15 server takes a few seconds to initialise; each real suite starts its own.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
