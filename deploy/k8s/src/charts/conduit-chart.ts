import { configKeys } from '@conduit/api';
import { configKeys as notifierKeys } from '@conduit/notifier';
import { OPS_IMAGE, type StageImages, type StageName, type Workload } from '@conduit/platform';
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import { AnalysisTemplates, TEMPLATES } from '../constructs/analysis-templates.js';
import { type AnalysisRefs, AppWorkload, type AppWorkloadProps } from '../constructs/app-workload.js';
import { DATABASE_PASSWORD_PATH, databasePasswordVolume } from '../constructs/database-password.js';
import { DATABASE_URL_SECRET, JWT_SECRET, SMTP_SECRET } from '../constructs/database-ref.js';
import { Jobs } from '../constructs/jobs.js';
import { Monitoring } from '../constructs/monitoring.js';
import { Traffic } from '../constructs/traffic.js';
import type { WorkloadIdentity } from '../identities/identity.js';
import { type DashboardConfigMap, publicUrl, type RuleGroup } from '../observability.js';
import type { Router } from '../routers/router.js';
import {
  type AnalysisCadence,
  DATABASE_PASSWORD_SYNC,
  type DeployedWorkload,
  pinnedImage,
  type RenderSettings,
  SHUTDOWN,
} from '../settings.js';

/** Pinned image of the nginx metrics exporter that runs beside nginx workloads. */
export const NGINX_EXPORTER_IMAGE = 'nginx/nginx-prometheus-exporter:1.4.2';

export interface ConduitChartProps {
  /** The stage: the ops CLI's `--stage` in the Jobs, and where a missing image is reported. */
  readonly stage: StageName;
  /** The app namespace (a DNS label) every object of the app lives in. */
  readonly namespace: string;
  /** Public host name the routes answer on (`origin.<domain>`); e-mail links use the name without `origin.`. */
  readonly host: string;
  /** The stage's images (written by CI): each workload's and the ops CLI's, pulled pinned. */
  readonly images: StageImages;
  /** The stage's router module (`routerOf`): the routes, and each HTTP workload's Services and canary routing. */
  readonly router: Router;
  /** The stage's workload identity (`identityOf`): annotates the ServiceAccounts of pods that call AWS. */
  readonly identity: WorkloadIdentity;
  /** The workloads that run in the stage, in the model's order, with their size there. */
  readonly workloads: readonly DeployedWorkload[];
  /** Pause after each canary weight (20%, 50%, 80%) of an HTTP workload, in seconds. */
  readonly pauseSeconds: AppWorkloadProps['pauseSeconds'];
  /** Cadence of the canary analysis metrics. */
  readonly analysis: AnalysisCadence;
  /** Scrape interval of the workloads' ServiceMonitors, in seconds. */
  readonly scrapeIntervalSeconds: number;
  /** `DoNotSchedule` refuses to place a pod that would unbalance zones; `ScheduleAnyway` only prefers balance. */
  readonly zoneSpread: AppWorkloadProps['zoneSpread'];
  /** Log level of the Node workloads. */
  readonly logLevel: RenderSettings['logLevel'];
  /**
   * OTLP endpoint of the trace collector, for the workloads that trace.
   * @default none: no trace export
   */
  readonly otlpEndpoint?: string;
  /**
   * Region of the cluster's AWS account: the ops CLI's and SES's.
   * @default none: a cluster without AWS
   */
  readonly awsRegion?: string;
  /** How e-mail leaves: `ses` through the SES API of `awsRegion`, `smtp` through the relay of SMTP_SECRET. */
  readonly emailTransport: 'ses' | 'smtp';
  /** Alerting and recording rules, one PrometheusRule per group. */
  readonly ruleGroups: readonly RuleGroup[];
  /** Grafana dashboards as ConfigMap contents. */
  readonly dashboards: readonly DashboardConfigMap[];
}

/** The application: one canary workload per model workload, analysis, entry point, jobs, monitoring. */
export class ConduitChart extends Chart {
  constructor(scope: Construct, id: string, props: ConduitChartProps) {
    super(scope, id);
    if (props.emailTransport === 'ses' && !props.awsRegion) {
      throw new Error('ConduitChart: awsRegion is required when emailTransport is ses (SES of the region)');
    }
    if (props.otlpEndpoint !== undefined && !/^https?:\/\/\S+$/.test(props.otlpEndpoint)) {
      throw new Error(`ConduitChart: otlpEndpoint (${props.otlpEndpoint}) must be an http(s) URL`);
    }
    const { router, identity } = props;
    const image = (name: string) => pinnedImage({ name: props.stage, images: props.images }, name);
    new AnalysisTemplates(this, 'analysis', { namespace: props.namespace, analysis: props.analysis });
    for (const { workload, size } of props.workloads) {
      new AppWorkload(this, workload.name, {
        namespace: props.namespace,
        router,
        identity,
        zoneSpread: props.zoneSpread,
        scrapeIntervalSeconds: props.scrapeIntervalSeconds,
        pauseSeconds: props.pauseSeconds,
        workload,
        image: image(workload.image),
        size,
        analysis: analysisOf(workload),
        ...runtimeOf(props, workload),
      });
    }
    new Traffic(this, 'traffic', {
      router,
      namespace: props.namespace,
      host: props.host,
      workloads: props.workloads.map(({ workload }) => workload),
    });
    const migrator = props.workloads.find(({ workload }) => workload.migrations)?.workload;
    new Jobs(this, 'jobs', {
      stage: props.stage,
      namespace: props.namespace,
      identity,
      ...(props.awsRegion ? { awsRegion: props.awsRegion } : {}),
      ...(migrator
        ? {
            migrations: {
              workload: migrator.name,
              user: migrator.user,
              ref: image(migrator.image),
            },
          }
        : {}),
      opsImage: image(OPS_IMAGE.image),
      databaseUrlKey: configKeys.DATABASE_URL,
      databasePasswordFileKey: configKeys.DATABASE_PASSWORD_FILE,
    });
    new Monitoring(this, 'monitoring', {
      namespace: props.namespace,
      ruleGroups: props.ruleGroups,
      dashboards: props.dashboards,
    });
  }
}

/** The AnalysisTemplates a workload's canary runs, from the analyses the model gives it. */
function analysisOf(workload: Workload): AnalysisRefs {
  const templates = workload.canary.analyses.map((a) =>
    a === 'http' ? TEMPLATES.apiHttp : TEMPLATES.podHealth,
  );
  return { background: templates.map((t) => t.background), step: templates.map((t) => t.step) };
}

/**
 * E-mail goes through the Amazon SES API of the stage's region with the pod's own role (the model entry's
 * `ses:SendEmail`), from the stage's public domain, which SES must have verified. A cluster without AWS has no
 * SES: it sends through the SMTP relay of its SMTP_SECRET. Links point at the app either way.
 */
function emailConfig(props: ConduitChartProps): Record<string, string> {
  const url = publicUrl(props);
  return {
    [notifierKeys.PUBLIC_URL]: url,
    [notifierKeys.EMAIL_FROM]: `Conduit <notifications@${new URL(url).hostname}>`,
    // The constructor refuses `ses` without a region.
    ...(props.emailTransport === 'ses'
      ? { [notifierKeys.EMAIL_TRANSPORT]: 'ses', [notifierKeys.AWS_REGION]: props.awsRegion! }
      : { [notifierKeys.EMAIL_TRANSPORT]: 'smtp' }),
  };
}

/**
 * The database password as a mounted file that follows rotations (DATABASE_PASSWORD_SYNC). The URL from the
 * Secret stays, for its host and database; the file's password wins over the one it carries. Only HTTP
 * services wait for a refused password: a request is waiting on it, whereas a worker's next poll is its retry.
 */
function passwordConfig(http: boolean): Record<string, string> {
  const k = configKeys;
  return {
    [k.DATABASE_PASSWORD_FILE]: DATABASE_PASSWORD_PATH,
    [k.DATABASE_POOL_MAX_LIFETIME_SECONDS]: String(DATABASE_PASSWORD_SYNC.maxLifetimeSeconds),
    ...(http ? { [k.DATABASE_PASSWORD_WAIT_MS]: String(DATABASE_PASSWORD_SYNC.waitSeconds * 1000) } : {}),
  };
}

/** What a runtime needs beside the image: our Node apps' settings contract, nginx's cache and exporter. */
function runtimeOf(props: ConduitChartProps, workload: Workload) {
  const k = configKeys;
  if (workload.runtime === 'node') {
    const env: IEnvVar[] = [
      ...(workload.uses.database
        ? [{ name: k.DATABASE_URL, valueFrom: { secretKeyRef: { ...DATABASE_URL_SECRET } } }]
        : []),
      ...(workload.uses.jwtSecret
        ? [{ name: k.JWT_SECRET, valueFrom: { secretKeyRef: { ...JWT_SECRET } } }]
        : []),
      ...(workload.uses.email && props.emailTransport === 'smtp'
        ? [{ name: notifierKeys.SMTP_URL, valueFrom: { secretKeyRef: { ...SMTP_SECRET } } }]
        : []),
    ];
    const http = workload.kind === 'http';
    const config: Record<string, string> = {
      [k.NODE_ENV]: 'production',
      [k.HOST]: '0.0.0.0',
      [k.PORT]: String(workload.port),
      [k.LOG_LEVEL]: props.logLevel,
      // The PreSync Job migrates once per release; pods only check that migrations are current.
      ...(workload.migrations ? { [k.MIGRATE_ON_START]: 'false' } : {}),
      // Only HTTP services sit behind CloudFront and the ALB, and only they wait for a load balancer to
      // deregister them; a worker has neither. CloudFront appends the viewer's address to X-Forwarded-For
      // and the ALB appends CloudFront's: the client is two hops from the socket.
      ...(http
        ? {
            [k.TRUST_PROXY_HOPS]: '2',
            [k.SHUTDOWN_DRAIN_DELAY_MS]: String(SHUTDOWN.drainDelaySeconds * 1000),
          }
        : {}),
      [k.SHUTDOWN_TIMEOUT_MS]: String(SHUTDOWN.shutdownTimeoutSeconds * 1000),
      ...(workload.uses.tracing && props.otlpEndpoint
        ? { [k.OTEL_EXPORTER_OTLP_ENDPOINT]: props.otlpEndpoint }
        : {}),
      ...(workload.uses.email ? emailConfig(props) : {}),
      ...(workload.uses.database ? passwordConfig(http) : {}),
    };
    return { config, env, ...(workload.uses.database ? { volumes: [databasePasswordVolume()] } : {}) };
  }
  const metricsPort = workload.metricsPort ?? workload.port;
  const exporter: IContainer = {
    name: 'nginx-exporter',
    image: NGINX_EXPORTER_IMAGE,
    args: [`--nginx.scrape-uri=http://127.0.0.1:${workload.port}/stub_status`],
    ports: [{ name: 'metrics', containerPort: metricsPort, protocol: 'TCP' }],
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '50m', memory: '32Mi' } },
    livenessProbe: { httpGet: { path: '/metrics', port: 'metrics' }, periodSeconds: 30 },
    readinessProbe: { httpGet: { path: '/metrics', port: 'metrics' }, periodSeconds: 10 },
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
  return {
    writableDirs: ['/tmp', '/var/cache/nginx'],
    metricsPort: { name: 'metrics', port: metricsPort },
    sidecars: [exporter],
  };
}
