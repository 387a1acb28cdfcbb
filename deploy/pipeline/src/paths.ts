import { fileURLToPath } from 'node:url';

/** The repository root, fixed by this file's place in it (deploy/pipeline/src). */
export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
