#!/usr/bin/env node
// Runs the TypeScript source directly through tsx, so `npx conduit` works in a checkout without a build;
// production images run the esbuild bundle instead (npm run build -w @conduit/ops).
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
