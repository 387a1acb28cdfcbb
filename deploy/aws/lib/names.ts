import type { StageName } from './stages.js';

/**
 * Names other parts of the platform rely on (deploy/k8s, the ops CLI, CI). They are plain strings so a
 * rename is a visible, reviewed change.
 */
export function stageNames(stage: StageName, account = '') {
  return {
    clusterName: `conduit-${stage}`,
    /** RDS instance (or Aurora cluster) identifier: the ops CLI stops, starts and snapshots it by name. */
    dbIdentifier: `conduit-${stage}`,
    /** Secrets Manager prefix that External Secrets may read. */
    secretPrefix: `conduit/${stage}/`,
    jwtSecretName: `conduit/${stage}/jwt`,
    /** Database credentials (host, port, dbname, username, password, engine), rotated every 30 days. */
    dbSecretName: `conduit/${stage}/db`,
    /** The CloudWatch log group Fluent Bit writes container logs to (deploy/k8s renders the same name). */
    containerLogGroupName: `/conduit/${stage}/containers`,
    appNamespace: 'conduit',
    /** Path Argo CD syncs: the app-of-apps rendered by deploy/k8s. */
    gitopsPath: `deploy/k8s/dist/${stage}`,
    /** Manual snapshots the ops CLI takes are `<dbIdentifier>-<date>-<time>`. */
    dbSnapshotPrefix: `conduit-${stage}-`,
    backupVaultName: `conduit-${stage}`,
    copyVaultName: `conduit-${stage}-copy`,
    /** S3 names are global: the account id keeps two companies' stages apart. */
    backupBucketName: `conduit-${stage}-backups-${account}`,
  } as const;
}

/** The app's two tiers and the ops CLI image its CronJobs run (same scan/immutable/lifecycle settings). */
export const ECR_REPOSITORIES = ['conduit/api', 'conduit/web', 'conduit/ops'] as const;

/**
 * Kubernetes service accounts that get AWS permissions through EKS Pod Identity (or IRSA). Each must match
 * what deploy/k8s renders (test/k8s-contract.test.ts reads deploy/k8s/dist): explicit names where the
 * rendered values set one, else the Helm chart's default (the release name).
 */
export const SERVICE_ACCOUNTS = {
  loadBalancerController: { namespace: 'kube-system', name: 'aws-load-balancer-controller' },
  externalSecrets: { namespace: 'external-secrets', name: 'external-secrets' },
  fluentBit: { namespace: 'logging', name: 'fluent-bit' },
  /** Chart default: deploy/k8s sets no name for the argo-rollouts release. */
  argoRollouts: { namespace: 'argo-rollouts', name: 'argo-rollouts' },
  /** The ops CLI's CronJobs `backup` and `restore-drill` share this service account. */
  opsJobs: { namespace: 'conduit', name: 'conduit-ops' },
  /** Chart default: deploy/k8s sets no name for the external-dns release. */
  externalDns: { namespace: 'external-dns', name: 'external-dns' },
  /**
   * Assumed: deploy/k8s does not render the collector yet; the API exports OTLP to
   * `adot-collector.observability.svc`, and the service account is taken to share that name.
   */
  adotCollector: { namespace: 'observability', name: 'adot-collector' },
  /** kube-prometheus-stack's Grafana; deploy/k8s sets `grafana.serviceAccount.name: grafana`. */
  grafana: { namespace: 'monitoring', name: 'grafana' },
  karpenter: { namespace: 'kube-system', name: 'karpenter' },
  ebsCsi: { namespace: 'kube-system', name: 'ebs-csi-controller-sa' },
} as const;
