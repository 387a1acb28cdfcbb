import {
  APP_NAMESPACE,
  backupBucketName,
  clusterName,
  databaseIdentifier,
  dumpPrefix,
  INGRESS_NAME,
  isStageName,
  migrateJobName,
  STAGE_NAMES,
  STAGES,
  type StageName,
  WORKLOADS,
  type Workload,
  workloadLabels,
  workloadsIn,
} from '@conduit/platform';
import { usageError } from './errors.js';

/**
 * Every name the CLI uses to find a stage's resources, from the platform model that deploy/aws and
 * deploy/k8s create them from (docs/operations.md lists them).
 */
export interface StageFacts {
  readonly stage: StageName;
  readonly region: string;
  /** EKS cluster and the kube context that must point at it. */
  readonly clusterName: string;
  readonly namespace: string;
  /** The workloads that run in the stage; Rollout, HPA, PDB and Service share each one's name. */
  readonly workloads: readonly Workload[];
  /** Label that selects a workload's pods. */
  readonly podSelector: (workload: string) => string;
  readonly ingressName: string;
  /** RDS instance identifier; manual snapshots are named `<dbInstanceId>-<time>`. */
  readonly dbInstanceId: string;
  /** S3 bucket for logical dumps; the account id makes the name globally unique. */
  readonly backupBucket: (account: string) => string;
  /** Key prefix of the logical dumps inside the bucket. */
  readonly dumpPrefix: string;
  /**
   * Days a snapshot or dump is kept before `backup run` prunes it: the bucket's lifecycle and, in prod, its
   * object lock use the same days, so pruning earlier would fight the lock and pruning later find nothing.
   */
  readonly retentionDays: number;
  /** The PreSync Job that migrates the database, as a template for `db migrate`. */
  readonly migrateJobName: string;
}

export function stageFacts(stage: string, all: readonly Workload[] = WORKLOADS): StageFacts {
  if (!isStageName(stage)) {
    throw usageError(`unknown stage "${stage}" (expected one of ${STAGE_NAMES.join(', ')})`);
  }
  const model = STAGES[stage];
  const workloads = workloadsIn(stage, all).map((w) => w.workload);
  const migrator = workloads.find((w) => w.migrations);
  if (!migrator) throw usageError(`stage ${stage} runs no workload that carries the migrations`);
  return {
    stage,
    region: model.region,
    clusterName: clusterName(stage),
    namespace: APP_NAMESPACE,
    workloads,
    podSelector: (workload) =>
      Object.entries(workloadLabels(workload))
        .map(([key, value]) => `${key}=${value}`)
        .join(','),
    ingressName: INGRESS_NAME,
    dbInstanceId: databaseIdentifier(stage),
    backupBucket: (account) => backupBucketName({ name: stage, account }),
    dumpPrefix: dumpPrefix(stage),
    retentionDays: model.backup.retentionDays,
    migrateJobName: migrateJobName(migrator.name),
  };
}

/** The workload called `value` in the stage; anything else is a usage error listing the known ones. */
export function parseWorkload(facts: StageFacts, value: string): Workload {
  const found = facts.workloads.find((w) => w.name === value);
  if (!found) {
    throw usageError(
      `unknown workload "${value}" (expected one of ${facts.workloads.map((w) => w.name).join(', ')})`,
    );
  }
  return found;
}

/** An HTTP service of the stage: the workloads that run as canary Rollouts (a worker is a Deployment). */
export function parseCanaryWorkload(facts: StageFacts, value: string): Workload {
  const workload = parseWorkload(facts, value);
  if (workload.kind !== 'http') {
    throw usageError(`workload "${value}" is a worker (a Deployment): it has no canary rollout`);
  }
  return workload;
}

/** Lowest replica count `scale` accepts: the model's floor, so the PDB can always allow a disruption. */
export function minReplicas(facts: StageFacts, workload: Workload): number {
  // parseWorkload only returns workloads of the stage, so the stage's size is there.
  return workload.stages[facts.stage]!.minReplicas;
}
