import { WORKLOADS, type Workload } from '@conduit/platform';
import { errorRatioRecord, SLI_WINDOWS, slowRatioRecord } from './rules.js';

export interface ExporterMetrics {
  /** Where the metric names are documented. */
  readonly docs: string;
  readonly metrics: readonly string[];
}

/**
 * Metrics of the exporters the cluster runs, as documented by each project. PromQL in our rules,
 * dashboards and AnalysisTemplates may only use these, our recording rules, or what the API exports.
 */
export const EXPORTER_METRICS: Readonly<Record<string, ExporterMetrics>> = {
  'kube-state-metrics': {
    docs: 'https://github.com/kubernetes/kube-state-metrics/tree/main/docs/metrics',
    metrics: [
      'kube_pod_container_status_waiting_reason',
      'kube_pod_container_status_restarts_total',
      'kube_pod_container_status_last_terminated_reason',
      'kube_pod_container_status_ready',
      'kube_pod_container_resource_limits',
      'kube_pod_container_resource_requests',
      'kube_pod_status_ready',
      'kube_pod_status_phase',
      'kube_pod_labels',
      'kube_pod_owner',
      'kube_pod_info',
      'kube_job_status_failed',
      'kube_job_status_succeeded',
      'kube_job_status_start_time',
      'kube_job_owner',
      'kube_cronjob_status_last_successful_time',
      'kube_cronjob_created',
      'kube_cronjob_next_schedule_time',
      'kube_deployment_status_replicas_available',
      'kube_horizontalpodautoscaler_status_current_replicas',
      'kube_horizontalpodautoscaler_status_desired_replicas',
      'kube_horizontalpodautoscaler_spec_max_replicas',
      'kube_node_status_allocatable',
      'kube_node_status_capacity',
    ],
  },
  cadvisor: {
    docs: 'https://github.com/google/cadvisor/blob/master/docs/storage/prometheus.md',
    metrics: [
      'container_cpu_usage_seconds_total',
      'container_cpu_cfs_throttled_periods_total',
      'container_cpu_cfs_periods_total',
      'container_memory_working_set_bytes',
      'container_memory_rss',
      'container_network_receive_bytes_total',
      'container_network_transmit_bytes_total',
    ],
  },
  'node-exporter': {
    docs: 'https://github.com/prometheus/node_exporter#enabled-by-default',
    metrics: [
      'node_cpu_seconds_total',
      'node_memory_MemAvailable_bytes',
      'node_memory_MemTotal_bytes',
      'node_filesystem_avail_bytes',
      'node_filesystem_size_bytes',
      'node_load1',
    ],
  },
  kubelet: {
    docs: 'https://kubernetes.io/docs/reference/instrumentation/metrics/',
    metrics: [
      'kubelet_volume_stats_available_bytes',
      'kubelet_volume_stats_capacity_bytes',
      'kubelet_running_pods',
    ],
  },
  'argo-rollouts': {
    docs: 'https://argoproj.github.io/argo-rollouts/features/controller-metrics/',
    metrics: [
      'rollout_info',
      'rollout_phase',
      'rollout_info_replicas_available',
      'rollout_info_replicas_desired',
      'rollout_info_replicas_unavailable',
      'analysis_run_info',
      'analysis_run_metric_phase',
    ],
  },
  'blackbox-exporter': {
    docs: 'https://github.com/prometheus/blackbox_exporter',
    metrics: [
      'probe_success',
      'probe_ssl_earliest_cert_expiry',
      'probe_duration_seconds',
      'probe_http_status_code',
    ],
  },
  'cert-manager': {
    docs: 'https://cert-manager.io/docs/devops-tips/prometheus-metrics/',
    metrics: ['certmanager_certificate_expiration_timestamp_seconds', 'certmanager_certificate_ready_status'],
  },
  prometheus: {
    docs: 'https://prometheus.io/docs/concepts/jobs_instances/#automatically-generated-labels-and-time-series',
    metrics: ['up', 'scrape_duration_seconds', 'ALERTS', 'ALERTS_FOR_STATE', 'prometheus_tsdb_head_series'],
  },
};

/**
 * The API's metrics contract (DEVELOPERS.md). The tests check each of them against a real `/metrics`
 * scrape of the API, so this list cannot drift from what the server exports.
 */
export const API_METRICS = [
  'http_requests_total',
  'http_request_duration_seconds_bucket',
  'http_request_duration_seconds_sum',
  'http_request_duration_seconds_count',
  'db_pool_connections_in_use',
  'db_pool_connections_idle',
  'db_pool_requests_waiting',
  'db_pool_connections_max',
  'app_info',
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'process_start_time_seconds',
  'nodejs_eventloop_lag_seconds',
  'nodejs_heap_size_used_bytes',
  'nodejs_gc_duration_seconds_count',
  'nodejs_gc_duration_seconds_sum',
] as const;

/** Names our recording rules produce. */
export const RECORDED_METRICS: readonly string[] = SLI_WINDOWS.flatMap((w) => [
  errorRatioRecord(w),
  slowRatioRecord(w),
]);

/**
 * The backlog gauges the model's workload entries declare (`queue.ageMetric`); each worker's own suite checks
 * its /metrics exports the name its entry declares.
 */
export function workloadQueueMetrics(workloads: readonly Workload[] = WORKLOADS): string[] {
  return workloads.flatMap((w) => (w.queue ? [w.queue.ageMetric] : []));
}

/** Exporter metrics, recording rules, the API contract and the workers' backlog gauges: the vocabulary PromQL in this repo may use. */
export function knownMetrics(extra: Iterable<string> = []): Set<string> {
  return new Set([
    ...Object.values(EXPORTER_METRICS).flatMap((e) => e.metrics),
    ...RECORDED_METRICS,
    ...API_METRICS,
    ...workloadQueueMetrics(),
    ...extra,
  ]);
}

/** Metric names in a Prometheus text exposition (`# TYPE`/`# HELP` lines skipped; histogram series included). */
export function exposedMetricNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{|\s)/.exec(line);
    if (match?.[1] !== undefined) names.add(match[1]);
  }
  return names;
}
