// Bundles the worker with esbuild: our code goes into dist/, npm dependencies stay external and come from the
// production node_modules (as apps/api/build.mjs does).
import { readFileSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import { rdsCaBundle } from '../api/scripts/rds-ca-bundle.mjs';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})].filter(
  (name) => !name.startsWith('@conduit/'),
);

await build({
  entryPoints: ['src/main.ts'],
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external,
  logLevel: 'warning',
});

// Shipped beside the bundle: the image points NODE_EXTRA_CA_CERTS at it to verify RDS certificates.
writeFileSync(new URL('./dist/rds-ca.pem', import.meta.url), rdsCaBundle());
