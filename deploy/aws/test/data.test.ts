import { ecrRepositoryName, images, STAGE_NAMES, STAGES } from '@conduit/platform';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { BackupBucket } from '../lib/constructs/backup-bucket.js';
import { PostgresDatabase } from '../lib/constructs/postgres-database.js';
import { resourcesOfType, stackExists, template } from './templates.js';

const ref = (logicalIdPrefix: string) => ({
  'Fn::GetAtt': [Match.stringLikeRegexp(`^${logicalIdPrefix}`), 'Arn'],
});

describe.each(STAGE_NAMES)('data stack (%s)', (stage) => {
  const t = template(stage, 'Data');
  const db = STAGES[stage].database;
  const prod = stage === 'prod';
  const account = STAGES[stage].account;

  it('runs PostgreSQL 17 encrypted with our KMS key, in the isolated subnets, never public', () => {
    t.hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'postgres',
      EngineVersion: Match.stringLikeRegexp('^17\\.'),
      StorageEncrypted: true,
      KmsKeyId: ref('DataKey'),
      PubliclyAccessible: false,
      StorageType: 'gp3',
      DBInstanceClass: `db.${db.instanceType}`,
    });
    const [[, group]] = resourcesOfType(stage, 'Data', 'AWS::RDS::DBSubnetGroup') as [
      [string, { Properties?: Record<string, unknown> }],
    ];
    const subnetIds = JSON.stringify(group.Properties!.SubnetIds);
    expect(subnetIds).toMatch(/databaseSubnet/);
    expect(subnetIds).not.toMatch(/privateSubnet|publicSubnet/);
  });

  it('admits PostgreSQL only from the node and rotation security groups, and allows no egress', () => {
    const ingress = resourcesOfType(stage, 'Data', 'AWS::EC2::SecurityGroupIngress').map(
      ([, r]) => r.Properties!,
    );
    expect(ingress).toHaveLength(2);
    for (const rule of ingress) {
      expect(rule).toMatchObject({ FromPort: 5432, ToPort: 5432, IpProtocol: 'tcp' });
      expect(rule.CidrIp).toBeUndefined();
    }
    expect(ingress.map((r) => JSON.stringify(r.SourceSecurityGroupId))).toEqual([
      expect.stringMatching(/DbClients/),
      expect.stringMatching(/RotationSecurityGroup/),
    ]);
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'PostgreSQL: ingress from the cluster nodes only',
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    });
  });

  it(`is named conduit-${stage}, the identifier the ops CLI stops, starts and snapshots`, () => {
    t.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceIdentifier: `conduit-${stage}` });
    t.resourceCountIs('AWS::RDS::DBCluster', 0);
    t.hasOutput('DatabaseIdentifier', { Value: `conduit-${stage}` });
  });

  it('forces TLS through the parameter group', () => {
    t.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Family: 'postgres17',
      Parameters: Match.objectLike({ 'rds.force_ssl': '1' }),
    });
  });

  it('keeps the credentials in conduit/<stage>/db: generated, KMS-encrypted, attached, with dbname', () => {
    const [[secretId, secret]] = resourcesOfType(stage, 'Data', 'AWS::SecretsManager::Secret').filter(
      ([, r]) => r.Properties!.Name === `conduit/${stage}/db`,
    ) as [[string, { Properties: Record<string, unknown>; DeletionPolicy?: string }]];
    expect(secret.Properties.SecretString).toBeUndefined();
    t.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: `conduit/${stage}/db`,
      KmsKeyId: ref('DataKey'),
      GenerateSecretString: Match.objectLike({
        GenerateStringKey: 'password',
        SecretStringTemplate: JSON.stringify({ username: 'conduit', dbname: 'conduit' }),
      }),
    });
    // The attachment adds host, port, engine to the JSON; the instance reads username and password from it.
    t.hasResourceProperties('AWS::SecretsManager::SecretTargetAttachment', {
      SecretId: { Ref: secretId },
      TargetType: 'AWS::RDS::DBInstance',
      TargetId: { Ref: Match.stringLikeRegexp('^DatabaseInstance') },
    });
    t.hasResourceProperties('AWS::RDS::DBInstance', {
      ManageMasterUserPassword: Match.absent(),
      MasterUserSecret: Match.absent(),
      MasterUsername: {
        'Fn::Join': ['', Match.arrayWith([{ Ref: secretId }, ':SecretString:username::}}'])],
      },
      MasterUserPassword: {
        'Fn::Join': ['', Match.arrayWith([{ Ref: secretId }, ':SecretString:password::}}'])],
      },
    });
    t.hasOutput('DatabaseSecretArn', {
      Value: { Ref: Match.stringLikeRegexp('^DatabaseCredentialsAttachment') },
    });
  });

  it('rotates the credentials every 30 days with the hosted single-user Lambda in the private subnets', () => {
    const schedules = resourcesOfType(stage, 'Data', 'AWS::SecretsManager::RotationSchedule');
    expect(schedules).toHaveLength(1);
    const props = schedules[0]![1].Properties!;
    expect(JSON.stringify(props.SecretId)).toMatch(/DatabaseCredentialsAttachment/);
    expect(props.RotationRules).toEqual({ ScheduleExpression: 'rate(30 days)' });
    const lambda = props.HostedRotationLambda as Record<string, unknown>;
    expect(lambda).toMatchObject({
      RotationType: 'PostgreSQLSingleUser',
      RotationLambdaName: `conduit-${stage}-db-rotation`,
    });
    expect(JSON.stringify(lambda.KmsKeyArn)).toMatch(/^\{"Fn::GetAtt":\["DataKey[0-9A-F]{8}","Arn"\]\}$/);
    // Subnet ids are imported from the network stack: only the private ones (where the endpoint is).
    expect(JSON.stringify(lambda.VpcSubnetIds)).toMatch(/privateSubnet/);
    expect(JSON.stringify(lambda.VpcSubnetIds)).not.toMatch(/databaseSubnet|publicSubnet/);
    expect(JSON.stringify(lambda.VpcSecurityGroupIds)).toMatch(
      /DatabaseCredentialsAttachmentRotationSecurityGroup/,
    );
  });
  it(`keeps automated backups ${db.backupRetentionDays} days in the 03:00-04:00 UTC window`, () => {
    expect(db.backupRetentionDays).toBeGreaterThanOrEqual(prod ? 14 : 7);
    t.hasResourceProperties('AWS::RDS::DBInstance', {
      BackupRetentionPeriod: db.backupRetentionDays,
      PreferredBackupWindow: '03:00-04:00',
      PreferredMaintenanceWindow: 'sun:04:30-sun:05:30',
    });
  });

  it(`is ${prod ? 'Multi-AZ, deletion-protected and snapshotted on delete' : 'single-AZ and disposable'}`, () => {
    t.hasResourceProperties('AWS::RDS::DBInstance', { MultiAZ: prod, DeletionProtection: prod });
    t.hasResource('AWS::RDS::DBInstance', {
      DeletionPolicy: prod ? 'Snapshot' : 'Delete',
      UpdateReplacePolicy: prod ? 'Snapshot' : 'Delete',
    });
  });

  it('has Performance Insights (KMS) and enhanced monitoring', () => {
    t.hasResourceProperties('AWS::RDS::DBInstance', {
      EnablePerformanceInsights: true,
      PerformanceInsightsKMSKeyId: ref('DataKey'),
      MonitoringInterval: 60,
      MonitoringRoleArn: ref('DatabaseInstanceMonitoringRole'),
      EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
    });
  });

  it('rotates the data key yearly and keeps it on stack deletion', () => {
    t.hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true }, DeletionPolicy: 'Retain' });
  });

  it('stores the JWT secret under conduit/<stage>/jwt, generated, KMS-encrypted', () => {
    t.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: `conduit/${stage}/jwt`,
      GenerateSecretString: Match.objectLike({ PasswordLength: 64 }),
      KmsKeyId: ref('DataKey'),
      SecretString: Match.absent(),
    });
  });

  it('has one ECR repository per image of the model (conduit/<image>): scan on push, immutable, lifecycle, retained', () => {
    t.resourceCountIs('AWS::ECR::Repository', images().length);
    for (const name of images().map(ecrRepositoryName)) {
      t.hasResource('AWS::ECR::Repository', {
        Properties: {
          RepositoryName: name,
          ImageScanningConfiguration: { ScanOnPush: true },
          ImageTagMutability: 'IMMUTABLE',
          EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: ref('DataKey') },
          LifecyclePolicy: { LifecyclePolicyText: Match.stringLikeRegexp('untagged.*imageCountMoreThan') },
        },
        DeletionPolicy: 'Retain',
      });
    }
    const lifecycle = resourcesOfType(stage, 'Data', 'AWS::ECR::Repository').map(
      ([, r]) => (r.Properties!.LifecyclePolicy as { LifecyclePolicyText: string }).LifecyclePolicyText,
    );
    expect(new Set(lifecycle).size).toBe(1);
    expect(JSON.parse(lifecycle[0]!).rules).toEqual([
      expect.objectContaining({
        selection: expect.objectContaining({
          tagStatus: 'untagged',
          countType: 'sinceImagePushed',
          countNumber: 7,
        }),
      }),
      expect.objectContaining({
        selection: expect.objectContaining({
          tagStatus: 'any',
          countType: 'imageCountMoreThan',
          countNumber: 100,
        }),
      }),
    ]);
  });

  it('outputs what the ops CLI and the README need: ECR URIs, DB identifier and secret, backup bucket', () => {
    for (const tier of ['api', 'web', 'ops']) {
      const uri = JSON.stringify(t.findOutputs(`EcrUri${tier}`)[`EcrUri${tier}`]?.Value);
      // <account>.dkr.ecr.<region>.<suffix>/<name>: account and region come from the repository ARN.
      expect(uri).toMatch(/"Fn::Select":\[4,.*"\.dkr\.ecr\.",\{"Fn::Select":\[3,/);
      expect(uri).toMatch(new RegExp(`"/",\\{"Ref":"Repo${tier}[0-9A-F]{8}"\\}\\]\\]`));
    }
    t.hasOutput('DatabaseSecretArn', {
      Value: { Ref: Match.stringLikeRegexp('^DatabaseCredentialsAttachment') },
    });
    t.hasOutput('BackupBucketName', { Value: { Ref: Match.stringLikeRegexp('^BackupsBucket') } });
    t.hasResourceProperties('AWS::S3::Bucket', { BucketName: `conduit-${stage}-backups-${account}` });
  });

  it('has a versioned, KMS-encrypted, private, TLS-only backup bucket with lifecycle', () => {
    t.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        BucketName: `conduit-${stage}-backups-${{ dev: '111111111111', staging: '222222222222', prod: '333333333333' }[stage]}`,
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              BucketKeyEnabled: true,
              ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: ref('DataKey') },
            },
          ],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LifecycleConfiguration: {
          Rules: [
            Match.objectLike({
              Status: 'Enabled',
              ExpirationInDays: Math.max(STAGES[stage].backup.retentionDays, 30),
              Transitions: Match.arrayWith([{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }]),
              NoncurrentVersionExpiration: { NoncurrentDays: 7 },
            }),
          ],
        },
        ObjectLockEnabled: prod ? true : Match.absent(),
      }),
      DeletionPolicy: 'Retain',
    });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^BackupsBucket') },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it(prod ? 'locks backup objects (governance) in prod' : 'has no object lock outside prod', () => {
    const lock = resourcesOfType(stage, 'Data', 'AWS::S3::Bucket').find(([id]) =>
      id.startsWith('BackupsBucket'),
    )![1].Properties!.ObjectLockConfiguration;
    if (prod) {
      expect(lock).toEqual({
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: STAGES.prod.backup.retentionDays } },
      });
    } else expect(lock).toBeUndefined();
  });

  it(`backs the DB up with AWS Backup${prod ? ' and copies to the DR region' : ''}`, () => {
    t.hasResourceProperties('AWS::Backup::BackupVault', {
      BackupVaultName: `conduit-${stage}`,
      EncryptionKeyArn: ref('DataKey'),
    });
    t.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanName: `conduit-${stage}-db`,
        BackupPlanRule: [
          Match.objectLike({
            ScheduleExpression: 'cron(0 5 * * ? *)',
            Lifecycle: { DeleteAfterDays: STAGES[stage].backup.retentionDays },
            CopyActions: prod
              ? [
                  {
                    DestinationBackupVaultArn:
                      'arn:aws:backup:us-west-2:333333333333:backup-vault:conduit-prod-copy',
                    Lifecycle: { DeleteAfterDays: STAGES.prod.backup.retentionDays },
                  },
                ]
              : [],
          }),
        ],
      },
    });
    t.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: Match.objectLike({
        Resources: [Match.objectLike({ 'Fn::Join': Match.anyValue() })],
      }),
    });
    expect(stackExists(stage, 'BackupCopy')).toBe(prod);
  });
});

describe('backup copy stack (prod)', () => {
  it('creates the DR vault in us-west-2 with its own key', () => {
    const t = template('prod', 'BackupCopy');
    t.hasResourceProperties('AWS::Backup::BackupVault', { BackupVaultName: 'conduit-prod-copy' });
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });
});

describe('PostgresDatabase construct', () => {
  const build = (props: Partial<ConstructorParameters<typeof PostgresDatabase>[2]>) => {
    const stack = new Stack(new App(), 'Db', { env: { account: '111111111111', region: 'us-east-1' } });
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      subnetConfiguration: [
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
        { name: 'database', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ],
    });
    new PostgresDatabase(stack, 'Database', {
      identifier: 'conduit-test',
      secretName: 'conduit/test/db',
      vpc,
      clientSecurityGroup: new ec2.SecurityGroup(stack, 'Clients', { vpc }),
      encryptionKey: new kms.Key(stack, 'Key'),
      instanceType: 'r7g.large',
      allocatedStorageGiB: 20,
      maxAllocatedStorageGiB: 40,
      multiAz: false,
      backupRetentionDays: 7,
      protect: false,
      port: 5432,
      ...props,
    });
    return Template.fromStack(stack);
  };

  it('rejects an identifier RDS would refuse, naming the field', () => {
    for (const identifier of ['1conduit', 'conduit--dev', 'conduit-', 'Conduit_dev']) {
      expect(() => build({ identifier }), identifier).toThrow(
        new RegExp(`identifier "${identifier}" must be 2-54 lowercase letters`),
      );
    }
  });

  it('rejects a backup retention under 7 days, naming the field', () => {
    expect(() => build({ backupRetentionDays: 3 })).toThrow(
      /backupRetentionDays \(3\) must be an integer of at least 7/,
    );
  });

  it('rejects max storage below the allocated storage', () => {
    expect(() => build({ maxAllocatedStorageGiB: 10 })).toThrow(
      /maxAllocatedStorageGiB \(10\) must be >= allocatedStorageGiB/,
    );
  });
});

describe('BackupBucket construct', () => {
  it('rejects a retention shorter than the Standard-IA minimum', () => {
    const stack = new Stack(new App(), 'B');
    expect(
      () =>
        new BackupBucket(stack, 'B', {
          bucketName: 'x',
          encryptionKey: new kms.Key(stack, 'K'),
          retentionDays: 7,
        }),
    ).toThrow(/retentionDays \(7\) must be an integer of at least 30/);
  });
});
