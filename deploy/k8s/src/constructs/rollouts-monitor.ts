import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Construct } from 'constructs';
import { manifest, PART_OF } from './object.js';

export const ROLLOUTS_NAMESPACE = 'argo-rollouts';

/**
 * Scrapes the Argo Rollouts controller. The chart's own ServiceMonitor cannot set `honorLabels`, and without
 * it Prometheus renames the rollout's `namespace` label to `exported_namespace` (the target's namespace
 * wins), so the rollout alerts, which match on `namespace`, would never fire for our namespace.
 */
export class RolloutsMonitor extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    manifest<IServiceMonitor>(this, {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: {
        name: 'argo-rollouts',
        namespace: ROLLOUTS_NAMESPACE,
        labels: { 'app.kubernetes.io/part-of': PART_OF },
      },
      spec: {
        namespaceSelector: { matchNames: [ROLLOUTS_NAMESPACE] },
        // The chart's metrics Service (release `argo-rollouts`, component `rollouts-controller`).
        selector: {
          matchLabels: {
            'app.kubernetes.io/component': 'rollouts-controller',
            'app.kubernetes.io/name': 'argo-rollouts',
            'app.kubernetes.io/instance': 'argo-rollouts',
          },
        },
        endpoints: [{ port: 'metrics', honorLabels: true, interval: '30s' }],
      },
    });
  }
}
