/**
 * What deploy/k8s renders from deploy/observability: every PrometheusRule group (including the rollout
 * alerts), the dashboard ConfigMaps and the monitoring add-ons' Helm values. One source, no copies.
 */
import {
  adotCollectorValues,
  alertRuleGroups,
  blackboxExporterValues,
  dashboardConfigMaps,
  fluentBitValues,
  kubePrometheusStackValues,
  OTLP_ENDPOINT,
  queueWatches,
} from '@conduit/observability';
import { CRON_JOBS } from '@conduit/platform';
import type { RenderSettings } from './settings.js';

export type { DashboardConfigMap, RuleGroup } from '@conduit/observability';
export { OTLP_ENDPOINT };

export function ruleGroups(stage: RenderSettings) {
  return alertRuleGroups({
    namespace: stage.namespace,
    backupCronJob: CRON_JOBS.backup,
    workloads: stage.workloads.map((w) => w.workload.name),
    queues: queueWatches(stage.workloads.map((w) => w.workload)),
  });
}

/** The dashboard ConfigMaps of the stage (a resources row per workload it runs). */
export function dashboardMaps(stage: RenderSettings) {
  return dashboardConfigMaps(stage.workloads.map((w) => w.workload));
}

/** Namespace of the ADOT collector whose Service the API's OTEL_EXPORTER_OTLP_ENDPOINT names. */
export const OTEL_NAMESPACE = 'observability';

/** What users open: CloudFront's name, i.e. the Ingress host without deploy/aws's `origin.` prefix. */
export function publicUrl(stage: Pick<RenderSettings, 'host'>): string {
  return `https://${stage.host.replace(/^origin\./, '')}`;
}

export function monitoringValues(stage: RenderSettings) {
  const options = stage.aws ? { region: stage.aws.region } : {};
  return {
    kubePrometheusStack: kubePrometheusStackValues(stage.name, options) as Record<string, unknown>,
    fluentBit: fluentBitValues(stage.name, options) as Record<string, unknown>,
    blackboxExporter: blackboxExporterValues(stage.name, publicUrl(stage)) as Record<string, unknown>,
    // Only where the API exports traces; the collector sends them to X-Ray.
    ...(stage.otlpEndpoint
      ? { adotCollector: adotCollectorValues(stage.name, options) as Record<string, unknown> }
      : {}),
  };
}
