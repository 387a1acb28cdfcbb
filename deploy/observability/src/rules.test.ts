import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORY_BLOB_URL, RUNBOOKS_PATH } from '@conduit/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promtool, run, tempDir } from '../test/tools.js';
import {
  ALERT_NAMES,
  type AlertingRule,
  type AlertName,
  alertRuleGroups,
  isAlertingRule,
  type Severity,
} from './rules.js';

interface Expected {
  readonly severity: Severity;
  readonly labels: Record<string, string>;
  /** The text `{{ $value | ... }}` expands to in this case. */
  readonly value?: string;
}

interface Scenario {
  readonly title: string;
  readonly interval?: string;
  readonly series: readonly { series: string; values: string }[];
  readonly at: string;
  /** Empty: the alert must stay silent. */
  readonly fires: readonly Expected[];
}

const ns = 'namespace="conduit"';
const apiPod = `${ns}, pod="api-7d9f-abcde", container="api"`;
const podLabels = { namespace: 'conduit', pod: 'api-7d9f-abcde', container: 'api' };
const req = (status: string) =>
  `http_requests_total{${ns}, job="api", pod="api-1", method="GET", route="/api/articles", status_code="${status}"}`;
const hist = (suffix: string, le?: string) =>
  `http_request_duration_seconds_${suffix}{${ns}, job="api", pod="api-1", method="GET", route="/api/articles", status_code="200"${le === undefined ? '' : `, le="${le}"`}}`;
const phase = (p: string) => `rollout_phase{${ns}, name="api", strategy="canary", phase="${p}"}`;
const job = 'job_name="backup-29010000"';
const cron = `${ns}, cronjob="backup"`;
const drillJob = 'job_name="restore-drill-29010000"';
const drillCron = `${ns}, cronjob="restore-drill"`;
const probe = 'probe_ssl_earliest_cert_expiry{instance="https://conduit.example.com", job="blackbox"}';

/** The proof of every alert: at least one case where it fires with the right labels and one where it is silent. */
const scenarios: Record<AlertName, readonly Scenario[]> = {
  PodCrashLooping: [
    {
      title: 'container in CrashLoopBackOff for 15 minutes fires',
      series: [
        {
          series: `kube_pod_container_status_waiting_reason{${apiPod}, reason="CrashLoopBackOff"}`,
          values: '1x30',
        },
      ],
      at: '15m',
      fires: [{ severity: 'warning', labels: podLabels }],
    },
    {
      title: 'one brief back-off, and a crash loop in another namespace, stay silent',
      series: [
        {
          series: `kube_pod_container_status_waiting_reason{${apiPod}, reason="CrashLoopBackOff"}`,
          values: '0 0 1 0x27',
        },
        {
          series:
            'kube_pod_container_status_waiting_reason{namespace="monitoring", pod="x", container="x", reason="CrashLoopBackOff"}',
          values: '1x30',
        },
      ],
      at: '20m',
      fires: [],
    },
  ],
  PodNotReady: [
    {
      title: 'running pod not ready for 20 minutes fires',
      series: [
        { series: `kube_pod_status_ready{${ns}, pod="api-1", condition="false"}`, values: '1x30' },
        { series: `kube_pod_status_phase{${ns}, pod="api-1", phase="Running"}`, values: '1x30' },
        { series: `kube_pod_status_phase{${ns}, pod="api-1", phase="Succeeded"}`, values: '0x30' },
      ],
      at: '20m',
      fires: [{ severity: 'warning', labels: { namespace: 'conduit', pod: 'api-1' } }],
    },
    {
      title: 'a ready pod and a completed backup pod stay silent',
      series: [
        { series: `kube_pod_status_ready{${ns}, pod="api-1", condition="false"}`, values: '0x30' },
        { series: `kube_pod_status_phase{${ns}, pod="api-1", phase="Running"}`, values: '1x30' },
        { series: `kube_pod_status_ready{${ns}, pod="backup-1", condition="false"}`, values: '1x30' },
        { series: `kube_pod_status_phase{${ns}, pod="backup-1", phase="Running"}`, values: '0x30' },
        { series: `kube_pod_status_phase{${ns}, pod="backup-1", phase="Succeeded"}`, values: '1x30' },
      ],
      at: '20m',
      fires: [],
    },
  ],
  WorkerQueueBacklog: [
    {
      title: 'the oldest notification waiting past 15 minutes for 10 more fires for the notifier',
      series: [
        // Nothing is sent: the age grows a minute per minute from 10 minutes.
        { series: `notifier_queue_oldest_age_seconds{${ns}, pod="notifier-1"}`, values: '600+60x40' },
        { series: `notifier_queue_oldest_age_seconds{${ns}, pod="notifier-2"}`, values: '600+60x40' },
      ],
      at: '30m',
      fires: [{ severity: 'warning', labels: { workload: 'notifier' } }],
    },
    {
      title: 'a backlog that stays under 15 minutes, or is above it for less than 10, stays silent',
      series: [
        {
          series: `notifier_queue_oldest_age_seconds{${ns}, pod="notifier-1"}`,
          values: '600x10 1000x5 300x20',
        },
      ],
      at: '30m',
      fires: [],
    },
  ],
  WorkloadUnavailable: [
    {
      title: 'the HPA wants 2 pods and none has been ready for 5 minutes fires, for that workload only',
      series: [
        {
          series: `kube_horizontalpodautoscaler_status_desired_replicas{${ns}, horizontalpodautoscaler="api"}`,
          values: '2x15',
        },
        { series: `kube_pod_container_status_ready{${apiPod}}`, values: '0x15' },
        {
          series: `kube_horizontalpodautoscaler_status_desired_replicas{${ns}, horizontalpodautoscaler="web"}`,
          values: '2x15',
        },
        { series: `kube_pod_container_status_ready{${ns}, pod="web-1", container="web"}`, values: '1x15' },
      ],
      at: '10m',
      fires: [{ severity: 'critical', labels: { workload: 'api' } }],
    },
    {
      title: 'one ready pod, a stopped stage (HPA wants none), and a 3-minute gap stay silent',
      series: [
        {
          series: `kube_horizontalpodautoscaler_status_desired_replicas{${ns}, horizontalpodautoscaler="api"}`,
          values: '2x15',
        },
        { series: `kube_pod_container_status_ready{${apiPod}}`, values: '1 1 1 1 1 1 0 0 0 1 1 1 1 1 1 1' },
        {
          series: `kube_horizontalpodautoscaler_status_desired_replicas{${ns}, horizontalpodautoscaler="web"}`,
          values: '0x15',
        },
      ],
      at: '10m',
      fires: [],
    },
  ],
  HighCPUUsage: [
    {
      title: 'container at 95% of its CPU limit for 15 minutes fires',
      series: [
        { series: `container_cpu_usage_seconds_total{${apiPod}}`, values: '0+57x30' },
        {
          series: `kube_pod_container_resource_limits{${apiPod}, resource="cpu", unit="core"}`,
          values: '1x30',
        },
      ],
      at: '25m',
      fires: [{ severity: 'warning', labels: podLabels, value: '95%' }],
    },
    {
      title: 'container at 50% of its limit stays silent (pod-level cgroup series ignored)',
      series: [
        { series: `container_cpu_usage_seconds_total{${apiPod}}`, values: '0+30x30' },
        {
          series: `container_cpu_usage_seconds_total{${ns}, pod="api-7d9f-abcde", container=""}`,
          values: '0+600x30',
        },
        {
          series: `kube_pod_container_resource_limits{${apiPod}, resource="cpu", unit="core"}`,
          values: '1x30',
        },
      ],
      at: '25m',
      fires: [],
    },
  ],
  HighMemoryUsage: [
    {
      title: 'working set at 95% of the memory limit fires',
      series: [
        { series: `container_memory_working_set_bytes{${apiPod}}`, values: '486539264x30' },
        {
          series: `kube_pod_container_resource_limits{${apiPod}, resource="memory", unit="byte"}`,
          values: '512147615x30',
        },
      ],
      at: '20m',
      fires: [{ severity: 'warning', labels: podLabels, value: '95%' }],
    },
    {
      title: 'working set at half the limit stays silent',
      series: [
        { series: `container_memory_working_set_bytes{${apiPod}}`, values: '256000000x30' },
        {
          series: `kube_pod_container_resource_limits{${apiPod}, resource="memory", unit="byte"}`,
          values: '512000000x30',
        },
      ],
      at: '20m',
      fires: [],
    },
  ],
  ContainerOOMKilled: [
    {
      title: 'restart whose last termination is OOMKilled fires',
      series: [
        { series: `kube_pod_container_status_restarts_total{${apiPod}}`, values: '0x10 1x20' },
        {
          series: `kube_pod_container_status_last_terminated_reason{${apiPod}, reason="OOMKilled"}`,
          values: '_x10 1x20',
        },
      ],
      at: '14m',
      fires: [{ severity: 'warning', labels: podLabels }],
    },
    {
      title: 'restart for another reason stays silent',
      series: [
        { series: `kube_pod_container_status_restarts_total{${apiPod}}`, values: '0x10 1x20' },
        {
          series: `kube_pod_container_status_last_terminated_reason{${apiPod}, reason="Error"}`,
          values: '_x10 1x20',
        },
      ],
      at: '14m',
      fires: [],
    },
  ],
  HighNodeCPU: [
    {
      title: 'node 95% busy for 15 minutes fires',
      series: [
        {
          series: 'node_cpu_seconds_total{instance="10.0.1.5:9100", cpu="0", mode="idle"}',
          values: '0+3x30',
        },
        {
          series: 'node_cpu_seconds_total{instance="10.0.1.5:9100", cpu="1", mode="idle"}',
          values: '0+3x30',
        },
      ],
      at: '25m',
      fires: [{ severity: 'warning', labels: { instance: '10.0.1.5:9100' }, value: '95%' }],
    },
    {
      title: 'node half idle stays silent',
      series: [
        {
          series: 'node_cpu_seconds_total{instance="10.0.1.5:9100", cpu="0", mode="idle"}',
          values: '0+30x30',
        },
      ],
      at: '25m',
      fires: [],
    },
  ],
  HighNodeMemory: [
    {
      title: 'node with 5% memory available fires',
      series: [
        { series: 'node_memory_MemAvailable_bytes{instance="10.0.1.5:9100"}', values: '5x30' },
        { series: 'node_memory_MemTotal_bytes{instance="10.0.1.5:9100"}', values: '100x30' },
      ],
      at: '20m',
      fires: [{ severity: 'warning', labels: { instance: '10.0.1.5:9100' }, value: '95%' }],
    },
    {
      title: 'node with half its memory available stays silent',
      series: [
        { series: 'node_memory_MemAvailable_bytes{instance="10.0.1.5:9100"}', values: '50x30' },
        { series: 'node_memory_MemTotal_bytes{instance="10.0.1.5:9100"}', values: '100x30' },
      ],
      at: '20m',
      fires: [],
    },
  ],
  PersistentVolumeFillingUp: [
    {
      title: 'volume with 2% free fires critical at once',
      series: [
        {
          series:
            'kubelet_volume_stats_available_bytes{namespace="monitoring", persistentvolumeclaim="prometheus-db"}',
          values: '20x10',
        },
        {
          series:
            'kubelet_volume_stats_capacity_bytes{namespace="monitoring", persistentvolumeclaim="prometheus-db"}',
          values: '1000x10',
        },
      ],
      at: '5m',
      fires: [
        {
          severity: 'critical',
          labels: { namespace: 'monitoring', persistentvolumeclaim: 'prometheus-db' },
          value: '2%',
        },
      ],
    },
    {
      title: 'volume under 15% free and shrinking fires warning after an hour',
      series: [
        {
          series:
            'kubelet_volume_stats_available_bytes{namespace="monitoring", persistentvolumeclaim="prometheus-db"}',
          values: '140-1x100',
        },
        {
          series:
            'kubelet_volume_stats_capacity_bytes{namespace="monitoring", persistentvolumeclaim="prometheus-db"}',
          values: '1000x100',
        },
      ],
      at: '90m',
      fires: [
        { severity: 'warning', labels: { namespace: 'monitoring', persistentvolumeclaim: 'prometheus-db' } },
      ],
    },
    {
      title: 'volume 10% free but stable, and a volume 80% free, stay silent',
      series: [
        {
          series:
            'kubelet_volume_stats_available_bytes{namespace="monitoring", persistentvolumeclaim="prometheus-db"}',
          values: '100x100',
        },
        {
          series:
            'kubelet_volume_stats_capacity_bytes{namespace="monitoring", persistentvolumeclaim="prometheus-db"}',
          values: '1000x100',
        },
        {
          series:
            'kubelet_volume_stats_available_bytes{namespace="monitoring", persistentvolumeclaim="grafana"}',
          values: '800x100',
        },
        {
          series:
            'kubelet_volume_stats_capacity_bytes{namespace="monitoring", persistentvolumeclaim="grafana"}',
          values: '1000x100',
        },
      ],
      at: '90m',
      fires: [],
    },
  ],
  APIAvailabilityBudgetBurn: [
    {
      title: '9% of requests failing pages (critical) and tickets (warning)',
      series: [
        { series: req('200'), values: '0+600x120' },
        { series: req('500'), values: '0+60x120' },
      ],
      at: '60m',
      fires: [
        { severity: 'critical', labels: { namespace: 'conduit' } },
        { severity: 'warning', labels: { namespace: 'conduit' } },
      ],
    },
    {
      title: '1% failing pages through the 6h/30m pair alone (under the 14.4x of 1h/5m)',
      series: [
        { series: req('200'), values: '0+594x120' },
        { series: req('500'), values: '0+6x120' },
      ],
      at: '60m',
      fires: [
        { severity: 'critical', labels: { namespace: 'conduit' } },
        { severity: 'warning', labels: { namespace: 'conduit' } },
      ],
    },
    {
      title: '0.5% of requests failing tickets only (warning)',
      series: [
        { series: req('200'), values: '0+597x150' },
        { series: req('503'), values: '0+3x150' },
      ],
      at: '140m',
      fires: [{ severity: 'warning', labels: { namespace: 'conduit' } }],
    },
    {
      title: '0.05% failing (within the 99.9% SLO) and 4xx errors stay silent',
      series: [
        { series: req('200'), values: '0+540x150' },
        { series: req('404'), values: '0+60x150' },
        { series: req('500'), values: '0+0.3x150' },
      ],
      at: '140m',
      fires: [],
    },
  ],
  APILatencyBudgetBurn: [
    {
      title: '30% of requests slower than 300 ms pages and tickets',
      series: [
        { series: hist('count'), values: '0+600x120' },
        { series: hist('bucket', '0.3'), values: '0+420x120' },
      ],
      at: '60m',
      fires: [
        { severity: 'critical', labels: { namespace: 'conduit' } },
        { severity: 'warning', labels: { namespace: 'conduit' } },
      ],
    },
    {
      title: '10% slower than 300 ms pages through the 6h/30m pair alone',
      series: [
        { series: hist('count'), values: '0+600x120' },
        { series: hist('bucket', '0.3'), values: '0+540x120' },
      ],
      at: '60m',
      fires: [
        { severity: 'critical', labels: { namespace: 'conduit' } },
        { severity: 'warning', labels: { namespace: 'conduit' } },
      ],
    },
    {
      title: '4% slower than 300 ms tickets only',
      series: [
        { series: hist('count'), values: '0+600x150' },
        { series: hist('bucket', '0.3'), values: '0+576x150' },
      ],
      at: '140m',
      fires: [{ severity: 'warning', labels: { namespace: 'conduit' } }],
    },
    {
      title: '0.5% slower than 300 ms (within the 99% SLO) stays silent',
      series: [
        { series: hist('count'), values: '0+600x150' },
        { series: hist('bucket', '0.3'), values: '0+597x150' },
      ],
      at: '140m',
      fires: [],
    },
  ],
  RolloutAborted: [
    {
      title: 'rollout in phase Abort fires',
      series: [
        { series: phase('Abort'), values: '1x10' },
        { series: phase('Completed'), values: '0x10' },
      ],
      at: '5m',
      fires: [{ severity: 'warning', labels: { namespace: 'conduit', name: 'api' } }],
    },
    {
      title: 'completed rollout stays silent',
      series: [
        { series: phase('Abort'), values: '0x10' },
        { series: phase('Completed'), values: '1x10' },
      ],
      at: '5m',
      fires: [],
    },
  ],
  RolloutStuck: [
    {
      title: 'progress deadline exceeded (Timeout) fires',
      series: [{ series: phase('Timeout'), values: '0 1x10' }],
      at: '8m',
      fires: [{ severity: 'warning', labels: { namespace: 'conduit', name: 'api' } }],
    },
    {
      title: 'paused for over an hour fires',
      series: [{ series: phase('Paused'), values: '1x90' }],
      at: '70m',
      fires: [{ severity: 'warning', labels: { namespace: 'conduit', name: 'api' } }],
    },
    {
      title: 'a 20-minute canary pause that completes stays silent',
      series: [
        { series: phase('Paused'), values: '1x20 0x60' },
        { series: phase('Completed'), values: '0x20 1x60' },
        { series: phase('Timeout'), values: '0x80' },
      ],
      at: '75m',
      fires: [],
    },
  ],
  DBPoolSaturated: [
    {
      title: 'pool fully used with requests waiting for 10 minutes fires',
      series: [
        { series: `db_pool_connections_in_use{${ns}, job="api", pod="api-1"}`, values: '10x15' },
        { series: `db_pool_connections_max{${ns}, job="api", pod="api-1"}`, values: '10x15' },
        { series: `db_pool_requests_waiting{${ns}, job="api", pod="api-1"}`, values: '3x15' },
      ],
      at: '10m',
      fires: [{ severity: 'warning', labels: { namespace: 'conduit', pod: 'api-1' } }],
    },
    {
      title: 'pool fully used without a queue stays silent',
      series: [
        { series: `db_pool_connections_in_use{${ns}, job="api", pod="api-1"}`, values: '10x15' },
        { series: `db_pool_connections_max{${ns}, job="api", pod="api-1"}`, values: '10x15' },
        { series: `db_pool_requests_waiting{${ns}, job="api", pod="api-1"}`, values: '0x15' },
      ],
      at: '10m',
      fires: [],
    },
  ],
  BackupJobFailed: [
    {
      title: 'failed backup job newer than the last success fires',
      series: [
        { series: `kube_job_status_start_time{${ns}, ${job}}`, values: '3000x10' },
        { series: `kube_job_status_failed{${ns}, ${job}, reason="BackoffLimitExceeded"}`, values: '1x10' },
        {
          series: `kube_job_owner{${ns}, ${job}, owner_kind="CronJob", owner_name="backup", owner_is_controller="true"}`,
          values: '1x10',
        },
        { series: `kube_cronjob_status_last_successful_time{${cron}}`, values: '1000x10' },
        { series: `kube_cronjob_created{${cron}}`, values: '0x10' },
      ],
      at: '5m',
      fires: [{ severity: 'warning', labels: { namespace: 'conduit', job_name: 'backup-29010000' } }],
    },
    {
      title: 'failed backup job of a CronJob that never succeeded fires',
      series: [
        { series: `kube_job_status_start_time{${ns}, ${job}}`, values: '3000x10' },
        { series: `kube_job_status_failed{${ns}, ${job}}`, values: '1x10' },
        {
          series: `kube_job_owner{${ns}, ${job}, owner_kind="CronJob", owner_name="backup"}`,
          values: '1x10',
        },
        { series: `kube_cronjob_created{${cron}}`, values: '0x10' },
      ],
      at: '5m',
      fires: [{ severity: 'warning', labels: { namespace: 'conduit', job_name: 'backup-29010000' } }],
    },
    {
      title: 'a failure followed by a success, and a failed job of another CronJob, stay silent',
      series: [
        { series: `kube_job_status_start_time{${ns}, ${job}}`, values: '3000x10' },
        { series: `kube_job_status_failed{${ns}, ${job}}`, values: '1x10' },
        {
          series: `kube_job_owner{${ns}, ${job}, owner_kind="CronJob", owner_name="backup"}`,
          values: '1x10',
        },
        { series: `kube_job_status_start_time{${ns}, job_name="cleanup-1"}`, values: '3000x10' },
        { series: `kube_job_status_failed{${ns}, job_name="cleanup-1"}`, values: '1x10' },
        {
          series: `kube_job_owner{${ns}, job_name="cleanup-1", owner_kind="CronJob", owner_name="cleanup"}`,
          values: '1x10',
        },
        { series: `kube_cronjob_status_last_successful_time{${cron}}`, values: '5000x10' },
        { series: `kube_cronjob_created{${cron}}`, values: '0x10' },
      ],
      at: '5m',
      fires: [],
    },
  ],
  BackupMissing: [
    {
      title: 'last success 27 hours ago fires',
      interval: '10m',
      series: [
        { series: `kube_cronjob_status_last_successful_time{${cron}}`, values: '0x200' },
        { series: `kube_cronjob_created{${cron}}`, values: '0x200' },
      ],
      at: '27h',
      fires: [{ severity: 'critical', labels: { namespace: 'conduit', cronjob: 'backup' } }],
    },
    {
      title: 'CronJob created 27 hours ago that never succeeded fires',
      interval: '10m',
      series: [{ series: `kube_cronjob_created{${cron}}`, values: '0x200' }],
      at: '27h',
      fires: [{ severity: 'critical', labels: { namespace: 'conduit', cronjob: 'backup' } }],
    },
    {
      title: 'success 25 hours ago, and a CronJob created 7 hours ago, stay silent',
      interval: '10m',
      series: [
        { series: `kube_cronjob_status_last_successful_time{${cron}}`, values: '7200x200' },
        { series: `kube_cronjob_created{${cron}}`, values: '0x200' },
        { series: 'kube_cronjob_created{namespace="other", cronjob="backup"}', values: '72000x200' },
      ],
      at: '27h',
      fires: [],
    },
  ],
  RestoreDrillFailed: [
    {
      title: 'a failed drill job newer than the last successful drill fires',
      // Hour steps for every case: the scenarios span 9 days, and the first case's interval is the
      // evaluation interval of the whole file.
      interval: '1h',
      series: [
        { series: `kube_job_status_start_time{${ns}, ${drillJob}}`, values: '3000x10' },
        {
          series: `kube_job_status_failed{${ns}, ${drillJob}, reason="BackoffLimitExceeded"}`,
          values: '1x10',
        },
        {
          series: `kube_job_owner{${ns}, ${drillJob}, owner_kind="CronJob", owner_name="restore-drill"}`,
          values: '1x10',
        },
        { series: `kube_cronjob_status_last_successful_time{${drillCron}}`, values: '1000x10' },
        { series: `kube_cronjob_created{${drillCron}}`, values: '0x10' },
      ],
      at: '2h',
      fires: [{ severity: 'warning', labels: { namespace: 'conduit', job_name: 'restore-drill-29010000' } }],
    },
    {
      title: 'last successful drill 9 days ago fires',
      interval: '1h',
      series: [
        { series: `kube_cronjob_status_last_successful_time{${drillCron}}`, values: '0x240' },
        { series: `kube_cronjob_created{${drillCron}}`, values: '0x240' },
      ],
      at: '9d',
      fires: [{ severity: 'warning', labels: { namespace: 'conduit', cronjob: 'restore-drill' } }],
    },
    {
      title: 'a drill CronJob created 9 days ago that never succeeded fires',
      interval: '1h',
      series: [{ series: `kube_cronjob_created{${drillCron}}`, values: '0x240' }],
      at: '9d',
      fires: [{ severity: 'warning', labels: { namespace: 'conduit', cronjob: 'restore-drill' } }],
    },
    {
      title: 'a failure followed by a success 7 days ago, and a failed backup job, stay silent',
      interval: '1h',
      series: [
        { series: `kube_job_status_start_time{${ns}, ${drillJob}}`, values: '3000x240' },
        { series: `kube_job_status_failed{${ns}, ${drillJob}}`, values: '1x240' },
        {
          series: `kube_job_owner{${ns}, ${drillJob}, owner_kind="CronJob", owner_name="restore-drill"}`,
          values: '1x240',
        },
        { series: `kube_job_status_start_time{${ns}, ${job}}`, values: '700000x240' },
        { series: `kube_job_status_failed{${ns}, ${job}}`, values: '1x240' },
        {
          series: `kube_job_owner{${ns}, ${job}, owner_kind="CronJob", owner_name="backup"}`,
          values: '1x240',
        },
        { series: `kube_cronjob_status_last_successful_time{${drillCron}}`, values: '172800x240' },
        { series: `kube_cronjob_created{${drillCron}}`, values: '0x240' },
      ],
      at: '9d',
      fires: [],
    },
  ],
  CertificateExpiring: [
    {
      title: 'certificate 10 days from expiry warns',
      series: [{ series: probe, values: '871200x150' }],
      at: '2h',
      fires: [
        { severity: 'warning', labels: { instance: 'https://conduit.example.com' }, value: '10d 0h 0m 0s' },
      ],
    },
    {
      title: 'certificate 3 days from expiry pages and warns',
      series: [{ series: probe, values: '266400x150' }],
      at: '2h',
      fires: [
        { severity: 'critical', labels: { instance: 'https://conduit.example.com' }, value: '3d 0h 0m 0s' },
        { severity: 'warning', labels: { instance: 'https://conduit.example.com' }, value: '3d 0h 0m 0s' },
      ],
    },
    {
      title: 'certificate 60 days from expiry stays silent',
      series: [{ series: probe, values: '5191200x150' }],
      at: '2h',
      fires: [],
    },
  ],
};

const groups = alertRuleGroups();
const alertingRules = groups.flatMap((g) => g.rules.filter(isAlertingRule));

/** The rule an expected alert comes from; a per-workload rule is told apart by its `workload` label. */
function ruleFor(alert: AlertName, severity: Severity, labels: Record<string, string> = {}): AlertingRule {
  const rule = alertingRules.find(
    (r) =>
      r.alert === alert &&
      r.labels.severity === severity &&
      (r.labels.workload === undefined || r.labels.workload === labels.workload),
  );
  if (rule === undefined) throw new Error(`no ${severity} rule for ${alert}`);
  return rule;
}

/** Expands the template subset our annotations use, as Prometheus would for the given case. */
function expand(template: string, labels: Record<string, string>, value: string | undefined): string {
  return template.replace(
    /\{\{ \$(labels\.(\w+)|value \| \w+) \}\}/g,
    (_match, _all, label: string | undefined) => {
      if (label !== undefined) return labels[label] ?? '';
      if (value === undefined) throw new Error(`template "${template}" needs the expected $value`);
      return value;
    },
  );
}

/** The alert's own rules plus the recording rules it reads, so promtool evaluates nothing else. */
function groupsFor(alert: AlertName) {
  return groups
    .map((group) => ({
      name: group.name,
      rules: group.rules.filter((rule) =>
        isAlertingRule(rule) ? rule.alert === alert : alert.endsWith('BudgetBurn'),
      ),
    }))
    .filter((group) => group.rules.length > 0);
}

function promtoolTest(alert: AlertName, cases: readonly Scenario[]) {
  return {
    rule_files: [`${alert}.rules.yml`],
    // Day-long scenarios are evaluated at their sample interval; minute steps over 27 h cost seconds.
    evaluation_interval: cases[0]?.interval ?? '1m',
    tests: cases.map((scenario) => ({
      name: scenario.title,
      interval: scenario.interval ?? '1m',
      input_series: scenario.series,
      alert_rule_test: [
        {
          eval_time: scenario.at,
          alertname: alert,
          exp_alerts: scenario.fires.map((expected) => {
            const rule = ruleFor(alert, expected.severity, expected.labels);
            const labels = { ...expected.labels, severity: expected.severity };
            return {
              exp_labels: labels,
              exp_annotations: {
                summary: expand(rule.annotations.summary, labels, expected.value),
                description: expand(rule.annotations.description, labels, expected.value),
                runbook_url: rule.annotations.runbook_url,
              },
            };
          }),
        },
      ],
    })),
  };
}

describe('alert rules (real promtool)', () => {
  let files: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    files = await tempDir('rules');
    await files.yaml('rules.yml', { groups });
  });
  afterAll(async () => {
    await files?.dispose();
  });

  it('pass promtool check rules', async () => {
    const result = await run(promtool(), ['check', 'rules', 'rules.yml'], files.dir);
    expect(result.output).toContain(`SUCCESS: ${groups.flatMap((g) => g.rules).length} rules found`);
    expect(result.code).toBe(0);
  });

  it('cover every alert of the issue, each with a severity, summary, description and runbook', () => {
    expect([...new Set(alertingRules.map((r) => r.alert))].sort()).toEqual([...ALERT_NAMES].sort());
    for (const rule of alertingRules) {
      expect(['critical', 'warning']).toContain(rule.labels.severity);
      expect(rule.annotations.summary.length).toBeGreaterThan(10);
      expect(rule.annotations.description.length).toBeGreaterThan(20);
      expect(rule.annotations.runbook_url).toBe(`${REPOSITORY_BLOB_URL}/${RUNBOOKS_PATH}/${rule.alert}.md`);
      const runbook = join(import.meta.dirname, '../../..', RUNBOOKS_PATH, `${rule.alert}.md`);
      expect(existsSync(runbook), runbook).toBe(true);
      const text = readFileSync(runbook, 'utf8');
      expect(text).toMatch(new RegExp(`^# ${rule.alert}\\n`));
      expect(text).toContain('## Check');
      expect(text).toContain('## Do');
    }
  });

  it.each(ALERT_NAMES)('%s fires on its bad cases and stays silent on its healthy ones', async (alert) => {
    const cases = scenarios[alert];
    expect(cases.some((c) => c.fires.length > 0)).toBe(true);
    expect(cases.some((c) => c.fires.length === 0)).toBe(true);
    const severities = new Set(alertingRules.filter((r) => r.alert === alert).map((r) => r.labels.severity));
    expect(new Set(cases.flatMap((c) => c.fires.map((f) => f.severity)))).toEqual(severities);
    await files.yaml(`${alert}.rules.yml`, { groups: groupsFor(alert) });
    const file = await files.yaml(`${alert}.test.yml`, promtoolTest(alert, cases));
    const result = await run(promtool(), ['test', 'rules', file], files.dir);
    expect(result.output).not.toContain('FAILED');
    expect(result.code).toBe(0);
  });

  it('promtool rejects a wrong expectation (the harness can fail)', async () => {
    const [bad] = scenarios.PodCrashLooping;
    const healthy = scenarios.PodCrashLooping[1];
    if (bad === undefined || healthy === undefined) throw new Error('missing PodCrashLooping cases');
    await files.yaml('PodCrashLooping.rules.yml', { groups: groupsFor('PodCrashLooping') });
    const file = await files.yaml(
      'wrong.test.yml',
      promtoolTest('PodCrashLooping', [{ ...healthy, fires: bad.fires }]),
    );
    const result = await run(promtool(), ['test', 'rules', file], files.dir);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('FAILED');
  });

  it('leaves the backup alerts out when a stage has no backup CronJob, and rejects bad options', () => {
    const names = alertRuleGroups({ backupCronJob: false }).flatMap((g) =>
      g.rules.filter(isAlertingRule).map((r) => r.alert),
    );
    expect(names).not.toContain('BackupMissing');
    expect(names).not.toContain('BackupJobFailed');
    expect(names).toContain('RestoreDrillFailed');
    const noDrill = alertRuleGroups({ restoreDrillCronJob: false }).flatMap((g) =>
      g.rules.filter(isAlertingRule).map((r) => r.alert),
    );
    expect(noDrill).not.toContain('RestoreDrillFailed');
    expect(() => alertRuleGroups({ namespace: 'Bad_NS' })).toThrow(/namespace must be a DNS-1123 label/);
    expect(() => alertRuleGroups({ runbookBaseUrl: 'http://x/' })).toThrow(/runbookBaseUrl/);
  });
});
