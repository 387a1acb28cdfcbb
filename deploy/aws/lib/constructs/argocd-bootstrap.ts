import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct, type IDependable } from 'constructs';

/** Pinned Argo CD chart: upgrades are reviewed changes, never a side effect of a deploy. */
export const ARGO_CD_CHART = {
  repository: 'https://argoproj.github.io/argo-helm',
  chart: 'argo-cd',
  version: '9.1.4',
} as const;

/** An Argo CD Application as deploy/k8s renders it (only the fields checked here are typed). */
export interface RootApplication {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec: { readonly source?: { readonly repoURL?: string; readonly targetRevision?: string } };
  readonly [field: string]: unknown;
}

export interface ArgoCdBootstrapProps {
  readonly cluster: eks.ICluster;
  /**
   * The root Application exactly as deploy/k8s rendered it (`deploy/k8s/dist/<stage>/bootstrap/`): cdk8s is
   * the only source of manifests, and this construct is the only thing that puts the root into the cluster.
   */
  readonly root: RootApplication;
  /** Git repository and revision the stage syncs from; the rendered root must point at them. */
  readonly repoUrl: string;
  readonly targetRevision: string;
  /** Tolerations and node selector that put Argo CD on the system nodes. */
  readonly tolerations: readonly Record<string, string>[];
  readonly nodeSelector: Readonly<Record<string, string>>;
  /** What Argo CD's pods need first (the system nodes). */
  readonly after: readonly IDependable[];
  /**
   * What the root Application needs first beyond Argo CD: the Load Balancer Controller, whose webhook gives
   * the app pods their readiness gates.
   * @default nothing else
   */
  readonly applicationAfter?: readonly IDependable[];
}

/** Argo CD (Helm) and the root `Application` (app-of-apps) that hands the cluster over to GitOps. */
export class ArgoCdBootstrap extends Construct {
  readonly chart: eks.HelmChart;

  constructor(scope: Construct, id: string, props: ArgoCdBootstrapProps) {
    super(scope, id);
    if (!/^https:\/\/\S+\.git$/.test(props.repoUrl)) {
      throw new Error(`ArgoCdBootstrap: repoUrl (${props.repoUrl}) must be an https URL ending in .git`);
    }
    if (props.targetRevision.trim() === '') {
      throw new Error('ArgoCdBootstrap: targetRevision must not be empty');
    }
    const { root } = props;
    if (root.apiVersion !== 'argoproj.io/v1alpha1' || root.kind !== 'Application') {
      throw new Error(
        `ArgoCdBootstrap: root (${root.apiVersion} ${root.kind}) must be an argoproj.io/v1alpha1 Application`,
      );
    }
    if (root.metadata.namespace !== 'argocd') {
      throw new Error(`ArgoCdBootstrap: root.metadata.namespace (${root.metadata.namespace}) must be argocd`);
    }
    // A root rendered for another repository or revision means dist/ is stale: re-run the k8s synth.
    for (const [field, rendered, expected] of [
      ['repoURL', root.spec.source?.repoURL, props.repoUrl],
      ['targetRevision', root.spec.source?.targetRevision, props.targetRevision],
    ] as const) {
      if (rendered !== expected) {
        throw new Error(
          `ArgoCdBootstrap: root.spec.source.${field} (${rendered}) must be ${expected}; run npm run synth -w @conduit/k8s`,
        );
      }
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
    // The construct id stays `AppOfApps` so the custom resource keeps its logical id (an update, not a
    // replacement, of what is already applied).
    props.cluster
      .addManifest('AppOfApps', { ...root })
      .node.addDependency(this.chart, ...(props.applicationAfter ?? []));
  }
}
