import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Stateful resource types and the properties whose change makes CloudFormation replace the resource
 * (per the CloudFormation resource reference: "Update requires: Replacement"). A changed logical id
 * replaces any of them too. Some entries are stricter than CloudFormation (EKS subnets): a false alarm
 * costs one deliberate baseline update, a missed one costs data.
 */
export const REPLACEMENT_PROPERTIES: Record<string, readonly string[]> = {
  'AWS::EC2::VPC': ['CidrBlock', 'InstanceTenancy', 'Ipv4IpamPoolId'],
  'AWS::EC2::Subnet': ['AvailabilityZone', 'CidrBlock', 'VpcId'],
  'AWS::Route53::HostedZone': ['Name'],
  'AWS::EKS::Cluster': [
    'Name',
    'RoleArn',
    'KubernetesNetworkConfig',
    'EncryptionConfig',
    'BootstrapSelfManagedAddons',
    'AccessConfig.BootstrapClusterCreatorAdminPermissions',
    'ResourcesVpcConfig.SubnetIds',
    'ResourcesVpcConfig.SecurityGroupIds',
  ],
  'AWS::RDS::DBInstance': [
    'DBInstanceIdentifier',
    'Engine',
    'DBName',
    'MasterUsername',
    'KmsKeyId',
    'StorageEncrypted',
    'DBSubnetGroupName',
    'AvailabilityZone',
    'CharacterSetName',
    'DBClusterIdentifier',
    'SourceDBInstanceIdentifier',
  ],
  'AWS::RDS::DBCluster': [
    'DBClusterIdentifier',
    'Engine',
    'EngineMode',
    'DatabaseName',
    'MasterUsername',
    'KmsKeyId',
    'StorageEncrypted',
    'DBSubnetGroupName',
    'AvailabilityZones',
  ],
  'AWS::S3::Bucket': ['BucketName', 'ObjectLockEnabled'],
  'AWS::ECR::Repository': ['RepositoryName', 'EncryptionConfiguration'],
  'AWS::KMS::Key': ['KeySpec', 'KeyUsage', 'MultiRegion'],
  'AWS::SecretsManager::Secret': ['Name'],
  'AWS::Backup::BackupVault': ['BackupVaultName', 'EncryptionKeyArn'],
};

export interface StatefulEntry {
  type: string;
  deletionPolicy: string;
  properties: Record<string, unknown>;
}
/** `<stage>/<Stack>` → logical id → entry. */
export type StatefulBaseline = Record<string, Record<string, StatefulEntry>>;

export const BASELINE_FILE = 'test/stateful-baseline.json';

interface Manifest {
  artifacts: Record<string, { type: string; displayName?: string; properties?: { templateFile?: string } }>;
}

/** Reads every stage's templates from a cloud assembly and extracts what the guard compares. */
export function collectStateful(outdir: string): StatefulBaseline {
  const result: StatefulBaseline = {};
  const assemblies = readdirSync(outdir)
    .filter((d) => d.startsWith('assembly-'))
    .sort();
  for (const assembly of assemblies) {
    const dir = join(outdir, assembly);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    for (const artifact of Object.values(manifest.artifacts)) {
      if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) continue;
      const template = JSON.parse(readFileSync(join(dir, artifact.properties.templateFile), 'utf8')) as {
        Resources: Record<
          string,
          { Type: string; DeletionPolicy?: string; Properties?: Record<string, unknown> }
        >;
      };
      const entries: Record<string, StatefulEntry> = {};
      for (const id of Object.keys(template.Resources).sort()) {
        const resource = template.Resources[id]!;
        const watched = REPLACEMENT_PROPERTIES[resource.Type];
        if (!watched) continue;
        const properties: Record<string, unknown> = {};
        for (const path of watched) {
          const value = path
            .split('.')
            .reduce<unknown>(
              (v, key) => (v as Record<string, unknown> | undefined)?.[key],
              resource.Properties,
            );
          if (value !== undefined) properties[path] = value;
        }
        entries[id] = {
          type: resource.Type,
          deletionPolicy: resource.DeletionPolicy ?? 'Delete',
          properties,
        };
      }
      if (Object.keys(entries).length > 0) result[artifact.displayName!] = entries;
    }
  }
  return result;
}

/** Human-readable differences; empty when nothing stateful would be replaced or newly left unguarded. */
export function diffStateful(baseline: StatefulBaseline, current: StatefulBaseline): string[] {
  const problems: string[] = [];
  const stacks = new Set([...Object.keys(baseline), ...Object.keys(current)]);
  for (const stack of [...stacks].sort()) {
    const before = baseline[stack] ?? {};
    const after = current[stack] ?? {};
    for (const id of Object.keys(before)) {
      const b = before[id]!;
      const a = after[id];
      if (!a) {
        problems.push(
          `${stack} ${id} (${b.type}) is gone: its logical id changed or it was removed, so CloudFormation deletes it`,
        );
        continue;
      }
      if (a.type !== b.type) problems.push(`${stack} ${id} changed type ${b.type} -> ${a.type}`);
      if (a.deletionPolicy !== b.deletionPolicy) {
        problems.push(`${stack} ${id} DeletionPolicy ${b.deletionPolicy} -> ${a.deletionPolicy}`);
      }
      for (const key of new Set([...Object.keys(b.properties), ...Object.keys(a.properties)])) {
        const was = JSON.stringify(b.properties[key]);
        const now = JSON.stringify(a.properties[key]);
        if (was !== now) problems.push(`${stack} ${id} (${b.type}) ${key}: ${was} -> ${now} (replacement)`);
      }
    }
    for (const id of Object.keys(after)) {
      if (!before[id])
        problems.push(`${stack} ${id} (${after[id]!.type}) is new and not in the baseline yet`);
    }
  }
  return problems;
}
