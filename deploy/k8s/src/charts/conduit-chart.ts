import { configKeys } from '@conduit/api';
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { AnalysisTemplates, TEMPLATES } from '../constructs/analysis-templates.js';
import { CanaryWorkload } from '../constructs/canary-workload.js';
import { databaseUrlSecret, JWT_SECRET } from '../constructs/database-ref.js';
import { Jobs } from '../constructs/jobs.js';
import { Monitoring } from '../constructs/monitoring.js';
import { Traffic } from '../constructs/traffic.js';
import type { DashboardConfigMap, RuleGroup } from '../observability.js';
import { imageRef, SHUTDOWN, type StageSettings } from '../settings.js';
import { API_PORT, WEB_METRICS_PORT, WEB_PORT } from './ports.js';

/** Pinned image of the nginx metrics exporter that runs beside the web tier. */
export const NGINX_EXPORTER_IMAGE = 'nginx/nginx-prometheus-exporter:1.4.2';

export interface ConduitChartProps {
  readonly stage: StageSettings;
  readonly ruleGroups: readonly RuleGroup[];
  readonly dashboards: readonly DashboardConfigMap[];
}

/** The application: both canary tiers, analysis, entry point, migration and backup jobs, monitoring. */
export class ConduitChart extends Chart {
  constructor(scope: Construct, id: string, props: ConduitChartProps) {
    super(scope, id);
    const { stage } = props;
    const k = configKeys;
    new AnalysisTemplates(this, 'analysis', stage);

    const apiConfig: Record<string, string> = {
      [k.NODE_ENV]: 'production',
      [k.HOST]: '0.0.0.0',
      [k.PORT]: String(API_PORT),
      [k.LOG_LEVEL]: stage.logLevel,
      // The PreSync Job migrates once per release; pods only check that migrations are current.
      [k.MIGRATE_ON_START]: 'false',
      // CloudFront appends the viewer's address to X-Forwarded-For and the ALB appends CloudFront's: the
      // client is two hops from the socket, and anything further left was written by the client.
      [k.TRUST_PROXY_HOPS]: '2',
      [k.SHUTDOWN_DRAIN_DELAY_MS]: String(SHUTDOWN.drainDelaySeconds * 1000),
      [k.SHUTDOWN_TIMEOUT_MS]: String(SHUTDOWN.shutdownTimeoutSeconds * 1000),
      ...(stage.otlpEndpoint ? { [k.OTEL_EXPORTER_OTLP_ENDPOINT]: stage.otlpEndpoint } : {}),
    };
    new CanaryWorkload(this, 'api', {
      stage,
      tier: 'api',
      image: imageRef(stage, 'api'),
      port: API_PORT,
      resources: stage.api,
      config: apiConfig,
      env: [
        { name: k.DATABASE_URL, valueFrom: { secretKeyRef: databaseUrlSecret(stage) } },
        { name: k.JWT_SECRET, valueFrom: { secretKeyRef: { ...JWT_SECRET } } },
      ],
      analysis: {
        background: [TEMPLATES.podHealth.background, TEMPLATES.apiHttp.background],
        step: [TEMPLATES.podHealth.step, TEMPLATES.apiHttp.step],
      },
    });
    new CanaryWorkload(this, 'web', {
      stage,
      tier: 'web',
      image: imageRef(stage, 'web'),
      port: WEB_PORT,
      resources: stage.web,
      writableDirs: ['/tmp', '/var/cache/nginx'],
      metricsPort: { name: 'metrics', port: WEB_METRICS_PORT },
      sidecars: [
        {
          name: 'nginx-exporter',
          image: NGINX_EXPORTER_IMAGE,
          args: [`--nginx.scrape-uri=http://127.0.0.1:${WEB_PORT}/stub_status`],
          ports: [{ name: 'metrics', containerPort: WEB_METRICS_PORT, protocol: 'TCP' }],
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
        },
      ],
      analysis: { background: [TEMPLATES.podHealth.background], step: [TEMPLATES.podHealth.step] },
    });
    new Traffic(this, 'traffic', stage);
    new Jobs(this, 'jobs', {
      stage,
      apiImage: imageRef(stage, 'api'),
      opsImage: imageRef(stage, 'ops'),
      databaseUrlKey: k.DATABASE_URL,
    });
    new Monitoring(this, 'monitoring', { stage, ruleGroups: props.ruleGroups, dashboards: props.dashboards });
  }
}
