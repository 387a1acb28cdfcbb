import { App, type Chart } from 'cdk8s';
import { stringify } from 'yaml';
import { AppsChart, BootstrapChart } from './charts/argocd-charts.js';
import { ConduitChart } from './charts/conduit-chart.js';
import { PlatformChart } from './charts/platform-chart.js';
import { dashboardMaps, monitoringValues, ruleGroups } from './observability.js';
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
  const charts: Record<keyof RenderedStage, Chart> = {
    bootstrap: new BootstrapChart(app, 'bootstrap', stage),
    apps: new AppsChart(app, 'apps', stage, monitoringValues(stage)),
    platform: new PlatformChart(app, 'platform', stage),
    conduit: new ConduitChart(app, 'conduit', {
      stage,
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
