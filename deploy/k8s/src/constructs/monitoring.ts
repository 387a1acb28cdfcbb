import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { Construct } from 'constructs';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { RuleGroup } from '../observability.js';
import type { StageSettings } from '../settings.js';
import { manifest, PART_OF } from './object.js';

export interface MonitoringProps {
  readonly stage: StageSettings;
  readonly ruleGroups: readonly RuleGroup[];
  /** Grafana dashboards by name (Grafana JSON model). */
  readonly dashboards: Readonly<Record<string, unknown>>;
}

/** PrometheusRules and dashboard ConfigMaps, picked up by the operator and Grafana's sidecar. */
export class Monitoring extends Construct {
  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const ns = props.stage.namespace;
    for (const group of props.ruleGroups) {
      manifest<IPrometheusRule>(this, {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: { name: group.name, namespace: ns, labels: { 'app.kubernetes.io/part-of': PART_OF } },
        spec: {
          groups: [
            {
              name: group.name,
              rules: group.rules.map((r) => ({
                ...(r.alert ? { alert: r.alert } : {}),
                ...(r.record ? { record: r.record } : {}),
                expr: r.expr,
                ...(r.for ? { for: r.for } : {}),
                ...(r.labels ? { labels: { ...r.labels } } : {}),
                ...(r.annotations ? { annotations: { ...r.annotations } } : {}),
              })),
            },
          ],
        },
      });
    }
    for (const name of Object.keys(props.dashboards).sort()) {
      manifest<IConfigMap>(this, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: `dashboard-${name}`,
          namespace: ns,
          labels: { 'app.kubernetes.io/part-of': PART_OF, grafana_dashboard: '1' },
        },
        data: { [`${name}.json`]: `${JSON.stringify(props.dashboards[name], null, 2)}\n` },
      });
    }
  }
}
