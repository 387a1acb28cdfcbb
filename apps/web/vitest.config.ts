import preact from '@preact/preset-vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 20_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          globalSetup: ['test/required-tools.ts'],
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        extends: true,
        // The same preset as the build (vite.config.ts): react and react-dom resolve to preact/compat and
        // JSX compiles for Preact. Fast refresh is a dev-server feature the pages never run with.
        plugins: [preact({ prefreshEnabled: false })],
        // A browser's packages, as Vite's client build picks them: react-router's ES module, which
        // imports react and so takes the alias (its Node build would require() the real React instead).
        resolve: { conditions: ['module', 'browser', 'development'] },
        test: {
          name: 'pages',
          // The files share a worker's modules and its jsdom, at less than half the time and CPU of fresh
          // ones per file. What they hold between tests is reset by test/page-setup.ts (session, storage,
          // DOM, fetch); preload.ts's caches fill only from main.tsx, which no test imports.
          isolate: false,
          include: ['src/**/*.test.tsx'],
          environment: 'jsdom',
          setupFiles: ['test/page-setup.ts'],
          // Pages show dates in the reader's time zone; the tests read them as UTC's calendar date.
          env: { TZ: 'UTC' },
          // Transformed by Vite rather than loaded by Node, whose loader would resolve react-router's
          // import of react to the real React that npm installed beside it (a second renderer).
          server: { deps: { inline: ['react-router'] } },
        },
      },
    ],
  },
});
