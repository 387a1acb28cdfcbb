import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/required-tools.ts'],
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
  },
});
