import { APP_NAMESPACE, WORKLOADS, type Workload } from '@conduit/platform';
import * as cloudwatch from '@grafana/grafana-foundation-sdk/cloudwatch';
import type { Builder, Dataquery } from '@grafana/grafana-foundation-sdk/cog';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';
import {
  type Dashboard,
  DashboardBuilder,
  DashboardCursorSync,
  type Panel,
  RowBuilder,
  TextBoxVariableBuilder,
} from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import {
  AVAILABILITY_OBJECTIVE,
  BURN_RATE_WINDOWS,
  errorRatioRecord,
  LATENCY_OBJECTIVE,
  LATENCY_THRESHOLD_SECONDS,
  slowRatioRecord,
} from './rules.js';

/** kube-prometheus-stack provisions its Prometheus datasource with this uid. */
export const PROMETHEUS_DATASOURCE: DataSourceRef = { type: 'prometheus', uid: 'prometheus' };
/** Added by `kubePrometheusStackValues` (AWS SDK default credentials via Pod Identity). */
export const CLOUDWATCH_DATASOURCE: DataSourceRef = { type: 'cloudwatch', uid: 'cloudwatch' };
/** Label the Grafana sidecar watches for dashboard ConfigMaps. */
export const GRAFANA_DASHBOARD_LABEL = 'grafana_dashboard';

type Query = { prom: string; legend: string } | { cw: cloudwatch.MetricsQueryBuilder };

const ns = `namespace="$namespace"`;
const rate = (metric: string, matchers = '') =>
  `rate(${metric}{${ns}${matchers === '' ? '' : `, ${matchers}`}}[$__rate_interval])`;

function queries(list: readonly Query[]): Builder<Dataquery>[] {
  return list.map((q, i) => {
    const refId = String.fromCharCode(65 + i);
    if ('prom' in q) {
      return new prometheus.DataqueryBuilder()
        .datasource(PROMETHEUS_DATASOURCE)
        .expr(q.prom)
        .legendFormat(q.legend)
        .refId(refId);
    }
    return q.cw.datasource(CLOUDWATCH_DATASOURCE).refId(refId);
  });
}

function graph(title: string, unit: string, list: readonly Query[], description?: string) {
  const panel = new timeseries.PanelBuilder()
    .title(title)
    .unit(unit)
    .datasource(list.every((q) => 'prom' in q) ? PROMETHEUS_DATASOURCE : CLOUDWATCH_DATASOURCE)
    .targets(queries(list))
    .height(8)
    .span(8);
  return description === undefined ? panel : panel.description(description);
}

function single(title: string, unit: string, list: readonly Query[]) {
  return new stat.PanelBuilder()
    .title(title)
    .unit(unit)
    .datasource(PROMETHEUS_DATASOURCE)
    .targets(queries(list))
    .height(4)
    .span(6);
}

function cw(namespace: string, metricName: string, dimensions: Record<string, string>, statistic: string) {
  return {
    cw: new cloudwatch.MetricsQueryBuilder()
      .namespace(namespace)
      .metricName(metricName)
      .dimensions(dimensions)
      .statistic(statistic)
      .region('default')
      .period('')
      .matchExact(true)
      .label(`${metricName} ${statistic}`),
  };
}

function base(uid: string, title: string, description: string) {
  return new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['conduit', 'generated'])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .refresh('30s')
    .time({ from: 'now-3h', to: 'now' })
    .timezone('utc')
    .withVariable(new TextBoxVariableBuilder('namespace').label('Namespace').defaultValue(APP_NAMESPACE));
}

const quantiles = [0.5, 0.95, 0.99].map((q) => ({
  prom: `histogram_quantile(${q}, sum by (le) (${rate('http_request_duration_seconds_bucket')}))`,
  legend: `p${q * 100}`,
}));

function overview(): Dashboard {
  return base('conduit-overview', 'Conduit / Overview', 'RED per tier: rate, errors, p50/p95/p99.')
    .withVariable(new TextBoxVariableBuilder('load_balancer').label('ALB (app/<name>/<id>)'))
    .withVariable(
      new TextBoxVariableBuilder('web_target_group').label('Web target group (targetgroup/<name>/<id>)'),
    )
    .withVariable(new TextBoxVariableBuilder('db_instance').label('RDS instance id'))
    .withRow(new RowBuilder('API'))
    .withPanel(
      graph('API requests', 'reqps', [
        { prom: `sum by (route) (${rate('http_requests_total')})`, legend: '{{route}}' },
      ]),
    )
    .withPanel(
      graph('API 5xx ratio', 'percentunit', [
        {
          prom: `sum(${rate('http_requests_total', 'status_code=~"5.."')}) / sum(${rate('http_requests_total')})`,
          legend: '5xx',
        },
      ]),
    )
    .withPanel(graph('API latency', 's', quantiles))
    .withRow(new RowBuilder('Web (ALB target group)'))
    .withPanel(
      graph('Web requests', 'short', [
        cw(
          'AWS/ApplicationELB',
          'RequestCount',
          { LoadBalancer: '$load_balancer', TargetGroup: '$web_target_group' },
          'Sum',
        ),
      ]),
    )
    .withPanel(
      graph('Web 5xx', 'short', [
        cw(
          'AWS/ApplicationELB',
          'HTTPCode_Target_5XX_Count',
          { LoadBalancer: '$load_balancer', TargetGroup: '$web_target_group' },
          'Sum',
        ),
      ]),
    )
    .withPanel(
      graph(
        'Web response time',
        's',
        ['p50', 'p95', 'p99'].map((p) =>
          cw(
            'AWS/ApplicationELB',
            'TargetResponseTime',
            { LoadBalancer: '$load_balancer', TargetGroup: '$web_target_group' },
            p,
          ),
        ),
      ),
    )
    .withRow(new RowBuilder('Database (RDS)'))
    .withPanel(
      graph('DB CPU', 'percent', [
        cw('AWS/RDS', 'CPUUtilization', { DBInstanceIdentifier: '$db_instance' }, 'Average'),
      ]),
    )
    .withPanel(
      graph('DB connections', 'short', [
        cw('AWS/RDS', 'DatabaseConnections', { DBInstanceIdentifier: '$db_instance' }, 'Maximum'),
      ]),
    )
    .withPanel(
      graph('DB latency', 's', [
        cw('AWS/RDS', 'ReadLatency', { DBInstanceIdentifier: '$db_instance' }, 'Average'),
        cw('AWS/RDS', 'WriteLatency', { DBInstanceIdentifier: '$db_instance' }, 'Average'),
      ]),
    )
    .build();
}

const byTrackPod = `* on (namespace, pod) group_left (track) max by (namespace, pod, track) (label_replace(kube_pod_labels{${ns}, label_track!=""}, "track", "$1", "label_track", "(.*)"))`;

function canary(): Dashboard {
  return base(
    'conduit-canary',
    'Conduit / Canary vs stable',
    'The two tracks of a rollout side by side (ServiceMonitors copy the pod label track onto every series).',
  )
    .withRow(new RowBuilder('Rollout'))
    .withPanel(
      single('Rollout phase', 'none', [
        { prom: `max by (name, phase) (rollout_phase{${ns}}) == 1`, legend: '{{name}} {{phase}}' },
      ]),
    )
    .withPanel(
      single('Available replicas', 'short', [
        { prom: `max by (name) (rollout_info_replicas_available{${ns}})`, legend: '{{name}}' },
      ]),
    )
    .withRow(new RowBuilder('Traffic by track'))
    .withPanel(
      graph('Requests by track', 'reqps', [
        { prom: `sum by (track) (${rate('http_requests_total')})`, legend: '{{track}}' },
      ]),
    )
    .withPanel(
      graph('Success ratio by track', 'percentunit', [
        {
          prom: `sum by (track) (${rate('http_requests_total', 'status_code!~"5.."')}) / sum by (track) (${rate('http_requests_total')})`,
          legend: '{{track}}',
        },
      ]),
    )
    .withPanel(
      graph('p99 latency by track', 's', [
        {
          prom: `histogram_quantile(0.99, sum by (le, track) (${rate('http_request_duration_seconds_bucket')}))`,
          legend: 'p99 {{track}}',
        },
      ]),
    )
    .withRow(new RowBuilder('Pods by track'))
    .withPanel(
      graph('Restarts by track (15m)', 'short', [
        {
          prom: `sum by (track) (increase(kube_pod_container_status_restarts_total{${ns}}[15m]) ${byTrackPod})`,
          legend: '{{track}}',
        },
      ]),
    )
    .withPanel(
      graph('CPU by track', 'cores', [
        {
          prom: `sum by (track) (rate(container_cpu_usage_seconds_total{${ns}, container!="", container!="POD"}[$__rate_interval]) ${byTrackPod})`,
          legend: '{{track}}',
        },
      ]),
    )
    .withPanel(
      graph('Memory by track', 'bytes', [
        {
          prom: `sum by (track) (container_memory_working_set_bytes{${ns}, container!="", container!="POD"} ${byTrackPod})`,
          legend: '{{track}}',
        },
      ]),
    )
    .build();
}

function api(): Dashboard {
  return base(
    'conduit-api',
    'Conduit / API and DB pool',
    'API routes, status codes, runtime and the PostgreSQL pool.',
  )
    .withRow(new RowBuilder('Requests'))
    .withPanel(
      graph('Requests by status', 'reqps', [
        { prom: `sum by (status_code) (${rate('http_requests_total')})`, legend: '{{status_code}}' },
      ]),
    )
    .withPanel(
      graph('p99 by route', 's', [
        {
          prom: `histogram_quantile(0.99, sum by (le, route) (${rate('http_request_duration_seconds_bucket')}))`,
          legend: '{{route}}',
        },
      ]),
    )
    .withPanel(
      single('Versions', 'none', [
        { prom: `count by (version, git_sha) (app_info{${ns}})`, legend: '{{version}} {{git_sha}}' },
      ]),
    )
    .withRow(new RowBuilder('DB pool'))
    .withPanel(
      graph(
        'Pool connections',
        'short',
        [
          { prom: `sum by (pod) (db_pool_connections_in_use{${ns}})`, legend: 'in use {{pod}}' },
          { prom: `sum by (pod) (db_pool_connections_idle{${ns}})`, legend: 'idle {{pod}}' },
          { prom: `max by (pod) (db_pool_connections_max{${ns}})`, legend: 'max {{pod}}' },
        ],
        'DBPoolSaturated fires at 90% in use with requests waiting.',
      ),
    )
    .withPanel(
      graph('Requests waiting for a connection', 'short', [
        { prom: `sum by (pod) (db_pool_requests_waiting{${ns}})`, legend: '{{pod}}' },
      ]),
    )
    .withPanel(
      graph('Pool utilisation', 'percentunit', [
        {
          prom: `max by (pod) (db_pool_connections_in_use{${ns}}) / max by (pod) (db_pool_connections_max{${ns}})`,
          legend: '{{pod}}',
        },
      ]),
    )
    .withRow(new RowBuilder('Runtime'))
    .withPanel(
      graph('Event-loop lag', 's', [
        { prom: `max by (pod) (nodejs_eventloop_lag_seconds{${ns}})`, legend: '{{pod}}' },
      ]),
    )
    .withPanel(
      graph('Heap used', 'bytes', [
        { prom: `sum by (pod) (nodejs_heap_size_used_bytes{${ns}})`, legend: '{{pod}}' },
      ]),
    )
    .withPanel(
      graph('Resident memory', 'bytes', [
        { prom: `sum by (pod) (process_resident_memory_bytes{${ns}})`, legend: '{{pod}}' },
      ]),
    )
    .build();
}

const container = `${ns}, container!="", container!="POD"`;

/** One row per workload of the model: its ready pods, CPU and memory against limits, restarts. */
function workloadRow(builder: DashboardBuilder, workload: Workload): DashboardBuilder {
  const own = `${ns}, container="${workload.name}"`;
  const row = builder
    .withRow(new RowBuilder(`Workload ${workload.name}`))
    .withPanel(
      graph(`${workload.name}: ready pods`, 'short', [
        { prom: `sum(kube_pod_container_status_ready{${own}})`, legend: 'ready' },
      ]),
    )
    .withPanel(
      graph(`${workload.name}: CPU / limit`, 'percentunit', [
        {
          prom: `sum by (pod) (rate(container_cpu_usage_seconds_total{${own}}[$__rate_interval])) / sum by (pod) (kube_pod_container_resource_limits{${own}, resource="cpu"})`,
          legend: '{{pod}}',
        },
      ]),
    )
    .withPanel(
      graph(`${workload.name}: memory / limit`, 'percentunit', [
        {
          prom: `sum by (pod) (container_memory_working_set_bytes{${own}}) / sum by (pod) (kube_pod_container_resource_limits{${own}, resource="memory"})`,
          legend: '{{pod}}',
        },
      ]),
    )
    .withPanel(
      graph(`${workload.name}: restarts (15m)`, 'short', [
        {
          prom: `sum by (pod) (increase(kube_pod_container_status_restarts_total{${own}}[15m]))`,
          legend: '{{pod}}',
        },
      ]),
    );
  // A worker with a queue also gets the age its backlog alert (WorkerQueueBacklog) watches.
  return workload.queue
    ? row.withPanel(
        graph(`${workload.name}: oldest queued`, 's', [
          { prom: `max(${workload.queue.ageMetric}{${ns}})`, legend: 'oldest' },
        ]),
      )
    : row;
}

function resources(workloads: readonly Workload[]): Dashboard {
  const builder = base(
    'conduit-resources',
    'Conduit / Pods and nodes',
    'CPU and memory against limits, restarts, nodes, volumes.',
  )
    .withRow(new RowBuilder('Pods'))
    .withPanel(
      graph('CPU / limit', 'percentunit', [
        {
          prom: `sum by (pod, container) (rate(container_cpu_usage_seconds_total{${container}}[$__rate_interval])) / sum by (pod, container) (kube_pod_container_resource_limits{${ns}, resource="cpu"})`,
          legend: '{{pod}}/{{container}}',
        },
      ]),
    )
    .withPanel(
      graph('Memory / limit', 'percentunit', [
        {
          prom: `sum by (pod, container) (container_memory_working_set_bytes{${container}}) / sum by (pod, container) (kube_pod_container_resource_limits{${ns}, resource="memory"})`,
          legend: '{{pod}}/{{container}}',
        },
      ]),
    )
    .withPanel(
      graph('Restarts (15m)', 'short', [
        {
          prom: `sum by (pod, container) (increase(kube_pod_container_status_restarts_total{${ns}}[15m]))`,
          legend: '{{pod}}/{{container}}',
        },
      ]),
    );
  return workloads
    .reduce(workloadRow, builder)
    .withRow(new RowBuilder('Nodes'))
    .withPanel(
      graph('Node CPU busy', 'percentunit', [
        {
          prom: `1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[$__rate_interval]))`,
          legend: '{{instance}}',
        },
      ]),
    )
    .withPanel(
      graph('Node memory used', 'percentunit', [
        {
          prom: '1 - max by (instance) (node_memory_MemAvailable_bytes) / max by (instance) (node_memory_MemTotal_bytes)',
          legend: '{{instance}}',
        },
      ]),
    )
    .withPanel(
      graph('Volume used', 'percentunit', [
        {
          prom: '1 - max by (namespace, persistentvolumeclaim) (kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes)',
          legend: '{{namespace}}/{{persistentvolumeclaim}}',
        },
      ]),
    )
    .build();
}

function slo(): Dashboard {
  const availabilityBudget = 1 - AVAILABILITY_OBJECTIVE;
  const latencyBudget = 1 - LATENCY_OBJECTIVE;
  const burnQueries = (record: (w: string) => string, budget: number) =>
    [...new Set(BURN_RATE_WINDOWS.flatMap((w) => [w.long, w.short]))].map((w) => ({
      prom: `${record(w)}{${ns}} / ${Number(budget.toFixed(6))}`,
      legend: w,
    }));
  return base(
    'conduit-slo',
    'Conduit / SLO burn',
    `Availability ${AVAILABILITY_OBJECTIVE * 100}% non-5xx and latency ${LATENCY_OBJECTIVE * 100}% under ${LATENCY_THRESHOLD_SECONDS * 1000} ms, 30 days. Burn rate 1 spends the budget exactly in 30 days; pages at 14.4 (1h) and 6 (6h).`,
  )
    .withRow(new RowBuilder('Budget'))
    .withPanel(
      single('Availability (30d)', 'percentunit', [
        { prom: `1 - avg_over_time(${errorRatioRecord('1h')}{${ns}}[30d])`, legend: 'availability' },
      ]),
    )
    .withPanel(
      single('Availability budget left', 'percentunit', [
        {
          prom: `1 - avg_over_time(${errorRatioRecord('1h')}{${ns}}[30d]) / ${Number(availabilityBudget.toFixed(6))}`,
          legend: 'budget left',
        },
      ]),
    )
    .withPanel(
      single('Under 300 ms (30d)', 'percentunit', [
        { prom: `1 - avg_over_time(${slowRatioRecord('1h')}{${ns}}[30d])`, legend: 'fast' },
      ]),
    )
    .withPanel(
      single('Latency budget left', 'percentunit', [
        {
          prom: `1 - avg_over_time(${slowRatioRecord('1h')}{${ns}}[30d]) / ${Number(latencyBudget.toFixed(6))}`,
          legend: 'budget left',
        },
      ]),
    )
    .withRow(new RowBuilder('Burn rate'))
    .withPanel(
      graph(
        'Availability burn rate',
        'x',
        burnQueries(errorRatioRecord, availabilityBudget),
        'Error ratio divided by the error budget (0.1%).',
      ).span(12),
    )
    .withPanel(
      graph(
        'Latency burn rate',
        'x',
        burnQueries(slowRatioRecord, latencyBudget),
        'Share of requests over 300 ms divided by the budget (1%).',
      ).span(12),
    )
    .build();
}

/**
 * The five Conduit dashboards as Grafana JSON models; the resources dashboard has a row per workload.
 * @param workloads the platform's workloads (default: the model's)
 */
export function dashboards(workloads: readonly Workload[] = WORKLOADS): Dashboard[] {
  return [overview(), canary(), api(), resources(workloads), slo()];
}

export interface DashboardConfigMap {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly data: Readonly<Record<string, string>>;
}

/** ConfigMaps (name, labels, data) for deploy/k8s to render; the Grafana sidecar loads them by label. */
export function dashboardConfigMaps(workloads: readonly Workload[] = WORKLOADS): DashboardConfigMap[] {
  return dashboards(workloads).map((d) => ({
    name: `${d.uid}-dashboard`,
    labels: { [GRAFANA_DASHBOARD_LABEL]: '1', 'app.kubernetes.io/part-of': 'conduit' },
    data: { [`${d.uid}.json`]: JSON.stringify(d) },
  }));
}

/** Every non-row panel of a dashboard (rows hold no queries). */
export function panelsOf(dashboard: Dashboard): Panel[] {
  return (dashboard.panels ?? []).filter((p): p is Panel => p.type !== 'row');
}
