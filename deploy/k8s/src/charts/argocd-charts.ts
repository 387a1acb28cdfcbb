import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { addOnsFor, type MonitoringValues } from '../add-ons.js';
import { AppOfApps, RootApplication } from '../constructs/argocd.js';
import type { StageSettings } from '../settings.js';

export const DIST_ROOT = 'deploy/k8s/dist';

export function stagePaths(stage: StageSettings) {
  const base = `${DIST_ROOT}/${stage.name}`;
  return { apps: `${base}/apps`, platform: `${base}/platform`, conduit: `${base}/conduit` };
}

export class BootstrapChart extends Chart {
  constructor(scope: Construct, id: string, stage: StageSettings) {
    super(scope, id);
    new RootApplication(this, 'root', { stage, appsPath: stagePaths(stage).apps });
  }
}

export class AppsChart extends Chart {
  constructor(scope: Construct, id: string, stage: StageSettings, monitoring: MonitoringValues) {
    super(scope, id);
    new AppOfApps(this, 'apps', {
      stage,
      paths: stagePaths(stage),
      addOns: addOnsFor(stage, monitoring),
      tiers: ['api', 'web'],
    });
  }
}
