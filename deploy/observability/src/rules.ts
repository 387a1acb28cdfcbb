import { APP_NAMESPACE, REPOSITORY_BLOB_URL, runbookUrl, WORKLOADS, type Workload } from '@conduit/platform';

export type Severity = 'critical' | 'warning';

export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly severity: Severity; readonly [label: string]: string };
  readonly annotations: {
    readonly summary: string;
    readonly description: string;
    readonly runbook_url: string;
  };
}

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly (AlertingRule | RecordingRule)[];
}

export interface AlertRuleOptions {
  /**
   * Namespace of the application workloads and the backup CronJob.
   * @default 'conduit'
   */
  readonly namespace?: string;
  /**
   * Base of the runbook links; `<base>/docs/runbooks/<alert>.md`.
   * @default REPOSITORY_BLOB_URL
   */
  readonly runbookBaseUrl?: string;
  /**
   * Name of the backup CronJob watched by BackupJobFailed/BackupMissing; `false` leaves both alerts out
   * (a stage without the CronJob would otherwise page forever).
   * @default 'backup'
   */
  readonly backupCronJob?: string | false;
  /**
   * Name of the weekly restore-drill CronJob watched by RestoreDrillFailed; `false` leaves the alert out.
   * @default 'restore-drill'
   */
  readonly restoreDrillCronJob?: string | false;
  /**
   * Workloads watched by WorkloadUnavailable, one rule each (named after their container and HPA).
   * @default the platform model's workloads
   */
  readonly workloads?: readonly string[];
  /**
   * Worker backlogs watched by WorkerQueueBacklog, one rule each: the workload, its age gauge and the age
   * beyond which it pages.
   * @default the platform model's workloads that declare a `queue`
   */
  readonly queues?: readonly QueueWatch[];
}

/** A worker's backlog, as the model entry's `queue` declares it. */
export interface QueueWatch {
  readonly workload: string;
  readonly ageMetric: string;
  readonly maxAgeSeconds: number;
}

/** The backlogs of the given model workloads (those that declare a `queue`). */
export function queueWatches(workloads: readonly Workload[] = WORKLOADS): QueueWatch[] {
  return workloads.flatMap((w) => (w.queue ? [{ workload: w.name, ...w.queue }] : []));
}

/** The restore drill runs weekly; a success older than this means at least one drill was missed or failed. */
export const RESTORE_DRILL_MAX_AGE_DAYS = 8;

/** Availability SLO: 99.9% of API requests are not 5xx, over 30 days. */
export const AVAILABILITY_OBJECTIVE = 0.999;
/** Latency SLO: 99% of API requests complete within 300 ms (the histogram has a 0.3 s bucket). */
export const LATENCY_OBJECTIVE = 0.99;
export const LATENCY_THRESHOLD_SECONDS = 0.3;

/** Windows of the multiwindow multi-burn-rate alerts (Google SRE workbook, chapter 5, 30-day budget). */
export const BURN_RATE_WINDOWS = [
  { severity: 'critical', long: '1h', short: '5m', factor: 14.4, for: '2m' },
  { severity: 'critical', long: '6h', short: '30m', factor: 6, for: '2m' },
  { severity: 'warning', long: '1d', short: '2h', factor: 3, for: '15m' },
  { severity: 'warning', long: '3d', short: '6h', factor: 1, for: '15m' },
] as const;

export const SLI_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;

export const ALERT_NAMES = [
  'PodCrashLooping',
  'PodNotReady',
  'HighCPUUsage',
  'HighMemoryUsage',
  'ContainerOOMKilled',
  'WorkloadUnavailable',
  'WorkerQueueBacklog',
  'HighNodeCPU',
  'HighNodeMemory',
  'PersistentVolumeFillingUp',
  'APIAvailabilityBudgetBurn',
  'APILatencyBudgetBurn',
  'RolloutAborted',
  'RolloutStuck',
  'DBPoolSaturated',
  'BackupJobFailed',
  'BackupMissing',
  'RestoreDrillFailed',
  'CertificateExpiring',
] as const;
export type AlertName = (typeof ALERT_NAMES)[number];

export function errorRatioRecord(window: string): string {
  return `conduit_api:sli_errors:ratio_rate${window}`;
}

export function slowRatioRecord(window: string): string {
  return `conduit_api:sli_latency_slow:ratio_rate${window}`;
}

function validateNamespace(namespace: string): void {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace)) {
    throw new Error(`namespace must be a DNS-1123 label (got "${namespace}")`);
  }
}

/**
 * The PrometheusRule groups for Conduit: application, infrastructure, SLO (recording rules and burn-rate
 * alerts), delivery and data. Plain objects: deploy/k8s renders them into `PrometheusRule` manifests and
 * the tests write them to files for `promtool`.
 */
export function alertRuleGroups(options: AlertRuleOptions = {}): RuleGroup[] {
  const ns = options.namespace ?? APP_NAMESPACE;
  validateNamespace(ns);
  const backup = options.backupCronJob ?? 'backup';
  if (backup !== false) validateNamespace(backup);
  const drill = options.restoreDrillCronJob ?? 'restore-drill';
  if (drill !== false) validateNamespace(drill);
  const workloads = options.workloads ?? WORKLOADS.map((w) => w.name);
  for (const w of workloads) {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(w)) {
      throw new Error(`workloads must be DNS-1123 labels (got "${w}")`);
    }
  }
  const queues = options.queues ?? queueWatches();
  for (const q of queues) {
    if (!workloads.includes(q.workload)) {
      throw new Error(`queues: ${q.workload} is not one of the workloads (${workloads.join(', ')})`);
    }
  }
  const base = options.runbookBaseUrl ?? REPOSITORY_BLOB_URL;
  if (!/^https:\/\/\S+[^/]$/.test(base)) {
    throw new Error(`runbookBaseUrl must be an https URL without a trailing slash (got "${base}")`);
  }

  const alert = (
    name: AlertName,
    severity: Severity,
    forDuration: string,
    expr: string,
    summary: string,
    description: string,
  ): AlertingRule => ({
    alert: name,
    expr,
    for: forDuration,
    labels: { severity },
    annotations: { summary, description, runbook_url: runbookUrl(name, base) },
  });

  const sel = `namespace="${ns}"`;

  const application: RuleGroup = {
    name: 'conduit-application',
    rules: [
      alert(
        'PodCrashLooping',
        'warning',
        '10m',
        `max by (namespace, pod, container) (max_over_time(kube_pod_container_status_waiting_reason{${sel}, reason="CrashLoopBackOff"}[5m])) >= 1`,
        'Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} is crash looping',
        'The container has been waiting in CrashLoopBackOff for at least 10 minutes: it starts, exits and is restarted with growing back-off.',
      ),
      alert(
        'PodNotReady',
        'warning',
        '15m',
        `(max by (namespace, pod) (kube_pod_status_ready{${sel}, condition="false"}) == 1) and on (namespace, pod) (max by (namespace, pod) (kube_pod_status_phase{${sel}, phase=~"Pending|Running|Unknown"}) == 1)`,
        'Pod {{ $labels.namespace }}/{{ $labels.pod }} has not been ready for 15 minutes',
        'The pod is pending, running or unknown but not ready, so it receives no traffic and reduces capacity.',
      ),
      alert(
        'HighCPUUsage',
        'warning',
        '15m',
        `sum by (namespace, pod, container) (rate(container_cpu_usage_seconds_total{${sel}, container!="", container!="POD"}[5m])) / sum by (namespace, pod, container) (kube_pod_container_resource_limits{${sel}, resource="cpu"}) > 0.9`,
        'Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} uses {{ $value | humanizePercentage }} of its CPU limit',
        'CPU use has been above 90% of the container limit for 15 minutes; the container is throttled and latency grows.',
      ),
      alert(
        'HighMemoryUsage',
        'warning',
        '15m',
        `sum by (namespace, pod, container) (container_memory_working_set_bytes{${sel}, container!="", container!="POD"}) / sum by (namespace, pod, container) (kube_pod_container_resource_limits{${sel}, resource="memory"}) > 0.9`,
        'Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} uses {{ $value | humanizePercentage }} of its memory limit',
        'The working set has been above 90% of the memory limit for 15 minutes; the next allocation spike gets the container OOM-killed.',
      ),
      alert(
        'ContainerOOMKilled',
        'warning',
        '0m',
        `(max by (namespace, pod, container) (increase(kube_pod_container_status_restarts_total{${sel}}[10m])) >= 1) and on (namespace, pod, container) (max by (namespace, pod, container) (max_over_time(kube_pod_container_status_last_terminated_reason{${sel}, reason="OOMKilled"}[10m])) == 1)`,
        'Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} was OOM-killed',
        'The container restarted in the last 10 minutes and its last termination reason is OOMKilled: it exceeded its memory limit.',
      ),
      // One rule per workload: its HPA wants pods (a stopped stage wants none) and not one is ready.
      ...workloads.map((w) => {
        const rule = alert(
          'WorkloadUnavailable',
          'critical',
          '5m',
          `max(kube_horizontalpodautoscaler_status_desired_replicas{${sel}, horizontalpodautoscaler="${w}"}) > 0 unless on () sum(kube_pod_container_status_ready{${sel}, container="${w}"}) > 0`,
          `No pod of workload ${w} is ready`,
          `The autoscaler of ${w} wants pods but none has been ready for 5 minutes: everything ${w} does is down.`,
        );
        return { ...rule, labels: { ...rule.labels, workload: w } };
      }),
      // One rule per worker backlog: the oldest waiting item is older than the entry allows.
      ...queues.map((q) => {
        const rule = alert(
          'WorkerQueueBacklog',
          'warning',
          '10m',
          `max(${q.ageMetric}{${sel}}) > ${q.maxAgeSeconds}`,
          `Items have waited in ${q.workload}'s queue for over ${q.maxAgeSeconds} s`,
          `${q.workload} has not caught up for 10 minutes: its oldest waiting item is older than ${q.maxAgeSeconds} s (sends failing, too few replicas, or the workload down).`,
        );
        return { ...rule, labels: { ...rule.labels, workload: q.workload } };
      }),
    ],
  };

  const infrastructure: RuleGroup = {
    name: 'conduit-infrastructure',
    rules: [
      alert(
        'HighNodeCPU',
        'warning',
        '15m',
        `1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])) > 0.9`,
        'Node {{ $labels.instance }} CPU is {{ $value | humanizePercentage }} busy',
        'The node has used more than 90% of its CPU for 15 minutes; pods on it are starved and new pods should go elsewhere.',
      ),
      alert(
        'HighNodeMemory',
        'warning',
        '15m',
        `1 - max by (instance) (node_memory_MemAvailable_bytes) / max by (instance) (node_memory_MemTotal_bytes) > 0.9`,
        'Node {{ $labels.instance }} memory is {{ $value | humanizePercentage }} used',
        'Less than 10% of the node memory has been available for 15 minutes; the kubelet will start evicting pods.',
      ),
      alert(
        'PersistentVolumeFillingUp',
        'critical',
        '1m',
        `max by (namespace, persistentvolumeclaim) (kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes) < 0.03`,
        'Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is almost full ({{ $value | humanizePercentage }} free)',
        'Less than 3% of the volume is free; writes will fail within minutes.',
      ),
      alert(
        'PersistentVolumeFillingUp',
        'warning',
        '1h',
        `(max by (namespace, persistentvolumeclaim) (kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes) < 0.15) and on (namespace, persistentvolumeclaim) (max by (namespace, persistentvolumeclaim) (predict_linear(kubelet_volume_stats_available_bytes[6h], 4 * 24 * 3600)) < 0)`,
        'Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} will be full within 4 days',
        'Less than 15% of the volume is free and the 6-hour trend fills it within 4 days.',
      ),
    ],
  };

  const recording: RuleGroup = {
    name: 'conduit-slo-recording',
    rules: SLI_WINDOWS.flatMap((window): RecordingRule[] => [
      {
        record: errorRatioRecord(window),
        expr: `sum by (namespace) (rate(http_requests_total{${sel}, status_code=~"5.."}[${window}])) / sum by (namespace) (rate(http_requests_total{${sel}}[${window}]))`,
      },
      {
        record: slowRatioRecord(window),
        expr: `1 - sum by (namespace) (rate(http_request_duration_seconds_bucket{${sel}, le="${LATENCY_THRESHOLD_SECONDS}"}[${window}])) / sum by (namespace) (rate(http_request_duration_seconds_count{${sel}}[${window}]))`,
      },
    ]),
  };

  const burn = (record: (window: string) => string, budget: number, severity: Severity): string =>
    BURN_RATE_WINDOWS.filter((w) => w.severity === severity)
      .map(
        (w) =>
          `(${record(w.long)} > ${w.factor} * ${budget} and ${record(w.short)} > ${w.factor} * ${budget})`,
      )
      .join(' or ');
  const availabilityBudget = Number((1 - AVAILABILITY_OBJECTIVE).toFixed(6));
  const latencyBudget = Number((1 - LATENCY_OBJECTIVE).toFixed(6));
  const sloAlerts: AlertingRule[] = (['critical', 'warning'] as const).flatMap((severity) => {
    const pace =
      severity === 'critical'
        ? 'at this rate the 30-day error budget is gone within 2 to 5 days: page'
        : 'at this rate the 30-day error budget is gone before the window ends: ticket';
    return [
      alert(
        'APIAvailabilityBudgetBurn',
        severity,
        BURN_RATE_WINDOWS.find((w) => w.severity === severity)?.for ?? '2m',
        burn(errorRatioRecord, availabilityBudget, severity),
        'API {{ $labels.namespace }} is burning its availability error budget',
        `More than the allowed share of API requests fail with 5xx (SLO ${AVAILABILITY_OBJECTIVE * 100}% over 30 days); ${pace}.`,
      ),
      alert(
        'APILatencyBudgetBurn',
        severity,
        BURN_RATE_WINDOWS.find((w) => w.severity === severity)?.for ?? '2m',
        burn(slowRatioRecord, latencyBudget, severity),
        'API {{ $labels.namespace }} is burning its latency error budget',
        `Too many API requests take longer than ${LATENCY_THRESHOLD_SECONDS * 1000} ms (SLO ${LATENCY_OBJECTIVE * 100}% over 30 days); ${pace}.`,
      ),
    ];
  });
  const slo: RuleGroup = { name: 'conduit-slo-alerts', rules: sloAlerts };

  const delivery: RuleGroup = {
    name: 'conduit-delivery',
    rules: [
      alert(
        'RolloutAborted',
        'warning',
        '1m',
        `max by (namespace, name) (rollout_phase{${sel}, phase="Abort"}) == 1`,
        'Rollout {{ $labels.namespace }}/{{ $labels.name }} was aborted',
        'The canary failed its analysis (or was aborted by hand) and traffic went back to the stable version; the new version is not live.',
      ),
      alert(
        'RolloutStuck',
        'warning',
        '5m',
        `(max by (namespace, name) (rollout_phase{${sel}, phase=~"Timeout|Error|InvalidSpec"}) == 1) or (max by (namespace, name) (min_over_time(rollout_phase{${sel}, phase=~"Progressing|Paused"}[1h])) == 1)`,
        'Rollout {{ $labels.namespace }}/{{ $labels.name }} is stuck',
        'The rollout exceeded its progress deadline, failed to reconcile, has an invalid spec, or has been progressing or paused for over an hour.',
      ),
    ],
  };

  const dataRules: AlertingRule[] = [
    alert(
      'DBPoolSaturated',
      'warning',
      '5m',
      `(max by (namespace, pod) (db_pool_connections_in_use{${sel}}) / max by (namespace, pod) (db_pool_connections_max{${sel}}) >= 0.9) and on (namespace, pod) (max by (namespace, pod) (db_pool_requests_waiting{${sel}}) > 0)`,
      'API pod {{ $labels.namespace }}/{{ $labels.pod }} has exhausted its database pool',
      'At least 90% of the pool connections are in use and requests are queueing for a connection for 5 minutes; latency rises with the queue.',
    ),
  ];
  if (backup !== false) {
    const cron = `namespace="${ns}", cronjob="${backup}"`;
    const failedBackupStart = `max by (namespace, job_name) (kube_job_status_start_time{${sel}}) and on (namespace, job_name) (kube_job_status_failed{${sel}} > 0) and on (namespace, job_name) kube_job_owner{${sel}, owner_kind="CronJob", owner_name="${backup}"}`;
    // A failed Job stays listed until the history limit removes it; it only matters until a later run succeeds.
    const lastSuccess = `max by (namespace) (kube_cronjob_status_last_successful_time{${cron}}) or max by (namespace) (kube_cronjob_created{${cron}}) * 0`;
    dataRules.push(
      alert(
        'BackupJobFailed',
        'warning',
        '0m',
        `(${failedBackupStart}) > on (namespace) group_left () (${lastSuccess})`,
        'Backup job {{ $labels.namespace }}/{{ $labels.job_name }} failed',
        `A Job of the ${backup} CronJob failed and no later run has succeeded yet.`,
      ),
      alert(
        'BackupMissing',
        'critical',
        '0m',
        `(time() - max by (namespace, cronjob) (kube_cronjob_status_last_successful_time{${cron}}) > 26 * 3600) or ((time() - max by (namespace, cronjob) (kube_cronjob_created{${cron}}) > 26 * 3600) unless on (namespace, cronjob) kube_cronjob_status_last_successful_time{${cron}})`,
        'No successful backup in {{ $labels.namespace }} for more than 26 hours',
        `The ${backup} CronJob runs daily; its last success is older than 26 hours (or it never succeeded), so the newest restorable dump is stale.`,
      ),
    );
  }
  if (drill !== false) {
    const cron = `namespace="${ns}", cronjob="${drill}"`;
    const failedStart = `max by (namespace, job_name) (kube_job_status_start_time{${sel}}) and on (namespace, job_name) (kube_job_status_failed{${sel}} > 0) and on (namespace, job_name) kube_job_owner{${sel}, owner_kind="CronJob", owner_name="${drill}"}`;
    const lastSuccess = `max by (namespace) (kube_cronjob_status_last_successful_time{${cron}}) or max by (namespace) (kube_cronjob_created{${cron}}) * 0`;
    const maxAge = `${RESTORE_DRILL_MAX_AGE_DAYS} * 86400`;
    dataRules.push(
      alert(
        'RestoreDrillFailed',
        'warning',
        '0m',
        // The last drill failed (a failed Job newer than the last success), or no drill succeeded for
        // 8 days (a missed week, or a CronJob that never succeeded since it was created).
        `((${failedStart}) > on (namespace) group_left () (${lastSuccess})) or (time() - max by (namespace, cronjob) (kube_cronjob_status_last_successful_time{${cron}}) > ${maxAge}) or ((time() - max by (namespace, cronjob) (kube_cronjob_created{${cron}}) > ${maxAge}) unless on (namespace, cronjob) kube_cronjob_status_last_successful_time{${cron}})`,
        'Restore drill in {{ $labels.namespace }} failed or has not succeeded for 8 days',
        `The last Job of the weekly ${drill} CronJob failed, or no drill succeeded in ${RESTORE_DRILL_MAX_AGE_DAYS} days: nobody has proven that the backups restore.`,
      ),
    );
  }
  dataRules.push(
    alert(
      'CertificateExpiring',
      'warning',
      '1h',
      `min by (instance) (probe_ssl_earliest_cert_expiry) - time() < 21 * 86400`,
      'TLS certificate of {{ $labels.instance }} expires in {{ $value | humanizeDuration }}',
      'ACM renews 60 days before expiry, so fewer than 21 days left means the automatic renewal failed (usually a missing DNS validation record).',
    ),
    alert(
      'CertificateExpiring',
      'critical',
      '10m',
      `min by (instance) (probe_ssl_earliest_cert_expiry) - time() < 7 * 86400`,
      'TLS certificate of {{ $labels.instance }} expires in {{ $value | humanizeDuration }}',
      'Fewer than 7 days before browsers reject the site; renewal has failed for weeks.',
    ),
  );
  const data: RuleGroup = { name: 'conduit-data', rules: dataRules };

  return [application, infrastructure, recording, slo, delivery, data];
}

export function isAlertingRule(rule: AlertingRule | RecordingRule): rule is AlertingRule {
  return 'alert' in rule;
}

/** Every PromQL expression of the groups, with where it comes from (for error messages). */
export function ruleExpressions(groups: readonly RuleGroup[]): { where: string; expr: string }[] {
  return groups.flatMap((group) =>
    group.rules.map((rule) => ({
      where: `${group.name}/${isAlertingRule(rule) ? rule.alert : rule.record}`,
      expr: rule.expr,
    })),
  );
}
