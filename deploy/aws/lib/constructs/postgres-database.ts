import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface PostgresDatabaseProps {
  /**
   * The DB instance identifier.
   * Fixed, because the ops CLI addresses the database by name. Changing it replaces the database.
   */
  readonly identifier: string;
  /**
   * Secrets Manager name of the master credentials (`conduit/<stage>/db`). Fixed, so deploy/k8s and the
   * ops CLI address it by name; once attached it holds host, port, dbname, username, password, engine.
   */
  readonly secretName: string;
  readonly vpc: ec2.IVpc;
  /** The only security group allowed to connect (the cluster's nodes). */
  readonly clientSecurityGroup: ec2.ISecurityGroup;
  /** Encrypts storage, Performance Insights and the credentials secret. */
  readonly encryptionKey: kms.IKey;
  /** e.g. `t4g.micro`, `m7g.large`. */
  readonly instanceType: string;
  readonly allocatedStorageGiB: number;
  readonly maxAllocatedStorageGiB: number;
  readonly multiAz: boolean;
  /** 1–35 days. */
  readonly backupRetentionDays: number;
  /** Deletion protection and a final snapshot on delete. */
  readonly protect: boolean;
  /** PostgreSQL port; the client security group may reach only this one. */
  readonly port: number;
}

export const DATABASE_NAME = 'conduit';
export const DATABASE_USER = 'conduit';
/** RDS identifier rules: a letter first, letters, digits and single hyphens, no trailing hyphen. */
const DB_IDENTIFIER = /^[a-z](?!.*--)[a-z0-9-]{0,52}[a-z0-9]$/;

/** Days between password rotations (single-user: the app reconnects with the new password on refresh). */
export const ROTATION_DAYS = 30;

/** UTC; the API's quietest hour, and before the maintenance window so they never overlap. */
export const BACKUP_WINDOW = '03:00-04:00';
export const MAINTENANCE_WINDOW = 'sun:04:30-sun:05:30';

/**
 * PostgreSQL 17 (the major the app runs locally) in isolated subnets. The master credentials live in a
 * CDK-generated secret with a fixed name (an RDS-managed secret is named `rds!db-<uuid>`, unknowable
 * before the deploy), attached to the database and rotated by Secrets Manager's hosted single-user
 * rotation Lambda, which runs in the private subnets and reaches the database through its own security group.
 */
export class PostgresDatabase extends Construct {
  readonly securityGroup: ec2.SecurityGroup;
  /** The attached credentials secret `conduit/<stage>/db`. */
  readonly secret: secretsmanager.ISecret;
  /** ARN of the credentials secret (with Secrets Manager's random suffix). */
  readonly secretArn: string;
  /** ARN of the DB instance (what the backup job may snapshot). */
  readonly resourceArn: string;
  readonly endpoint: string;
  /** The construct whose removal policy decides what happens on stack deletion. */
  readonly resource: rds.DatabaseInstance;

  constructor(scope: Construct, id: string, props: PostgresDatabaseProps) {
    super(scope, id);
    if (!DB_IDENTIFIER.test(props.identifier)) {
      throw new Error(
        `identifier "${props.identifier}" must be 2-54 lowercase letters, digits and single hyphens, starting with a letter`,
      );
    }
    if (!Number.isInteger(props.backupRetentionDays) || props.backupRetentionDays < 7) {
      throw new Error(`backupRetentionDays (${props.backupRetentionDays}) must be an integer of at least 7`);
    }
    if (props.backupRetentionDays > 35) {
      throw new Error(`backupRetentionDays (${props.backupRetentionDays}) must be at most 35 (RDS limit)`);
    }
    if (props.maxAllocatedStorageGiB < props.allocatedStorageGiB) {
      throw new Error(
        `maxAllocatedStorageGiB (${props.maxAllocatedStorageGiB}) must be >= allocatedStorageGiB (${props.allocatedStorageGiB})`,
      );
    }

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'PostgreSQL: ingress from the cluster nodes only',
      allowAllOutbound: false,
    });
    this.securityGroup.addIngressRule(
      props.clientSecurityGroup,
      ec2.Port.tcp(props.port),
      'PostgreSQL from the EKS nodes',
    );

    // `rds.DatabaseSecret` (not `Credentials.fromGeneratedSecret`) because only it puts `dbname` into the
    // generated JSON; the attachment adds host, port and engine.
    const credentials = new rds.DatabaseSecret(this, 'Credentials', {
      secretName: props.secretName,
      username: DATABASE_USER,
      dbname: DATABASE_NAME,
      encryptionKey: props.encryptionKey,
    });

    const subnetGroup = new rds.SubnetGroup(this, 'Subnets', {
      vpc: props.vpc,
      description: 'Isolated database subnets',
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const removalPolicy = props.protect ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY;
    const parameters = {
      'rds.force_ssl': '1',
      // Slow-query evidence for the latency SLO without logging every statement.
      log_min_duration_statement: '500',
      log_connections: '1',
      log_disconnections: '1',
      idle_in_transaction_session_timeout: '60000',
    };
    const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17_9 });
    const instance = new rds.DatabaseInstance(this, 'Instance', {
      vpc: props.vpc,
      subnetGroup,
      securityGroups: [this.securityGroup],
      storageEncryptionKey: props.encryptionKey,
      preferredMaintenanceWindow: MAINTENANCE_WINDOW,
      deletionProtection: props.protect,
      removalPolicy,
      monitoringInterval: Duration.seconds(60),
      copyTagsToSnapshot: true,
      iamAuthentication: true,
      instanceIdentifier: props.identifier,
      engine,
      port: props.port,
      instanceType: new ec2.InstanceType(props.instanceType),
      databaseName: DATABASE_NAME,
      cloudwatchLogsExports: ['postgresql', 'upgrade'],
      credentials: rds.Credentials.fromSecret(credentials),
      storageEncrypted: true,
      storageType: rds.StorageType.GP3,
      allocatedStorage: props.allocatedStorageGiB,
      maxAllocatedStorage: props.maxAllocatedStorageGiB,
      multiAz: props.multiAz,
      parameterGroup: new rds.ParameterGroup(this, 'Parameters', { engine, parameters }),
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: props.encryptionKey,
      autoMinorVersionUpgrade: true,
      publiclyAccessible: false,
      backupRetention: Duration.days(props.backupRetentionDays),
      preferredBackupWindow: BACKUP_WINDOW,
    });
    this.secret = instance.secret!;
    this.resourceArn = instance.instanceArn;
    this.endpoint = instance.dbInstanceEndpointAddress;
    this.resource = instance;
    this.secretArn = this.secret.secretArn;

    // Hosted rotation: Secrets Manager's own template creates the Lambda (no SAR application, no code of
    // ours). The private subnets hold the Secrets Manager endpoint; the function's security group is the
    // only other source the database admits.
    const rotation = secretsmanager.HostedRotation.postgreSqlSingleUser({
      functionName: `${props.identifier}-db-rotation`,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    });
    this.secret.addRotationSchedule('Rotation', {
      hostedRotation: rotation,
      automaticallyAfter: Duration.days(ROTATION_DAYS),
    });
    this.securityGroup.connections.allowFrom(
      rotation,
      ec2.Port.tcp(props.port),
      'PostgreSQL from the secret rotation Lambda',
    );

    // The app's drivers and tooling assume 5432; a non-default port is obscurity, not security, when
    // the security group admits only the cluster's nodes.
    Validations.of(this.resource).acknowledge({
      id: 'AwsSolutions-RDS11',
      reason:
        'Default port 5432 kept for driver/tooling defaults; access is limited to the node security group.',
    });
    Validations.of(this.resource.node.findChild('MonitoringRole')).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
      reason: 'AWS maintains the enhanced-monitoring policy with the RDS agent.',
    });
    if (!props.multiAz) {
      Validations.of(this.resource).acknowledge({
        id: 'AwsSolutions-RDS3',
        reason:
          'Non-production stage: a single AZ halves the cost; Multi-AZ is a stage setting (on in prod).',
      });
    }
    if (!props.protect) {
      Validations.of(this.resource).acknowledge({
        id: 'AwsSolutions-RDS10',
        reason: 'Non-production stage is torn down and rebuilt; deletion protection is on in prod.',
      });
    }
  }
}
