import type { CfnTemplate, K8sObject, ManifestDir, ScenarioArtifacts } from './artifacts.js';

/**
 * Deliberately broken copies of a scenario's artifacts: every check runs on the real artifacts (no finding)
 * and on a copy with one seeded defect (the finding that names it).
 */
export function seeded(
  a: ScenarioArtifacts,
  change: (copy: {
    manifests: Record<ManifestDir, K8sObject[]>;
    templates: Record<string, CfnTemplate>;
  }) => void,
): ScenarioArtifacts {
  const manifests = structuredClone(a.manifests);
  const templates = structuredClone(a.templates) as Record<string, CfnTemplate>;
  change({ manifests, templates });
  return { ...a, manifests, templates };
}

/** The object of a kind and name in a rendered directory (throws when absent: the seed would test nothing). */
// biome-ignore lint/suspicious/noExplicitAny: a seed reaches into any field of a rendered object.
type Loose = any;

export function find(objects: K8sObject[], kind: string, name: string): Loose {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} to seed a defect into`);
  return found as Loose;
}
