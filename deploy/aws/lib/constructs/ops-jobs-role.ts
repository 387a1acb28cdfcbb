import { Stack } from 'aws-cdk-lib';
import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeWildcards } from './acknowledge.js';
import { type PodIdentityRole, type WorkloadIdentity, workloadRole } from './pod-identity-role.js';

export interface OpsJobsRoleProps {
  readonly cluster: eks.ICluster;
  readonly identity: WorkloadIdentity;
  /** The service account the `backup` and `restore-drill` CronJobs share. */
  readonly serviceAccount: { readonly namespace: string; readonly name: string };
  /** ARN of the RDS instance the job snapshots. */
  readonly databaseArn: string;
  /** Manual snapshots are named `<snapshotPrefix>-<time>`; the job may delete only those. */
  readonly snapshotPrefix: string;
  /** Secrets Manager name of the database credentials (exactly this secret is readable). */
  readonly databaseSecretName: string;
  /** A fixed name, so the policy needs no cross-stack reference. */
  readonly backupBucketName: string;
  /** The key of the bucket and the secret; used only through S3 and Secrets Manager. */
  readonly dataKeyArn: string;
}

/**
 * The ops CLI's CronJobs (`backup run`: snapshot, dump to S3, prune; `backup drill`: download the latest
 * dump and restore it into a scratch database). Manual snapshots are named `<dbIdentifier>-<time>`, so
 * the snapshot wildcard never reaches AWS Backup's recovery points (`awsbackup:*`).
 */
export class OpsJobsRole extends Construct {
  readonly role: PodIdentityRole;

  constructor(scope: Construct, id: string, props: OpsJobsRoleProps) {
    super(scope, id);
    if (!/^[a-z][a-z0-9-]*$/.test(props.snapshotPrefix)) {
      throw new Error(
        `OpsJobsRole: snapshotPrefix (${props.snapshotPrefix}) must be an RDS identifier, or the snapshot wildcard widens`,
      );
    }
    if (props.databaseSecretName.includes('*')) {
      throw new Error(`OpsJobsRole: databaseSecretName (${props.databaseSecretName}) must name one secret`);
    }
    const { region, account, partition } = Stack.of(this);
    const backupBucketArn = `arn:${partition}:s3:::${props.backupBucketName}`;
    const snapshotArn = `arn:${partition}:rds:${region}:${account}:snapshot:${props.snapshotPrefix}*`;
    this.role = workloadRole(this, 'BackupJob', props.identity, {
      cluster: props.cluster,
      namespace: props.serviceAccount.namespace,
      serviceAccount: props.serviceAccount.name,
      statements: [
        new iam.PolicyStatement({
          sid: 'SnapshotOurDatabase',
          actions: [
            'rds:CreateDBSnapshot',
            'rds:AddTagsToResource',
            'rds:DescribeDBInstances',
            'rds:DescribeDBSnapshots',
          ],
          resources: [props.databaseArn, snapshotArn],
        }),
        new iam.PolicyStatement({
          sid: 'PruneOurSnapshots',
          actions: ['rds:DeleteDBSnapshot'],
          resources: [snapshotArn],
        }),
        // DeleteObject only adds a delete marker in the versioned bucket: old versions stay for the
        // lifecycle's noncurrent days (and the object lock in prod). No version deletes, no lock bypass.
        new iam.PolicyStatement({
          sid: 'ReadWriteOurBackupBucket',
          actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
          resources: [`${backupBucketArn}/*`],
        }),
        new iam.PolicyStatement({
          sid: 'ListOurBackupBucket',
          actions: ['s3:ListBucket'],
          resources: [backupBucketArn],
        }),
        new iam.PolicyStatement({
          sid: 'EncryptThroughS3',
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [props.dataKeyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
        }),
        new iam.PolicyStatement({
          sid: 'ReadOurDatabaseSecret',
          actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          // Exactly the secret plus Secrets Manager's 6-character suffix, not <name>-*.
          resources: [
            `arn:${partition}:secretsmanager:${region}:${account}:secret:${props.databaseSecretName}-??????`,
          ],
        }),
        new iam.PolicyStatement({
          sid: 'DecryptThroughSecretsManager',
          actions: ['kms:Decrypt'],
          resources: [props.dataKeyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } },
        }),
      ],
    });
    acknowledgeWildcards(this.role, [
      [`Resource::${snapshotArn}`, `Only snapshots named ${props.snapshotPrefix}*, which the job creates.`],
      [`Resource::${backupBucketArn}/*`, 'Objects of our backup bucket only.'],
    ]);
  }
}
