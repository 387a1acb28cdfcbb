import { containerLogGroupName, stage as modelStage, PRODUCT } from '@conduit/platform';
import { alertmanagerConfig } from './alertmanager.js';
import { GRAFANA_DASHBOARD_LABEL } from './dashboards.js';

export interface StackOptions {
  /** @default 'eu-west-1' */
  readonly region?: string;
  /**
   * Secret with Grafana's admin user and password (keys `admin-user`, `admin-password`), synced by
   * External Secrets. @default 'grafana-admin'
   */
  readonly grafanaAdminSecret?: string;
  /** Secret with the Alertmanager receivers' credentials. @default 'alertmanager-receivers' */
  readonly alertmanagerSecret?: string;
}

/** The X-Ray-bound OTLP endpoint the API gets as `OTEL_EXPORTER_OTLP_ENDPOINT` in AWS stages. */
export const OTLP_ENDPOINT = 'http://adot-collector.observability.svc:4318';

/** Paths whose access logs are probe and scrape noise, dropped before shipping. */
export const PROBE_PATH_REGEX = '^/(healthz|readyz|metrics)(\\?.*)?$';

function regionOf(region: string | undefined): string {
  const value = region ?? 'eu-west-1';
  if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(value))
    throw new Error(`region must be an AWS region (got "${value}")`);
  return value;
}

const gp3 = (size: string) => ({
  spec: {
    storageClassName: 'gp3',
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: size } },
  },
});

/**
 * Helm values of the kube-prometheus-stack add-on: Prometheus (15 days on a 10Gi gp3 volume, selecting
 * every ServiceMonitor/PrometheusRule/Probe), Alertmanager with our config and receivers' Secret, Grafana on
 * a 5Gi volume with admin credentials from a Secret and dashboards from labelled ConfigMaps,
 * kube-state-metrics (exposing the `track` pod label) and node-exporter.
 */
export function kubePrometheusStackValues(stage: string, options: StackOptions = {}) {
  modelStage(stage); // an unknown stage throws, listing the known ones
  const region = regionOf(options.region);
  const alertmanagerSecret = options.alertmanagerSecret ?? 'alertmanager-receivers';
  return {
    defaultRules: {
      create: true,
      // Ours replace these with conduit-specific thresholds, labels and runbooks.
      disabled: {
        KubePodCrashLooping: true,
        KubePodNotReady: true,
        KubePersistentVolumeFillingUp: true,
        KubeJobFailed: true,
      },
    },
    prometheus: {
      prometheusSpec: {
        retention: '15d',
        // Head room under the 10Gi volume so the TSDB trims itself before the disk fills.
        retentionSize: '9GB',
        externalLabels: { stage, cluster: `conduit-${stage}` },
        storageSpec: { volumeClaimTemplate: gp3('10Gi') },
        ruleSelectorNilUsesHelmValues: false,
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
        resources: { requests: { cpu: '200m', memory: '1Gi' }, limits: { memory: '2Gi' } },
      },
    },
    alertmanager: {
      enabled: true,
      config: alertmanagerConfig({ secretName: alertmanagerSecret }),
      alertmanagerSpec: {
        secrets: [alertmanagerSecret],
        storage: { volumeClaimTemplate: gp3('1Gi') },
        resources: { requests: { cpu: '20m', memory: '64Mi' }, limits: { memory: '128Mi' } },
      },
    },
    grafana: {
      enabled: true,
      admin: {
        existingSecret: options.grafanaAdminSecret ?? 'grafana-admin',
        userKey: 'admin-user',
        passwordKey: 'admin-password',
      },
      persistence: {
        enabled: true,
        type: 'pvc',
        storageClassName: 'gp3',
        accessModes: ['ReadWriteOnce'],
        size: '5Gi',
      },
      serviceAccount: { create: true, name: 'grafana' },
      sidecar: {
        dashboards: {
          enabled: true,
          label: GRAFANA_DASHBOARD_LABEL,
          labelValue: '1',
          searchNamespace: 'ALL',
          folder: '/tmp/dashboards',
          provider: { foldersFromFilesStructure: false },
        },
        datasources: { enabled: true, defaultDatasourceEnabled: true, uid: 'prometheus' },
      },
      // Read-only CloudWatch access comes from the grafana service account's Pod Identity association.
      additionalDataSources: [
        {
          name: 'CloudWatch',
          type: 'cloudwatch',
          uid: 'cloudwatch',
          access: 'proxy',
          jsonData: { authType: 'default', defaultRegion: region },
        },
      ],
    },
    kubeStateMetrics: { enabled: true },
    'kube-state-metrics': {
      metricLabelsAllowlist: ['pods=[app.kubernetes.io/name,track]'],
    },
    nodeExporter: { enabled: true },
  };
}

export interface FluentBitOptions {
  /** @default 'eu-west-1' */
  readonly region?: string;
}

/**
 * Helm values of the `fluent/fluent-bit` DaemonSet: tails container logs, adds Kubernetes metadata, lifts
 * our JSON log lines into fields, drops probe and scrape noise, and ships to one CloudWatch Logs group per
 * stage. deploy/aws creates that group with its retention, and Fluent Bit's role may not create groups or
 * set retention, so the output neither auto-creates the group nor sets `log_retention_days`.
 */
export function fluentBitValues(stage: string, options: FluentBitOptions = {}) {
  modelStage(stage); // an unknown stage throws, listing the known ones
  const region = regionOf(options.region);
  const section = (name: string, entries: Record<string, string | number>) =>
    [`[${name}]`, ...Object.entries(entries).map(([k, v]) => `    ${k} ${v}`)].join('\n');
  const grep = (field: string) =>
    section('FILTER', { Name: 'grep', Match: 'kube.*', Exclude: `${field} ${PROBE_PATH_REGEX}` });
  return {
    kind: 'DaemonSet',
    serviceAccount: {
      create: true,
      name: 'fluent-bit',
      // The stage's workload identity (deploy/k8s, src/identities/) adds the IRSA role ARN here.
      annotations: {},
    },
    tolerations: [{ operator: 'Exists' }],
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    config: {
      service: section('SERVICE', {
        Flush: 5,
        Log_Level: 'info',
        Daemon: 'off',
        Parsers_File: '/fluent-bit/etc/parsers.conf',
        HTTP_Server: 'On',
        HTTP_Listen: '0.0.0.0',
        HTTP_Port: 2020,
        Health_Check: 'On',
        'storage.path': '/var/fluent-bit/state/flb-storage/',
      }),
      inputs: section('INPUT', {
        Name: 'tail',
        Tag: 'kube.*',
        Path: '/var/log/containers/*.log',
        Exclude_Path: '/var/log/containers/fluent-bit*',
        'multiline.parser': 'docker, cri',
        DB: '/var/fluent-bit/state/flb_container.db',
        Mem_Buf_Limit: '50MB',
        Skip_Long_Lines: 'On',
        Refresh_Interval: 10,
        'storage.type': 'filesystem',
      }),
      filters: [
        section('FILTER', {
          Name: 'kubernetes',
          Match: 'kube.*',
          Kube_URL: 'https://kubernetes.default.svc:443',
          // Our API (pino) and web tier (nginx log_format json) write one JSON object per line.
          Merge_Log: 'On',
          Keep_Log: 'Off',
          'K8S-Logging.Parser': 'On',
          'K8S-Logging.Exclude': 'On',
          Labels: 'On',
          Annotations: 'Off',
        }),
        // API (pino) logs the path as req.url, the web tier's nginx as uri.
        grep("$req['url']"),
        grep('$uri'),
        section('FILTER', {
          Name: 'grep',
          Match: 'kube.*',
          Exclude: 'user_agent ^(kube-probe|ELB-HealthChecker)/',
        }),
      ].join('\n\n'),
      outputs: section('OUTPUT', {
        Name: 'cloudwatch_logs',
        Match: 'kube.*',
        region,
        log_group_name: containerLogGroupName(modelStage(stage).name),
        log_stream_prefix: `${stage}.`,
        log_stream_template:
          "$kubernetes['namespace_name'].$kubernetes['pod_name'].$kubernetes['container_name']",
        auto_create_group: 'Off',
      }),
    },
  };
}

/**
 * Configuration of the ADOT collector: OTLP in (gRPC 4317, HTTP 4318) from the API, EKS resource attributes,
 * probe spans dropped, batched to AWS X-Ray. The collector's IAM role needs `AWSXRayDaemonWriteAccess`.
 */
export function adotCollectorConfig(stage: string, options: { readonly region?: string } = {}) {
  modelStage(stage); // an unknown stage throws, listing the known ones
  const region = regionOf(options.region);
  return {
    extensions: { health_check: { endpoint: '0.0.0.0:13133' } },
    receivers: {
      otlp: { protocols: { grpc: { endpoint: '0.0.0.0:4317' }, http: { endpoint: '0.0.0.0:4318' } } },
    },
    processors: {
      memory_limiter: { check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 25 },
      resourcedetection: { detectors: ['env', 'eks'], timeout: '2s', override: false },
      'resource/stage': {
        attributes: [{ key: 'deployment.environment', value: stage, action: 'upsert' }],
      },
      'filter/probes': {
        error_mode: 'ignore',
        traces: { span: ['IsMatch(attributes["url.path"], "^/(healthz|readyz|metrics)$")'] },
      },
      batch: { timeout: '5s', send_batch_size: 256 },
    },
    exporters: {
      awsxray: { region, indexed_attributes: ['http.route', 'deployment.environment'] },
    },
    service: {
      extensions: ['health_check'],
      pipelines: {
        traces: {
          receivers: ['otlp'],
          processors: ['memory_limiter', 'resourcedetection', 'resource/stage', 'filter/probes', 'batch'],
          exporters: ['awsxray'],
        },
      },
    },
  };
}

/** Helm values of the opentelemetry-collector chart running the ADOT image as the `adot-collector` Deployment. */
export function adotCollectorValues(stage: string, options: { readonly region?: string } = {}) {
  return {
    mode: 'deployment',
    fullnameOverride: 'adot-collector',
    image: { repository: 'public.ecr.aws/aws-observability/aws-otel-collector', tag: 'v0.43.3' },
    command: { name: 'awscollector' },
    serviceAccount: { create: true, name: 'adot-collector' },
    replicaCount: stage === 'prod' ? 2 : 1,
    resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '512Mi' } },
    ports: {
      'otlp-http': { enabled: true, containerPort: 4318, servicePort: 4318, protocol: 'TCP' },
      otlp: { enabled: true, containerPort: 4317, servicePort: 4317, protocol: 'TCP' },
    },
    config: adotCollectorConfig(stage, options),
  };
}

/**
 * Values of the prometheus-blackbox-exporter chart and its `Probe` target: the certificate alert reads
 * `probe_ssl_earliest_cert_expiry` of the public URL (ACM on CloudFront), i.e. the certificate users see.
 */
export function blackboxExporterValues(stage: string, publicUrl: string) {
  modelStage(stage); // an unknown stage throws, listing the known ones
  if (!/^https:\/\/[^/\s]+\/?$/.test(publicUrl)) {
    throw new Error(`publicUrl must be the stage's https origin (got "${publicUrl}")`);
  }
  return {
    config: {
      modules: {
        http_2xx: {
          prober: 'http',
          timeout: '5s',
          http: { preferred_ip_protocol: 'ip4', fail_if_not_ssl: true },
        },
      },
    },
    serviceMonitor: {
      enabled: true,
      defaults: { interval: '5m', module: 'http_2xx', labels: { 'app.kubernetes.io/part-of': PRODUCT } },
      targets: [{ name: `conduit-${stage}`, url: `${publicUrl.replace(/\/$/, '')}/healthz` }],
    },
  };
}
