import * as platform from '@conduit/platform';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { BackupBucket } from '../constructs/backup-bucket.js';
import { PostgresDatabase } from '../constructs/postgres-database.js';

export interface DataStackProps extends StackProps {
  /** The stage: names its key, database, secrets, vault and backup plan (the platform model's names). */
  readonly stage: platform.StageName;
  /** The stage's database: instance type, storage, Multi-AZ, RDS backup retention, protection, port. */
  readonly database: platform.Stage['database'];
  /** The stage's backups: retention in days, Object Lock, whether they are copied to a second region. */
  readonly backup: platform.Stage['backup'];
  /** Name of the backup bucket (`backupBucketName`, which takes the account). */
  readonly backupBucketName: string;
  /**
   * Region of the disaster-recovery vault the backup plan copies into; required when `backup.crossRegionCopy`.
   * @default none: no cross-region copy
   */
  readonly backupCopyRegion?: string;
  /** The VPC whose isolated subnets hold the database. */
  readonly vpc: ec2.IVpc;
  /** The only security group the database admits (the cluster's nodes). */
  readonly dbClientSecurityGroup: ec2.ISecurityGroup;
  /** The images the platform builds (each workload's and the ops CLI's): one ECR repository each. */
  readonly images: readonly string[];
}

/**
 * State that must outlive any cluster: the database, its secrets, the backup bucket and vault, and the
 * image repositories. Every resource here is retained or snapshotted, and guarded by the replacement test.
 */
export class DataStack extends Stack {
  readonly key: kms.Key;
  readonly database: PostgresDatabase;
  readonly backupBucket: BackupBucket;
  readonly jwtSecret: secretsmanager.Secret;
  readonly repositories: ecr.Repository[];

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { stage, backup: backupSettings } = props;

    this.key = new kms.Key(this, 'DataKey', {
      alias: platform.dataKeyAlias(stage),
      description: `Conduit ${stage}: database, secrets, backups`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.database = new PostgresDatabase(this, 'Database', {
      identifier: platform.databaseIdentifier(stage),
      secretName: platform.databaseSecretName(stage),
      vpc: props.vpc,
      clientSecurityGroup: props.dbClientSecurityGroup,
      encryptionKey: this.key,
      ...props.database,
    });

    this.jwtSecret = new secretsmanager.Secret(this, 'JwtSecret', {
      secretName: platform.jwtSecretName(stage),
      description: 'Signing key of the API session tokens',
      encryptionKey: this.key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.jwtSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the JWT signing key logs every user out; it is rotated on purpose by the ops runbook, not on a timer.',
    });

    // Grafana's admin login: generated here so no person handles it (read it with
    // `aws secretsmanager get-secret-value`); External Secrets syncs it into monitoring/grafana-admin.
    const grafanaAdmin = new secretsmanager.Secret(this, 'GrafanaAdminSecret', {
      secretName: platform.grafanaAdminSecretName(stage),
      description: 'Grafana admin login (kube-prometheus-stack admin.existingSecret)',
      encryptionKey: this.key,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ [platform.GRAFANA_ADMIN_KEYS.user]: 'admin' }),
        generateStringKey: platform.GRAFANA_ADMIN_KEYS.password,
        passwordLength: 32,
        excludePunctuation: true,
      },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(grafanaAdmin).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Grafana reads the admin password only at start-up; a timed rotation would lock the admin out until a restart.',
    });

    // One repository per image the platform builds: each workload's and the ops CLI's.
    this.repositories = props.images.map(
      (image) =>
        new ecr.Repository(this, `Repo${image}`, {
          repositoryName: platform.ecrRepositoryName(image),
          imageScanOnPush: true,
          imageTagMutability: ecr.TagMutability.IMMUTABLE,
          encryption: ecr.RepositoryEncryption.KMS,
          encryptionKey: this.key,
          removalPolicy: RemovalPolicy.RETAIN,
          lifecycleRules: [
            {
              description: 'Drop untagged layers',
              tagStatus: ecr.TagStatus.UNTAGGED,
              maxImageAge: Duration.days(7),
            },
            {
              description: 'Keep the last 100 images for rollbacks',
              tagStatus: ecr.TagStatus.ANY,
              maxImageCount: 100,
            },
          ],
        }),
    );

    this.backupBucket = new BackupBucket(this, 'Backups', {
      bucketName: props.backupBucketName,
      encryptionKey: this.key,
      retentionDays: Math.max(backupSettings.retentionDays, 30),
      objectLock: backupSettings.objectLock,
    });

    const vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: platform.backupVaultName(stage),
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const copyActions: backup.BackupPlanCopyActionProps[] = [];
    if (backupSettings.crossRegionCopy) {
      if (!props.backupCopyRegion)
        throw new Error(
          "DataStack: backupCopyRegion (the environment's) is required when backup.crossRegionCopy is on",
        );
      copyActions.push({
        destinationBackupVault: backup.BackupVault.fromBackupVaultArn(
          this,
          'CopyVault',
          `arn:${this.partition}:backup:${props.backupCopyRegion}:${this.account}:backup-vault:${platform.backupCopyVaultName(stage)}`,
        ),
        deleteAfter: Duration.days(backupSettings.retentionDays),
      });
    }
    const plan = new backup.BackupPlan(this, 'Plan', {
      backupPlanName: `conduit-${stage}-db`,
      backupVault: vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'daily',
          // After the RDS automated backup window (03:00-04:00 UTC) so the two never overlap.
          scheduleExpression: events.Schedule.cron({ minute: '0', hour: '5' }),
          startWindow: Duration.hours(1),
          completionWindow: Duration.hours(4),
          deleteAfter: Duration.days(backupSettings.retentionDays),
          copyActions,
        }),
      ],
    });
    const selection = plan.addSelection('Database', {
      resources: [backup.BackupResource.fromArn(this.database.resourceArn)],
    });
    Validations.of(selection).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason: 'The AWS Backup service role policy is maintained by AWS with the service.',
    });

    new CfnOutput(this, 'DatabaseSecretArn', {
      value: this.database.secretArn,
      description: `Database credentials ${platform.databaseSecretName(stage)} (rotated every 30 days by Secrets Manager)`,
    });
    new CfnOutput(this, 'DatabaseIdentifier', {
      value: platform.databaseIdentifier(stage),
      description: 'RDS instance identifier (ops CLI: stop/start/snapshot)',
    });
    new CfnOutput(this, 'DatabaseEndpoint', { value: this.database.endpoint });
    new CfnOutput(this, 'JwtSecretArn', { value: this.jwtSecret.secretArn });
    new CfnOutput(this, 'BackupBucketName', { value: this.backupBucket.bucket.bucketName });
    props.images.forEach((image, i) => {
      new CfnOutput(this, `EcrUri${image}`, {
        value: this.repositories[i]!.repositoryUri,
        description: `ECR URI of ${platform.ecrRepositoryName(image)} (push with the ImagePushRoleArn role)`,
      });
    });
  }
}
