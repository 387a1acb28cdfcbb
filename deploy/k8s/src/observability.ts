/**
 * What deploy/k8s renders from deploy/observability: every PrometheusRule group (including the rollout
 * alerts), the dashboard ConfigMaps and the monitoring add-ons' Helm values. One source, no copies.
 */
import {
  alertRuleGroups,
  dashboardConfigMaps,
  fluentBitValues,
  kubePrometheusStackValues,
  OTLP_ENDPOINT,
} from '@conduit/observability';
import type { StageSettings } from './settings.js';

export type { DashboardConfigMap, RuleGroup } from '@conduit/observability';
export { OTLP_ENDPOINT };

export function ruleGroups(stage: StageSettings) {
  return alertRuleGroups({ namespace: stage.namespace, backupCronJob: 'backup' });
}

export function dashboards() {
  return dashboardConfigMaps();
}

export function monitoringValues(stage: StageSettings) {
  const options = stage.aws ? { region: stage.aws.region } : {};
  return {
    kubePrometheusStack: kubePrometheusStackValues(stage.name, options) as Record<string, unknown>,
    fluentBit: fluentBitValues(stage.name, options) as Record<string, unknown>,
  };
}
