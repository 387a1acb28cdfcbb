import { App, type Chart } from 'cdk8s';
import { stringify } from 'yaml';
import { addOnsFor } from './add-ons.js';
import { AppsChart, BootstrapChart } from './charts/argocd-charts.js';
import { ConduitChart } from './charts/conduit-chart.js';
import { PlatformChart } from './charts/platform-chart.js';
import { canaryWorkloads } from './constructs/argocd.js';
import { identityOf } from './identities/index.js';
import { dashboardMaps, monitoringValues, ruleGroups } from './observability.js';
import { routerOf } from './routers/index.js';
import { type RenderSettings, validateRenderSettings } from './settings.js';

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
} & Record<string, unknown>;

/** Rendered directories of one stage: each is what one Argo CD Application syncs. */
export type RenderedStage = Record<'bootstrap' | 'apps' | 'platform' | 'conduit', K8sObject[]>;

export function renderStage(settings: RenderSettings): RenderedStage {
  const stage = validateRenderSettings(settings);
  const app = new App();
  // Each chart gets the fields it uses; the router and identity modules are resolved once for all of them.
  const router = routerOf(stage);
  const identity = identityOf(stage);
  const git = { gitRepo: stage.gitRepo, gitRevision: stage.gitRevision };
  const workloads = stage.workloads.map(({ workload }) => workload);
  // A cluster on AWS sends e-mail through SES with the pod's own role; any other through an SMTP relay.
  const emailTransport = stage.aws ? 'ses' : 'smtp';
  const charts: Record<keyof RenderedStage, Chart> = {
    bootstrap: new BootstrapChart(app, 'bootstrap', { stage: stage.name, ...git }),
    apps: new AppsChart(app, 'apps', {
      stage: stage.name,
      namespace: stage.namespace,
      ...git,
      router,
      addOns: addOnsFor({
        router,
        identity,
        host: stage.host,
        ...(stage.aws ? { awsRegion: stage.aws.region } : {}),
        monitoring: monitoringValues(stage),
      }),
      canaryWorkloads: canaryWorkloads(stage),
    }),
    platform: new PlatformChart(app, 'platform', {
      stage: stage.name,
      namespace: stage.namespace,
      workloads,
      router,
      identity,
      secrets: stage.secrets,
      database: stage.database,
      prometheus: stage.prometheus,
      ...(stage.otlpEndpoint ? { otlpEndpoint: stage.otlpEndpoint } : {}),
      emailTransport,
    }),
    conduit: new ConduitChart(app, 'conduit', {
      stage: stage.name,
      namespace: stage.namespace,
      host: stage.host,
      images: stage.images,
      router,
      identity,
      workloads: stage.workloads,
      pauseSeconds: stage.pauseSeconds,
      analysis: stage.analysis,
      scrapeIntervalSeconds: stage.scrapeIntervalSeconds,
      zoneSpread: stage.zoneSpread,
      logLevel: stage.logLevel,
      ...(stage.otlpEndpoint ? { otlpEndpoint: stage.otlpEndpoint } : {}),
      ...(stage.aws ? { awsRegion: stage.aws.region } : {}),
      emailTransport,
      ruleGroups: ruleGroups(stage),
      dashboards: dashboardMaps(stage),
    }),
  };
  const out = {} as RenderedStage;
  for (const [dir, chart] of Object.entries(charts) as [keyof RenderedStage, Chart][]) {
    out[dir] = chart.toJson() as K8sObject[];
  }
  return out;
}

export function toYaml(objects: readonly K8sObject[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}
