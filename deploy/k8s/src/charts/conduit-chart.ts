import { configKeys } from '@conduit/api';
import { configKeys as notifierKeys } from '@conduit/notifier';
import { OPS_IMAGE, type Workload } from '@conduit/platform';
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import { AnalysisTemplates, TEMPLATES } from '../constructs/analysis-templates.js';
import { type AnalysisRefs, AppWorkload } from '../constructs/app-workload.js';
import { DATABASE_PASSWORD_PATH, databasePasswordVolume } from '../constructs/database-password.js';
import { DATABASE_URL_SECRET, JWT_SECRET, SMTP_SECRET } from '../constructs/database-ref.js';
import { Jobs } from '../constructs/jobs.js';
import { Monitoring } from '../constructs/monitoring.js';
import { Traffic } from '../constructs/traffic.js';
import { identityOf } from '../identities/index.js';
import { type DashboardConfigMap, publicUrl, type RuleGroup } from '../observability.js';
import { routerOf } from '../routers/index.js';
import { DATABASE_PASSWORD_SYNC, pinnedImage, type RenderSettings, SHUTDOWN } from '../settings.js';

/** Pinned image of the nginx metrics exporter that runs beside nginx workloads. */
export const NGINX_EXPORTER_IMAGE = 'nginx/nginx-prometheus-exporter:1.4.2';

export interface ConduitChartProps {
  readonly stage: RenderSettings;
  readonly ruleGroups: readonly RuleGroup[];
  readonly dashboards: readonly DashboardConfigMap[];
}

/** The application: one canary workload per model workload, analysis, entry point, jobs, monitoring. */
export class ConduitChart extends Chart {
  constructor(scope: Construct, id: string, props: ConduitChartProps) {
    super(scope, id);
    const { stage } = props;
    new AnalysisTemplates(this, 'analysis', { namespace: stage.namespace, analysis: stage.analysis });
    const router = routerOf(stage);
    const identity = identityOf(stage);
    for (const { workload, size } of stage.workloads) {
      new AppWorkload(this, workload.name, {
        namespace: stage.namespace,
        router,
        identity,
        zoneSpread: stage.zoneSpread,
        scrapeIntervalSeconds: stage.scrapeIntervalSeconds,
        pauseSeconds: stage.pauseSeconds,
        workload,
        image: pinnedImage(stage, workload.image),
        size,
        analysis: analysisOf(workload),
        ...runtimeOf(stage, workload),
      });
    }
    new Traffic(this, 'traffic', {
      router,
      namespace: stage.namespace,
      host: stage.host,
      workloads: stage.workloads.map(({ workload }) => workload),
    });
    const migrator = stage.workloads.find(({ workload }) => workload.migrations)?.workload;
    new Jobs(this, 'jobs', {
      stage: stage.name,
      namespace: stage.namespace,
      identity,
      ...(stage.aws ? { awsRegion: stage.aws.region } : {}),
      ...(migrator
        ? {
            migrations: {
              workload: migrator.name,
              user: migrator.user,
              ref: pinnedImage(stage, migrator.image),
            },
          }
        : {}),
      opsImage: pinnedImage(stage, OPS_IMAGE.image),
      databaseUrlKey: configKeys.DATABASE_URL,
      databasePasswordFileKey: configKeys.DATABASE_PASSWORD_FILE,
    });
    new Monitoring(this, 'monitoring', {
      namespace: stage.namespace,
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
function emailConfig(stage: RenderSettings): Record<string, string> {
  const url = publicUrl(stage);
  return {
    [notifierKeys.PUBLIC_URL]: url,
    [notifierKeys.EMAIL_FROM]: `Conduit <notifications@${new URL(url).hostname}>`,
    ...(stage.aws
      ? { [notifierKeys.EMAIL_TRANSPORT]: 'ses', [notifierKeys.AWS_REGION]: stage.aws.region }
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
function runtimeOf(stage: RenderSettings, workload: Workload) {
  const k = configKeys;
  if (workload.runtime === 'node') {
    const env: IEnvVar[] = [
      ...(workload.uses.database
        ? [{ name: k.DATABASE_URL, valueFrom: { secretKeyRef: { ...DATABASE_URL_SECRET } } }]
        : []),
      ...(workload.uses.jwtSecret
        ? [{ name: k.JWT_SECRET, valueFrom: { secretKeyRef: { ...JWT_SECRET } } }]
        : []),
      ...(workload.uses.email && !stage.aws
        ? [{ name: notifierKeys.SMTP_URL, valueFrom: { secretKeyRef: { ...SMTP_SECRET } } }]
        : []),
    ];
    const http = workload.kind === 'http';
    const config: Record<string, string> = {
      [k.NODE_ENV]: 'production',
      [k.HOST]: '0.0.0.0',
      [k.PORT]: String(workload.port),
      [k.LOG_LEVEL]: stage.logLevel,
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
      ...(workload.uses.tracing && stage.otlpEndpoint
        ? { [k.OTEL_EXPORTER_OTLP_ENDPOINT]: stage.otlpEndpoint }
        : {}),
      ...(workload.uses.email ? emailConfig(stage) : {}),
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
