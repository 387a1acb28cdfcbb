import type { Workload } from '@conduit/platform';
import type { KubeApi, MergePatch } from './kube-api.js';

/** What runs a workload's pods: a Rollout for an HTTP service (canary), a Deployment for a worker. */
export interface Controller {
  readonly kind: 'rollout' | 'deployment';
  readonly get: () => Promise<{
    readonly metadata: { readonly annotations?: Record<string, string> };
    readonly spec: { readonly replicas?: number };
  }>;
  readonly patch: (patch: MergePatch) => Promise<void>;
}

export function controllerOf(kube: KubeApi, namespace: string, workload: Workload): Controller {
  const { name } = workload;
  return workload.kind === 'http'
    ? {
        kind: 'rollout',
        get: () => kube.getRollout(namespace, name),
        patch: (patch) => kube.patchRollout(namespace, name, patch),
      }
    : {
        kind: 'deployment',
        get: () => kube.getDeployment(namespace, name),
        patch: (patch) => kube.patchDeployment(namespace, name, patch),
      };
}
