import { describe, expect, it } from 'vitest';
import { retainedResources, stackName, stacksOf, teardownOrder } from './stacks.js';
import { stage } from './stages.js';

describe('stacks', () => {
  it('are named conduit-<stage>-<suffix>, as deploy/aws has always named them', () => {
    expect(stackName('dev', 'Network')).toBe('conduit-dev-network');
    expect(stackName('prod', 'BackupCopy')).toBe('conduit-prod-backup-copy');
    expect(stackName('staging', 'CiIdentity')).toBe('conduit-staging-ci-identity');
  });

  it('deploy every stack after the ones it depends on, and tear down in the reverse order', () => {
    expect(stacksOf(stage('dev')).map((s) => s.id)).toEqual([
      'Network',
      'Data',
      'Edge',
      'CiIdentity',
      'Cluster',
    ]);
    expect(teardownOrder(stage('prod')).map((s) => [s.name, s.region])).toEqual([
      ['conduit-prod-cluster', 'us-east-1'],
      ['conduit-prod-ci-identity', 'us-east-1'],
      ['conduit-prod-edge', 'us-east-1'],
      ['conduit-prod-data', 'us-east-1'],
      ['conduit-prod-backup-copy', 'us-west-2'],
      ['conduit-prod-network', 'us-east-1'],
    ]);
  });

  it('drop the dependency on a stack the stage does not have', () => {
    expect(stacksOf(stage('dev')).find((s) => s.id === 'Data')?.dependsOn).toEqual(['Network']);
  });

  it('keep a final database snapshot and the copy vault only where the stage protects and copies', () => {
    const kinds = (name: 'dev' | 'prod') => retainedResources(stage(name)).map((r) => `${r.stack} ${r.type}`);
    expect(kinds('dev')).not.toContain('Data AWS::RDS::DBInstance');
    expect(kinds('prod')).toContain('Data AWS::RDS::DBInstance');
    expect(kinds('prod')).toContain('BackupCopy AWS::Backup::BackupVault');
    expect(retainedResources(stage('dev')).map((r) => r.what)).toContain('ECR repository conduit/ops');
  });
});
