import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gitopsBootstrapPath, type StageName } from '@conduit/platform';
import { parseAllDocuments } from 'yaml';
import type { RootApplication } from './constructs/argocd-bootstrap.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * The root Argo CD Application of a stage, read from the committed render of deploy/k8s
 * (`deploy/k8s/dist/<stage>/bootstrap/manifests.yaml`): the Cluster stack applies it as rendered instead of
 * building a second copy that could drift (different name, path or sync policy).
 */
export function renderedRoot(stage: StageName): RootApplication {
  const file = join(REPO_ROOT, gitopsBootstrapPath(stage), 'manifests.yaml');
  const objects = parseAllDocuments(readFileSync(file, 'utf8'))
    .map((doc) => doc.toJSON() as RootApplication | null)
    .filter((o): o is RootApplication => o !== null);
  const [root, ...rest] = objects;
  if (!root || rest.length > 0) {
    throw new Error(`${file} must hold exactly the root Application (found ${objects.length} objects)`);
  }
  return root;
}
