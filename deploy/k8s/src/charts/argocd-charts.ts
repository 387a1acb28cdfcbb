import { gitopsPath, type StageName } from '@conduit/platform';
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { type AddOn, AppOfApps, type GitSource, RootApplication } from '../constructs/argocd.js';
import type { Router } from '../routers/router.js';

/** Folders (inside the repo) of a stage's rendered directories, under the model's `gitopsPath`. */
export function stagePaths(stage: StageName) {
  const base = gitopsPath(stage);
  return { apps: `${base}/apps`, platform: `${base}/platform`, conduit: `${base}/conduit` };
}

export interface BootstrapChartProps extends GitSource {
  /** The stage: names the root Application and picks its folder of child Applications (`stagePaths`). */
  readonly stage: StageName;
}

/** The root Application that deploy/aws applies; it syncs the apps folder. */
export class BootstrapChart extends Chart {
  constructor(scope: Construct, id: string, props: BootstrapChartProps) {
    super(scope, id);
    new RootApplication(this, 'root', {
      stage: props.stage,
      gitRepo: props.gitRepo,
      gitRevision: props.gitRevision,
      appsPath: stagePaths(props.stage).apps,
    });
  }
}

export interface AppsChartProps extends GitSource {
  /** The stage: names the child Applications and picks the folders they sync (`stagePaths`). */
  readonly stage: StageName;
  /** The app namespace (a DNS label): destination of the platform and Conduit Applications. */
  readonly namespace: string;
  /** The stage's router module (`routerOf`): which Ingress fields Argo Rollouts rewrites at run time. */
  readonly router: Router;
  /** The cluster add-ons the stage needs (`addOnsFor`), one Application each. */
  readonly addOns: readonly AddOn[];
  /** Workloads whose Ingress fields and Service selectors Argo Rollouts owns (`canaryWorkloads`). */
  readonly canaryWorkloads: readonly string[];
}

/** The child Applications the root syncs: add-ons, the platform objects, Conduit. */
export class AppsChart extends Chart {
  constructor(scope: Construct, id: string, props: AppsChartProps) {
    super(scope, id);
    new AppOfApps(this, 'apps', {
      stage: props.stage,
      namespace: props.namespace,
      gitRepo: props.gitRepo,
      gitRevision: props.gitRevision,
      router: props.router,
      paths: stagePaths(props.stage),
      addOns: props.addOns,
      canaryWorkloads: props.canaryWorkloads,
    });
  }
}
