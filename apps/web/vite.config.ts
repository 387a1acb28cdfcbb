import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// react-router's package exports only point at its development build (warnings, invariant texts);
// production bundles take the production build that ships beside it.
const reactRouterProduction = fileURLToPath(import.meta.resolve('react-router')).replace(
  /[/\\]development[/\\]index\.(m?js)$/,
  '/production/index.mjs',
);

export default defineConfig(({ command }) => ({
  plugins: [react()],
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
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': { target: process.env.API_URL ?? 'http://127.0.0.1:3000', changeOrigin: true } },
  },
}));
