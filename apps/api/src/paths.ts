import { fileURLToPath } from 'node:url';

// This file sits one level below the package root, like the bundled entry points in dist/, so the same
// relative path finds the SQL migrations from source (tsx) and from the production bundle.
export const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));
