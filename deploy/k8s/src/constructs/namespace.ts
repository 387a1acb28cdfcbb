import { Construct } from 'constructs';
import type { IPriorityClass } from 'kubernetes-models/scheduling.k8s.io/v1/PriorityClass';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import { routerOf } from '../routers/index.js';
import type { RenderSettings } from '../settings.js';
import { PRIORITY_CLASS } from './app-workload.js';
import { manifest, PART_OF } from './object.js';

export const POD_SECURITY_VERSION = 'v1.33';

/** The app namespace (Pod Security `restricted`, the router's labels) and the workloads' PriorityClass. */
export class AppNamespace extends Construct {
  constructor(scope: Construct, id: string, stage: RenderSettings) {
    super(scope, id);
    const labels: Record<string, string> = {
      'app.kubernetes.io/part-of': PART_OF,
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': POD_SECURITY_VERSION,
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/audit-version': POD_SECURITY_VERSION,
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/warn-version': POD_SECURITY_VERSION,
      ...routerOf(stage).namespaceLabels(),
    };
    manifest<INamespace>(this, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: stage.namespace, labels },
    });
    manifest<IPriorityClass>(this, {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: PRIORITY_CLASS, labels: { 'app.kubernetes.io/part-of': PART_OF } },
      value: 100_000,
      globalDefault: false,
      preemptionPolicy: 'PreemptLowerPriority',
      description: `Conduit ${new Intl.ListFormat('en').format(stage.workloads.map((w) => w.workload.name))}: preempt batch work, never system components.`,
    });
  }
}
