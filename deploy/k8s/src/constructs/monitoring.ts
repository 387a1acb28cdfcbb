import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { Construct } from 'constructs';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { DashboardConfigMap, RuleGroup } from '../observability.js';
import { manifest, PART_OF } from './object.js';

export interface MonitoringProps {
  /** The app namespace (a DNS label) the PrometheusRules and dashboard ConfigMaps live in. */
  readonly namespace: string;
  /** Alerting and recording rules, one PrometheusRule per group (names must be unique). */
  readonly ruleGroups: readonly RuleGroup[];
  /** Grafana dashboards as ConfigMap contents, picked up by Grafana's sidecar through their label. */
  readonly dashboards: readonly DashboardConfigMap[];
}

/** PrometheusRules and dashboard ConfigMaps, picked up by the operator and Grafana's sidecar. */
export class Monitoring extends Construct {
  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const ns = props.namespace;
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(ns)) {
      throw new Error(`Monitoring: namespace (${ns}) must be a DNS label`);
    }
    for (const [field, names] of [
      ['ruleGroups', props.ruleGroups.map((g) => g.name)],
      ['dashboards', props.dashboards.map((d) => d.name)],
    ] as const) {
      const twice = names.find((n, i) => names.indexOf(n) !== i);
      if (twice !== undefined) throw new Error(`Monitoring: ${field} name (${twice}) must be unique`);
    }
    for (const group of props.ruleGroups) {
      manifest<IPrometheusRule>(this, {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: { name: group.name, namespace: ns, labels: { 'app.kubernetes.io/part-of': PART_OF } },
        spec: {
          groups: [
            {
              name: group.name,
              rules: group.rules.map((r) =>
                'alert' in r
                  ? {
                      alert: r.alert,
                      expr: r.expr,
                      for: r.for,
                      labels: { ...r.labels },
                      annotations: { ...r.annotations },
                    }
                  : { record: r.record, expr: r.expr },
              ),
            },
          ],
        },
      });
    }
    for (const d of props.dashboards) {
      manifest<IConfigMap>(this, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: d.name, namespace: ns, labels: { ...d.labels } },
        data: { ...d.data },
      });
    }
  }
}
