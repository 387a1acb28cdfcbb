import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// react-router's package exports only point at its development build (warnings, invariant texts);
// production bundles take the production build that ships beside it.
const reactRouterProduction = fileURLToPath(import.meta.resolve('react-router')).replace(
  /[/\\]development[/\\]index\.(m?js)$/,
  '/production/index.mjs',
);

export default defineConfig(({ command }) => ({
  // The app is written against the React API; Preact's compat layer runs it in a tenth of React's bytes
  // (the preset aliases react and react-dom to preact/compat, and gives the dev server fast refresh).
  plugins: [preact({ prerender: { enabled: false } })],
  resolve: {
    alias: command === 'build' ? [{ find: /^react-router$/, replacement: reactRouterProduction }] : [],
  },
  build: {
    target: 'es2022',
    // Every browser we target supports modulepreload natively.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    sourcemap: false,
    rolldownOptions: {
      onwarn(warning, warn) {
        // react-router reads React's useOptimistic where it exists and falls back without it; Preact's
        // compat layer has none, which is the fallback's case, not a defect.
        if (warning.code === 'IMPORT_IS_UNDEFINED' && warning.message.includes('useOptimistic')) return;
        warn(warning);
      },
    },
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': { target: process.env.API_URL ?? 'http://127.0.0.1:3000', changeOrigin: true } },
  },
}));
