import { gitopsPath } from '@conduit/platform';
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { addOnsFor, type MonitoringValues } from '../add-ons.js';
import { AppOfApps, canaryWorkloads, RootApplication } from '../constructs/argocd.js';
import { identityOf } from '../identities/index.js';
import { routerOf } from '../routers/index.js';
import type { RenderSettings } from '../settings.js';

export function stagePaths(stage: RenderSettings) {
  const base = gitopsPath(stage.name);
  return { apps: `${base}/apps`, platform: `${base}/platform`, conduit: `${base}/conduit` };
}

export class BootstrapChart extends Chart {
  constructor(scope: Construct, id: string, stage: RenderSettings) {
    super(scope, id);
    new RootApplication(this, 'root', {
      stage: stage.name,
      gitRepo: stage.gitRepo,
      gitRevision: stage.gitRevision,
      appsPath: stagePaths(stage).apps,
    });
  }
}

export class AppsChart extends Chart {
  constructor(scope: Construct, id: string, stage: RenderSettings, monitoring: MonitoringValues) {
    super(scope, id);
    new AppOfApps(this, 'apps', {
      stage: stage.name,
      namespace: stage.namespace,
      gitRepo: stage.gitRepo,
      gitRevision: stage.gitRevision,
      router: routerOf(stage),
      paths: stagePaths(stage),
      addOns: addOnsFor({
        router: routerOf(stage),
        identity: identityOf(stage),
        host: stage.host,
        ...(stage.aws ? { awsRegion: stage.aws.region } : {}),
        monitoring,
      }),
      canaryWorkloads: canaryWorkloads(stage),
    });
  }
}
