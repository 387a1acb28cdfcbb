import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/required-tools.ts'],
  },
});
