/**
 * What deploy/k8s renders from deploy/observability: rule groups, dashboards, kube-prometheus-stack values.
 */
export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly {
    readonly alert?: string;
    readonly record?: string;
    readonly expr: string;
    readonly for?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  }[];
}

/** Rollout alerts, from the metrics the Argo Rollouts controller exports. */
export function rolloutRuleGroups(): RuleGroup[] {
  return [
    {
      name: 'conduit-rollouts',
      rules: [
        {
          alert: 'RolloutAborted',
          expr: 'max by (namespace, name) (rollout_info{phase="Degraded"}) == 1 or max by (namespace, name) (rollout_phase{phase="Degraded"}) == 1',
          for: '1m',
          labels: { severity: 'critical' },
          annotations: {
            summary: 'Rollout {{ $labels.namespace }}/{{ $labels.name }} was aborted',
            runbook_url: 'docs/runbooks/RolloutAborted.md',
          },
        },
        {
          alert: 'RolloutStuck',
          expr: 'max by (namespace, name) (rollout_info{phase="Progressing"}) == 1',
          for: '30m',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'Rollout {{ $labels.namespace }}/{{ $labels.name }} has been progressing for 30 minutes',
            runbook_url: 'docs/runbooks/RolloutStuck.md',
          },
        },
      ],
    },
  ];
}

/** What our own objects need from kube-prometheus-stack: pick up ServiceMonitors and rules of any release. */
export function kubePrometheusStackValues(): Record<string, unknown> {
  return {
    prometheus: {
      prometheusSpec: {
        serviceMonitorSelectorNilUsesHelmValues: false,
        ruleSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
      },
    },
    grafana: {
      sidecar: { dashboards: { enabled: true, label: 'grafana_dashboard', searchNamespace: 'ALL' } },
    },
  };
}

export function dashboards(): Record<string, unknown> {
  return {};
}
