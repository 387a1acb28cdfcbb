import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // One image build and one container set at a time: the machine has two cores.
    fileParallelism: false,
    globalSetup: ['src/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
