import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct, type IDependable } from 'constructs';

/** Pinned Argo CD chart: upgrades are reviewed changes, never a side effect of a deploy. */
export const ARGO_CD_CHART = {
  repository: 'https://argoproj.github.io/argo-helm',
  chart: 'argo-cd',
  version: '9.1.4',
} as const;

export interface ArgoCdBootstrapProps {
  readonly cluster: eks.ICluster;
  /** Name of the app-of-apps Application (`conduit-<stage>`). */
  readonly applicationName: string;
  /** Git repository and revision Argo CD syncs from. */
  readonly repoUrl: string;
  readonly targetRevision: string;
  /** Folder of the rendered manifests the app-of-apps points at (`deploy/k8s/dist/<stage>`). */
  readonly path: string;
  /** Tolerations and node selector that put Argo CD on the system nodes. */
  readonly tolerations: readonly Record<string, string>[];
  readonly nodeSelector: Readonly<Record<string, string>>;
  /** What Argo CD's pods need first (the system nodes). */
  readonly after: readonly IDependable[];
  /**
   * What the app-of-apps needs first beyond Argo CD: the Load Balancer Controller, whose webhook gives the
   * app pods their readiness gates.
   * @default nothing else
   */
  readonly applicationAfter?: readonly IDependable[];
}

/** Argo CD (Helm) and the app-of-apps `Application` that hands the cluster over to GitOps. */
export class ArgoCdBootstrap extends Construct {
  readonly chart: eks.HelmChart;

  constructor(scope: Construct, id: string, props: ArgoCdBootstrapProps) {
    super(scope, id);
    for (const [field, value] of [
      ['applicationName', props.applicationName],
      ['path', props.path],
      ['targetRevision', props.targetRevision],
    ] as const) {
      if (value.trim() === '') throw new Error(`ArgoCdBootstrap: ${field} must not be empty`);
    }
    if (!/^https:\/\/\S+\.git$/.test(props.repoUrl)) {
      throw new Error(`ArgoCdBootstrap: repoUrl (${props.repoUrl}) must be an https URL ending in .git`);
    }
    this.chart = props.cluster.addHelmChart('ArgoCd', {
      chart: ARGO_CD_CHART.chart,
      repository: ARGO_CD_CHART.repository,
      version: ARGO_CD_CHART.version,
      release: 'argocd',
      namespace: 'argocd',
      createNamespace: true,
      wait: true,
      values: {
        global: { tolerations: [...props.tolerations], nodeSelector: { ...props.nodeSelector } },
        // No Dex: people sign in through the cluster's access entries (kubectl port-forward).
        dex: { enabled: false },
        configs: { params: { 'server.insecure': true } },
      },
    });
    this.chart.node.addDependency(...props.after);
    props.cluster
      .addManifest('AppOfApps', {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: {
          name: props.applicationName,
          namespace: 'argocd',
          finalizers: ['resources-finalizer.argocd.argoproj.io'],
        },
        spec: {
          project: 'default',
          source: { repoURL: props.repoUrl, targetRevision: props.targetRevision, path: props.path },
          destination: { server: 'https://kubernetes.default.svc', namespace: 'argocd' },
          syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] },
        },
      })
      .node.addDependency(this.chart, ...(props.applicationAfter ?? []));
  }
}
