import {
  backupBucketName,
  backupCopyVaultName,
  backupVaultName,
  clusterName,
  databaseIdentifier,
  ecrRepositoryName,
  jwtSecretName,
  PRODUCT,
} from './names.js';
import type { Stage, StageName } from './stages.js';
import { images } from './workloads.js';

/**
 * The CloudFormation stacks of a stage and how deploy/aws wires them. deploy/aws names its stacks from here
 * and a test there checks the synthesized assembly's dependencies against `dependsOn`; the ops CLI's
 * `teardown` deletes them in the reverse order, so both read one list.
 */
export const STACK_IDS = ['Network', 'BackupCopy', 'Data', 'Cluster', 'Edge', 'CiIdentity'] as const;
export type StackId = (typeof STACK_IDS)[number];

interface StackEntry {
  /** Suffix of the stack name, `conduit-<stage>-<suffix>`. */
  readonly suffix: string;
  /** Stacks whose exports (or explicit dependency) this one needs: deployed before it, deleted after it. */
  readonly dependsOn: readonly StackId[];
  /** Deployed to the stage's `backupCopyRegion`, and only where the stage copies backups across regions. */
  readonly inBackupCopyRegion?: true;
}

const STACK_ENTRIES: { readonly [I in StackId]: StackEntry } = {
  Network: { suffix: 'network', dependsOn: [] },
  BackupCopy: { suffix: 'backup-copy', dependsOn: [], inBackupCopyRegion: true },
  // The backup plan copies into the BackupCopy vault by ARN: an explicit dependency, not an export.
  Data: { suffix: 'data', dependsOn: ['Network', 'BackupCopy'] },
  // The CI observer role must exist before the Cluster stack gives it an access entry.
  Cluster: { suffix: 'cluster', dependsOn: ['Network', 'Data', 'CiIdentity'] },
  Edge: { suffix: 'edge', dependsOn: ['Network'] },
  CiIdentity: { suffix: 'ci-identity', dependsOn: ['Data'] },
};

/** The CloudFormation stack name of one of a stage's stacks. */
export function stackName(stage: StageName, id: StackId): string {
  return `${PRODUCT}-${stage}-${STACK_ENTRIES[id].suffix}`;
}

export interface StageStack {
  readonly id: StackId;
  readonly name: string;
  readonly region: string;
  /** Only stacks the stage has. */
  readonly dependsOn: readonly StackId[];
}

/** The stacks a stage deploys, in an order where every stack follows the ones it depends on. */
export function stacksOf(stage: Pick<Stage, 'name' | 'region' | 'backupCopyRegion'>): StageStack[] {
  const present = STACK_IDS.filter((id) => !STACK_ENTRIES[id].inBackupCopyRegion || stage.backupCopyRegion);
  const stacks = present.map((id) => ({
    id,
    name: stackName(stage.name, id),
    region: STACK_ENTRIES[id].inBackupCopyRegion ? stage.backupCopyRegion! : stage.region,
    dependsOn: STACK_ENTRIES[id].dependsOn.filter((d) => present.includes(d)),
  }));
  return topologicalOrder(stacks);
}

/** Kahn's algorithm, stable on the listed order; a cycle is a modelling error worth failing loudly on. */
function topologicalOrder(stacks: readonly StageStack[]): StageStack[] {
  const ordered: StageStack[] = [];
  const pending = [...stacks];
  while (pending.length > 0) {
    const next = pending.findIndex((s) => s.dependsOn.every((d) => ordered.some((o) => o.id === d)));
    if (next < 0) throw new Error(`stack dependencies form a cycle: ${pending.map((s) => s.id).join(', ')}`);
    ordered.push(...pending.splice(next, 1));
  }
  return ordered;
}

/** The order a teardown deletes them in: every stack before the ones it depends on. */
export function teardownOrder(stage: Pick<Stage, 'name' | 'region' | 'backupCopyRegion'>): StageStack[] {
  return stacksOf(stage).reverse();
}

/** A resource a stack keeps when it is deleted (DeletionPolicy Retain or Snapshot in its template). */
export interface RetainedResource {
  readonly stack: StackId;
  readonly policy: 'Retain' | 'Snapshot';
  /** CloudFormation type, as the template names it. */
  readonly type: string;
  /** What stays behind, by name where the name is fixed. */
  readonly what: string;
  /** How to remove it by hand once nobody needs it. */
  readonly removeWith: string;
}

/**
 * What deploy/aws keeps on purpose when a stage's stacks are deleted: state (database snapshot, backups,
 * images, keys) and the audit trail (logs). A test in deploy/aws checks this list against the synthesized
 * templates' DeletionPolicy, so `conduit teardown` can name every survivor.
 */
export function retainedResources(
  stage: Pick<Stage, 'name' | 'account' | 'region' | 'backupCopyRegion' | 'database'>,
  imageNames: readonly string[] = images(),
): RetainedResource[] {
  const s = stage.name;
  const stackLogs = (id: StackId, logicalId: string) =>
    `aws logs describe-log-groups --log-group-name-prefix ${stackName(s, id)}-${logicalId} then aws logs delete-log-group`;
  const key = (alias: string, region = stage.region) =>
    `aws kms schedule-key-deletion --key-id alias/${alias} --pending-window-in-days 30 --region ${region}`;
  const list: RetainedResource[] = [
    {
      stack: 'Network',
      policy: 'Retain',
      type: 'AWS::Logs::LogGroup',
      what: 'VPC flow log group (generated name)',
      removeWith: stackLogs('Network', 'FlowLogs'),
    },
    {
      stack: 'Data',
      policy: 'Retain',
      type: 'AWS::KMS::Key',
      what: `KMS key alias/${PRODUCT}-${s}-data`,
      removeWith: key(`${PRODUCT}-${s}-data`),
    },
    {
      stack: 'Data',
      policy: 'Retain',
      type: 'AWS::SecretsManager::Secret',
      what: `secret ${jwtSecretName(s)}`,
      removeWith: `aws secretsmanager delete-secret --secret-id ${jwtSecretName(s)}`,
    },
    ...imageNames.map(
      (image): RetainedResource => ({
        stack: 'Data',
        policy: 'Retain',
        type: 'AWS::ECR::Repository',
        what: `ECR repository ${ecrRepositoryName(image)}`,
        removeWith: `aws ecr delete-repository --repository-name ${ecrRepositoryName(image)} --force`,
      }),
    ),
    {
      stack: 'Data',
      policy: 'Retain',
      type: 'AWS::S3::Bucket',
      what: `backup bucket ${backupBucketName(stage)} (logical dumps)`,
      removeWith: `aws s3api list-object-versions, delete-objects for every version and delete marker (object lock: only after the retention), then aws s3api delete-bucket --bucket ${backupBucketName(stage)}`,
    },
    {
      stack: 'Data',
      policy: 'Retain',
      type: 'AWS::S3::Bucket',
      what: 'backup bucket access-log bucket (generated name)',
      removeWith: `aws s3 rb s3://<the ${stackName(s, 'Data')}-backupsaccesslogs… bucket> --force`,
    },
    {
      stack: 'Data',
      policy: 'Retain',
      type: 'AWS::Backup::BackupVault',
      what: `AWS Backup vault ${backupVaultName(s)} and its recovery points`,
      removeWith: `aws backup delete-recovery-point for each point, then aws backup delete-backup-vault --backup-vault-name ${backupVaultName(s)}`,
    },
    {
      stack: 'Cluster',
      policy: 'Retain',
      type: 'AWS::KMS::Key',
      what: `KMS key alias/${clusterName(s)}-secrets`,
      removeWith: key(`${clusterName(s)}-secrets`),
    },
    ...['ClusterKubectlProviderHandler', 'ClusterKubectlProviderframeworkonEvent'].map(
      (logicalId): RetainedResource => ({
        stack: 'Cluster',
        policy: 'Retain',
        type: 'AWS::Logs::LogGroup',
        what: `kubectl provider Lambda log group ${logicalId} (generated name)`,
        removeWith: stackLogs('Cluster', logicalId),
      }),
    ),
    {
      stack: 'Edge',
      policy: 'Retain',
      type: 'AWS::S3::Bucket',
      what: 'CloudFront access-log bucket (generated name)',
      removeWith: `aws s3 rb s3://<the ${stackName(s, 'Edge')}-accesslogs… bucket> --force`,
    },
  ];
  if (stage.database.protect) {
    list.push({
      stack: 'Data',
      policy: 'Snapshot',
      type: 'AWS::RDS::DBInstance',
      what: `final snapshot of RDS instance ${databaseIdentifier(s)}`,
      removeWith: `aws rds describe-db-snapshots --db-instance-identifier ${databaseIdentifier(s)} --snapshot-type manual, then aws rds delete-db-snapshot`,
    });
  }
  if (stage.backupCopyRegion) {
    list.push(
      {
        stack: 'BackupCopy',
        policy: 'Retain',
        type: 'AWS::KMS::Key',
        what: `KMS key alias/${PRODUCT}-${s}-backup-copy (${stage.backupCopyRegion})`,
        removeWith: key(`${PRODUCT}-${s}-backup-copy`, stage.backupCopyRegion),
      },
      {
        stack: 'BackupCopy',
        policy: 'Retain',
        type: 'AWS::Backup::BackupVault',
        what: `AWS Backup vault ${backupCopyVaultName(s)} (${stage.backupCopyRegion}) and its recovery points`,
        removeWith: `as the vault above, with --region ${stage.backupCopyRegion} --backup-vault-name ${backupCopyVaultName(s)}`,
      },
    );
  }
  return list;
}
