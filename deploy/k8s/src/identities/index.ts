import { SERVICE_ACCOUNTS } from '@conduit/platform';
import type { RenderSettings } from '../settings.js';
import type { WorkloadIdentity } from './identity.js';
import { irsa } from './irsa.js';
import { podIdentity } from './pod-identity.js';

/** The stage's workload-identity module. */
export function identityOf(stage: RenderSettings): WorkloadIdentity {
  return stage.identity.kind === 'irsa'
    ? irsa({ name: stage.name, account: stage.identity.account })
    : podIdentity;
}

/**
 * Helm values with the identity's annotations on every `serviceAccount` (at any depth, so subcharts too)
 * whose name is one the platform model gives AWS permissions to in `namespace`.
 */
export function withServiceAccountAnnotations(
  values: Readonly<Record<string, unknown>>,
  namespace: string,
  identity: WorkloadIdentity,
): Readonly<Record<string, unknown>> {
  const known = Object.values(SERVICE_ACCOUNTS).filter((a) => a.namespace === namespace);
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value !== 'object' || value === null) return value;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      const sa = child as { name?: unknown; annotations?: Record<string, string> } | null;
      const account = key === 'serviceAccount' ? known.find((a) => a.name === sa?.name) : undefined;
      const annotations = account && identity.serviceAccountAnnotations(account);
      out[key] = annotations ? { ...sa, annotations: { ...sa?.annotations, ...annotations } } : walk(child);
    }
    return out;
  };
  return walk(values) as Record<string, unknown>;
}
