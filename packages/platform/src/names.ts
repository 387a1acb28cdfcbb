import { GITHUB_REPOSITORY, type Stage, type StageName } from './stages.js';

/**
 * Every name more than one layer relies on (deploy/aws creates, deploy/k8s references, the ops CLI finds,
 * alerts link). Plain functions of the stage or workload, so a rename is one reviewed change here.
 */

/** The product: prefix of every stage-level AWS name and the `part-of` label. */
export const PRODUCT = 'conduit';
/** The Kubernetes namespace of the workloads, their jobs and their secrets. */
export const APP_NAMESPACE = 'conduit';
/** The namespace kube-prometheus-stack runs in (Prometheus, Grafana, Alertmanager). */
export const MONITORING_NAMESPACE = 'monitoring';
/** The public entry point's Ingress (or VirtualService): one per stage, shared by the HTTP services. */
export const INGRESS_NAME = 'conduit';
/**
 * The request header that sends a request to the canary whatever the weight, while a release is under way
 * (the router's header route; no effect otherwise). Smoke tests and drills use it, and the edge sends it on
 * its second try for a static asset the first track lacked (deploy/aws EdgeStack).
 */
export const CANARY_HEADER = { name: 'X-Canary', value: 'always' } as const;
/** Where Argo CD and every Application of a stage live (deploy/aws installs it, deploy/k8s renders into it). */
export const ARGOCD_NAMESPACE = 'argocd';
/**
 * external-dns's TXT-registry owner id: the chart's default, as deploy/k8s sets no `txtOwnerId`. A record
 * whose ownership TXT names another owner is not ours, and teardown leaves it alone.
 */
export const EXTERNAL_DNS_OWNER = 'default';
/** The ops CLI's CronJobs. */
export const CRON_JOBS = { backup: 'backup', restoreDrill: 'restore-drill' } as const;

/** EKS cluster; also the Karpenter discovery tag and the kube context the ops CLI looks for. */
export function clusterName(stage: StageName): string {
  return `${PRODUCT}-${stage}`;
}

/**
 * Name tag of the security group of the public load balancer (the ALB, or ingress-nginx's NLB): deploy/aws
 * creates it admitting only CloudFront, deploy/k8s hands it to the Load Balancer Controller by this name.
 */
export function originSecurityGroupName(stage: StageName): string {
  return `${PRODUCT}-${stage}-origin`;
}

/** RDS instance identifier: the ops CLI stops, starts and snapshots it by name. */
export function databaseIdentifier(stage: StageName): string {
  return `${PRODUCT}-${stage}`;
}

/** Manual snapshots the ops CLI takes are `<prefix><date>-<time>`. */
export function databaseSnapshotPrefix(stage: StageName): string {
  return `${databaseIdentifier(stage)}-`;
}

/** Secrets Manager prefix that External Secrets may read. */
export function secretPrefix(stage: StageName): string {
  return `${PRODUCT}/${stage}/`;
}

/** The JWT signing secret (a plain string) in Secrets Manager. */
export function jwtSecretName(stage: StageName): string {
  return `${secretPrefix(stage)}jwt`;
}

/** Database credentials attached to the instance (host, port, dbname, username, password, engine). */
export function databaseSecretName(stage: StageName): string {
  return `${secretPrefix(stage)}db`;
}

/** The CloudWatch log group Fluent Bit writes every container's logs to (CDK creates it). */
export function containerLogGroupName(stage: StageName): string {
  return `/${PRODUCT}/${stage}/containers`;
}

/** Where deploy/k8s writes a stage's rendered manifests and Argo CD syncs them from. */
export function gitopsPath(stage: StageName): string {
  return `deploy/k8s/dist/${stage}`;
}

/**
 * The rendered folder holding the stage's root Argo CD Application: deploy/aws's Argo CD bootstrap applies
 * exactly its objects (the one owner of the root); no Application syncs it.
 */
export function gitopsBootstrapPath(stage: StageName): string {
  return `${gitopsPath(stage)}/bootstrap`;
}

export function backupVaultName(stage: StageName): string {
  return `${PRODUCT}-${stage}`;
}

export function backupCopyVaultName(stage: StageName): string {
  return `${PRODUCT}-${stage}-copy`;
}

/** S3 names are global: the account id keeps two companies' stages apart. */
export function backupBucketName(stage: Pick<Stage, 'name' | 'account'>): string {
  return `${PRODUCT}-${stage.name}-backups-${stage.account}`;
}

/** Key prefix of the logical dumps inside the backup bucket. */
export function dumpPrefix(stage: StageName): string {
  return `logical/${stage}/`;
}

/** Argo CD Applications of a stage: the root app-of-apps, the platform and app directories, the add-ons. */
export const argoApplicationNames = {
  root: (stage: StageName) => `${PRODUCT}-${stage}-root`,
  platform: (stage: StageName) => `${PRODUCT}-${stage}-platform`,
  app: (stage: StageName) => `${PRODUCT}-${stage}`,
  addOn: (stage: StageName, addOn: string) => `${stage}-${addOn}`,
} as const;

/** ECR repository of an image (a workload's or the ops CLI's). */
export function ecrRepositoryName(image: string): string {
  return `${PRODUCT}/${image}`;
}

/** Full registry path of an image in a stage's account, without tag or digest. */
export function imageRepository(stage: Pick<Stage, 'account' | 'region'>, image: string): string {
  return `${stage.account}.dkr.ecr.${stage.region}.amazonaws.com/${ecrRepositoryName(image)}`;
}

/** The labels every object of a workload carries; the first one alone selects its pods. */
export function workloadLabels(workload: string): Record<string, string> {
  return { 'app.kubernetes.io/name': workload, 'app.kubernetes.io/part-of': PRODUCT };
}

/** The PreSync Job that runs a workload's migrations. */
export function migrateJobName(workload: string): string {
  return `${workload}-migrate`;
}

/** Grafana dashboard uid of a topic (`overview`, `canary`, a workload's name, ...). */
export function dashboardUid(topic: string): string {
  return `${PRODUCT}-${topic}`;
}

/** The repository's browse URL for the default branch; runbook links are built from it. */
export const REPOSITORY_BLOB_URL = `https://github.com/${GITHUB_REPOSITORY.owner}/${GITHUB_REPOSITORY.name}/blob/main`;

/** Path of the runbooks inside the repository; each alert has `<alert>.md` there. */
export const RUNBOOKS_PATH = 'docs/runbooks';

export function runbookPath(alert: string): string {
  return `${RUNBOOKS_PATH}/${alert}.md`;
}

export function runbookUrl(alert: string, baseUrl: string = REPOSITORY_BLOB_URL): string {
  return `${baseUrl}/${runbookPath(alert)}`;
}

/**
 * Kubernetes service accounts that get AWS permissions through EKS Pod Identity (or IRSA): explicit names
 * where deploy/k8s's Helm values set one, else the chart's default (the release name).
 */
export const SERVICE_ACCOUNTS = {
  loadBalancerController: { namespace: 'kube-system', name: 'aws-load-balancer-controller' },
  externalSecrets: { namespace: 'external-secrets', name: 'external-secrets' },
  fluentBit: { namespace: 'logging', name: 'fluent-bit' },
  /** Chart default: deploy/k8s sets no name for the argo-rollouts release. */
  argoRollouts: { namespace: 'argo-rollouts', name: 'argo-rollouts' },
  /** The ops CLI's CronJobs `backup` and `restore-drill` share this service account. */
  opsJobs: { namespace: APP_NAMESPACE, name: `${PRODUCT}-ops` },
  /** Chart default: deploy/k8s sets no name for the external-dns release. */
  externalDns: { namespace: 'external-dns', name: 'external-dns' },
  /** The ADOT collector add-on (deploy/k8s sets `serviceAccount.name: adot-collector`); sends traces to X-Ray. */
  adotCollector: { namespace: 'observability', name: 'adot-collector' },
  /** kube-prometheus-stack's Grafana; deploy/k8s sets `grafana.serviceAccount.name: grafana`. */
  grafana: { namespace: MONITORING_NAMESPACE, name: 'grafana' },
  karpenter: { namespace: 'kube-system', name: 'karpenter' },
  ebsCsi: { namespace: 'kube-system', name: 'ebs-csi-controller-sa' },
} as const;

/** The service account of a workload's pods (its Pod Identity association when it calls AWS). */
export function workloadServiceAccount(workload: string): { namespace: string; name: string } {
  return { namespace: APP_NAMESPACE, name: workload };
}

/**
 * The IAM role a service account assumes in an IRSA stage: named, because the `eks.amazonaws.com/role-arn`
 * annotation deploy/k8s renders must be known before deploy/aws has deployed. Pod Identity roles keep
 * generated names (the association finds them).
 */
export function irsaRoleName(stage: StageName, account: { namespace: string; name: string }): string {
  const name = `${PRODUCT}-${stage}-${account.namespace}-${account.name}`;
  if (name.length > 64) throw new Error(`IAM role name ${name} is longer than 64 characters`);
  return name;
}

/** The ARN of `irsaRoleName` in the stage's account. */
export function irsaRoleArn(
  stage: Pick<Stage, 'name' | 'account'>,
  account: { namespace: string; name: string },
): string {
  return `arn:aws:iam::${stage.account}:role/${irsaRoleName(stage.name, account)}`;
}
