import { ARGOCD_NAMESPACE, argoApplicationNames, type StageName } from '@conduit/platform';
import type { IApplication } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { Construct } from 'constructs';
import { routerOf } from '../routers/index.js';
import type { Router } from '../routers/router.js';
import type { RenderSettings } from '../settings.js';
import { manifest, PART_OF } from './object.js';

// The model owns the namespace (the ops CLI's teardown finds the Applications there); re-exported for callers here.
export { ARGOCD_NAMESPACE };

const IN_CLUSTER = 'https://kubernetes.default.svc';

/** A cluster add-on installed from a Helm chart at a pinned version. */
export interface AddOn {
  readonly name: string;
  readonly repoURL: string;
  readonly chart: string;
  /** Exact chart version; ranges are refused so an upgrade is always a reviewed diff. */
  readonly version: string;
  readonly namespace: string;
  readonly values: Readonly<Record<string, unknown>>;
  /** Sync wave: CRDs and controllers before the apps that use them. */
  readonly wave: number;
}

/** Where Argo CD syncs the rendered manifests from. */
export interface GitSource {
  /** Git repository Argo CD syncs the rendered manifests from. */
  readonly gitRepo: string;
  /** Branch, tag or commit of `gitRepo` (must not be empty). */
  readonly gitRevision: string;
}

export interface RootApplicationProps extends GitSource {
  /** The stage: names the root Application. */
  readonly stage: StageName;
  /** Folder (inside the repo) of the child Applications. */
  readonly appsPath: string;
}

export interface AppOfAppsProps extends GitSource {
  /** The stage: names the child Applications. */
  readonly stage: StageName;
  /** The app namespace (a DNS label): destination of the platform and Conduit Applications. */
  readonly namespace: string;
  /** The stage's router module (`routerOf`): which Ingress fields Argo Rollouts rewrites at run time. */
  readonly router: Router;
  /** Folder (inside the repo) of each rendered directory, keyed by role. */
  readonly paths: { readonly apps: string; readonly platform: string; readonly conduit: string };
  /** The cluster add-ons, one Application each at its sync wave. */
  readonly addOns: readonly AddOn[];
  /** Workloads whose Ingress fields (per router) and Service selectors Argo Rollouts owns. */
  readonly canaryWorkloads: readonly string[];
}

function application(name: string, spec: IApplication['spec'], wave: number): IApplication {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name,
      namespace: ARGOCD_NAMESPACE,
      labels: { 'app.kubernetes.io/part-of': PART_OF },
      annotations: { 'argocd.argoproj.io/sync-wave': String(wave) },
      // Deleting an Application deletes what it deployed.
      finalizers: ['resources-finalizer.argocd.argoproj.io'],
    },
    spec,
  };
}

const automated = { automated: { prune: true, selfHeal: true } };

/** A field of rendered objects that a controller rewrites at run time, so Argo CD must not undo it. */
export interface RuntimeOwnedField {
  readonly group: string;
  readonly kind: string;
  readonly jqPathExpressions: readonly string[];
  /** The controller that writes the field in the cluster. */
  readonly owner: string;
  readonly why: string;
}

/**
 * The only fields the Applications of our own folders tell Argo CD to ignore (`ignoreDifferences` with
 * `RespectIgnoreDifferences`): each one is written by a controller during a canary, never a setting of the
 * model. A setting the model holds (HPA bounds, replicas, resources) is never listed: Git is the source of
 * truth, and a change to the stage reaches the cluster on the next sync. The README lists these.
 */
export function runtimeOwnedFields(
  stage: RenderSettings,
  canaryWorkloads: readonly string[],
): RuntimeOwnedField[] {
  return runtimeOwnedFieldsOf(routerOf(stage), canaryWorkloads);
}

function runtimeOwnedFieldsOf(router: Router, canaryWorkloads: readonly string[]): RuntimeOwnedField[] {
  return [
    {
      group: 'networking.k8s.io',
      kind: 'Ingress',
      jqPathExpressions: router.ingressPathsRolloutsOwns(canaryWorkloads),
      owner: 'Argo Rollouts',
      why: "the canary's traffic weights and header route at each step",
    },
    {
      group: '',
      kind: 'Service',
      jqPathExpressions: ['.spec.selector["rollouts-pod-template-hash"]'],
      owner: 'Argo Rollouts',
      why: 'points the stable and canary Services at their ReplicaSets',
    },
  ];
}

/** The workloads whose canary Argo Rollouts routes (the HTTP ones): their Ingress fields and Services. */
export function canaryWorkloads(stage: RenderSettings): string[] {
  return stage.workloads.filter((w) => w.workload.kind === 'http').map((w) => w.workload.name);
}

/**
 * The root Application of a stage, pointing at the folder of child Applications. deploy/aws's Argo CD bootstrap
 * applies it as rendered (`dist/<stage>/bootstrap/`); no Application syncs that folder.
 */
export class RootApplication extends Construct {
  constructor(scope: Construct, id: string, props: RootApplicationProps) {
    super(scope, id);
    validateGitSource('RootApplication', props);
    manifest<IApplication>(
      this,
      application(
        argoApplicationNames.root(props.stage),
        {
          project: 'default',
          source: {
            repoURL: props.gitRepo,
            targetRevision: props.gitRevision,
            path: props.appsPath,
          },
          destination: { server: IN_CLUSTER, namespace: ARGOCD_NAMESPACE },
          syncPolicy: { ...automated, syncOptions: ['PruneLast=true'] },
        },
        0,
      ),
    );
  }
}

/** The child Applications: cluster add-ons, the platform objects, then Conduit itself. */
export class AppOfApps extends Construct {
  constructor(scope: Construct, id: string, props: AppOfAppsProps) {
    super(scope, id);
    validateGitSource('AppOfApps', props);
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(props.namespace)) {
      throw new Error(`AppOfApps: namespace (${props.namespace}) must be a DNS label`);
    }
    const { stage } = props;
    for (const addOn of props.addOns) {
      if (!/^v?\d+\.\d+\.\d+$/.test(addOn.version)) {
        throw new Error(`add-on ${addOn.name}: version (${addOn.version}) must be an exact chart version`);
      }
      manifest<IApplication>(
        this,
        application(
          argoApplicationNames.addOn(stage, addOn.name),
          {
            project: 'default',
            source: {
              repoURL: addOn.repoURL,
              chart: addOn.chart,
              targetRevision: addOn.version,
              helm: { releaseName: addOn.name, valuesObject: { ...addOn.values } },
            },
            destination: { server: IN_CLUSTER, namespace: addOn.namespace },
            syncPolicy: {
              ...automated,
              // Server-side apply: some CRDs are larger than the client-side annotation limit.
              syncOptions: ['CreateNamespace=true', 'ServerSideApply=true', 'PruneLast=true'],
            },
          },
          addOn.wave,
        ),
      );
    }
    const own = (name: string, path: string, wave: number) =>
      manifest<IApplication>(
        this,
        application(
          name,
          {
            project: 'default',
            source: { repoURL: props.gitRepo, targetRevision: props.gitRevision, path },
            destination: { server: IN_CLUSTER, namespace: props.namespace },
            syncPolicy: {
              ...automated,
              syncOptions: ['PruneLast=true', 'RespectIgnoreDifferences=true'],
              retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
            },
            // Only what a controller owns at run time; every field Git sets reaches the cluster on sync.
            ignoreDifferences: runtimeOwnedFieldsOf(props.router, props.canaryWorkloads).map(
              ({ group, kind, jqPathExpressions }) => ({
                group,
                kind,
                jqPathExpressions: [...jqPathExpressions],
              }),
            ),
          },
          wave,
        ),
      );
    // Namespace, secrets and the database exist before the PreSync migration of the app needs them.
    own(argoApplicationNames.platform(stage), props.paths.platform, 5);
    own(argoApplicationNames.app(stage), props.paths.conduit, 10);
  }
}

function validateGitSource(construct: string, source: GitSource): void {
  if (source.gitRepo.trim() === '') throw new Error(`${construct}: gitRepo must not be empty`);
  if (source.gitRevision.trim() === '') throw new Error(`${construct}: gitRevision must not be empty`);
}
