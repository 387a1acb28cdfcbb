import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { ArgoCdBootstrap, type ArgoCdBootstrapProps } from '../lib/constructs/argocd-bootstrap.js';
import { InlineLogicalIds } from '../lib/constructs/inline-logical-ids.js';
import { Karpenter, type KarpenterProps } from '../lib/constructs/karpenter.js';
import { OpsJobsRole, type OpsJobsRoleProps } from '../lib/constructs/ops-jobs-role.js';
import { WorkloadIdentities, type WorkloadIdentitiesProps } from '../lib/constructs/workload-identities.js';

// Validation runs before a construct touches the cluster, so these need no real one.
const cluster = {} as eks.ICluster;

describe('ArgoCdBootstrap props', () => {
  const root = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'conduit-dev-root', namespace: 'argocd' },
    spec: {
      source: {
        repoURL: 'https://github.com/conduit-platform/conduit.git',
        targetRevision: 'main',
        path: 'deploy/k8s/dist/dev/apps',
      },
    },
  };
  const props: ArgoCdBootstrapProps = {
    cluster,
    root,
    repoUrl: 'https://github.com/conduit-platform/conduit.git',
    targetRevision: 'main',
    tolerations: [],
    nodeSelector: {},
    after: [],
  };
  const build = (overrides: Partial<ArgoCdBootstrapProps>) =>
    new ArgoCdBootstrap(new Stack(new App(), 'S'), 'ArgoCd', { ...props, ...overrides });

  it('rejects a repository Argo CD cannot clone over HTTPS, naming the field', () => {
    expect(() => build({ repoUrl: 'git@github.com:conduit-platform/conduit.git' })).toThrow(
      'ArgoCdBootstrap: repoUrl (git@github.com:conduit-platform/conduit.git) must be an https URL ending in .git',
    );
  });

  it('rejects an empty revision, naming the field', () => {
    expect(() => build({ targetRevision: '' })).toThrow('ArgoCdBootstrap: targetRevision must not be empty');
  });

  it('rejects a root that is not an Application in argocd', () => {
    expect(() => build({ root: { ...root, kind: 'ApplicationSet' } })).toThrow(
      'ArgoCdBootstrap: root (argoproj.io/v1alpha1 ApplicationSet) must be an argoproj.io/v1alpha1 Application',
    );
    expect(() => build({ root: { ...root, metadata: { name: 'r', namespace: 'default' } } })).toThrow(
      'ArgoCdBootstrap: root.metadata.namespace (default) must be argocd',
    );
  });

  it('rejects a rendered root that points at another revision (a stale dist/)', () => {
    expect(() => build({ targetRevision: 'release' })).toThrow(
      'ArgoCdBootstrap: root.spec.source.targetRevision (main) must be release; run npm run synth -w @conduit/k8s',
    );
  });
});

describe('InlineLogicalIds', () => {
  class Split extends Stack {
    readonly inline = new InlineLogicalIds();
    protected override allocateLogicalId(element: CfnElement): string {
      return super.allocateLogicalId(this.inline.view(element));
    }
  }
  const roleId = (inlined: boolean) => {
    const stack = new Split(new App(), 'S');
    const group = new Construct(stack, 'Group');
    if (inlined) stack.inline.add(group);
    new iam.Role(group, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    return Object.keys(Template.fromStack(stack).findResources('AWS::IAM::Role'));
  };

  it('gives a resource moved into an inlined construct the logical id it had directly in the stack', () => {
    const direct = new Stack(new App(), 'S');
    new iam.Role(direct, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    const before = Object.keys(Template.fromStack(direct).findResources('AWS::IAM::Role'));
    expect(roleId(true)).toEqual(before);
    // Without the marking the grouping's id is part of the logical id: CloudFormation would replace the role.
    expect(roleId(false)).not.toEqual(before);
  });
});

describe('OpsJobsRole props', () => {
  const props: OpsJobsRoleProps = {
    cluster,
    identity: { mode: 'pod-identity', stage: 'dev' },
    serviceAccount: { namespace: 'conduit', name: 'conduit-ops' },
    databaseArn: 'arn:aws:rds:us-east-1:111111111111:db:conduit-dev',
    snapshotPrefix: 'conduit-dev',
    databaseSecretName: 'conduit/dev/db',
    backupBucketName: 'conduit-dev-backups-111111111111',
    dataKeyArn: 'arn:aws:kms:us-east-1:111111111111:key/1',
  };
  const build = (overrides: Partial<OpsJobsRoleProps>) =>
    new OpsJobsRole(new Stack(new App(), 'S'), 'OpsJobs', { ...props, ...overrides });

  it('refuses a snapshot prefix that would widen the snapshot wildcard, naming the field', () => {
    expect(() => build({ snapshotPrefix: '' })).toThrow(
      'OpsJobsRole: snapshotPrefix () must be an RDS identifier',
    );
    expect(() => build({ snapshotPrefix: 'conduit-*' })).toThrow('OpsJobsRole: snapshotPrefix (conduit-*)');
  });

  it('refuses a secret name that is a pattern, naming the field', () => {
    expect(() => build({ databaseSecretName: 'conduit/*' })).toThrow(
      'OpsJobsRole: databaseSecretName (conduit/*) must name one secret',
    );
  });
});

describe('Karpenter props', () => {
  const props: KarpenterProps = {
    cluster,
    clusterName: 'conduit-dev',
    identity: { mode: 'pod-identity', stage: 'dev' },
    nodeSecurityGroups: [],
    cpuLimit: 16,
    capacityTypes: ['spot', 'on-demand'],
    tolerations: [],
    after: [],
  };
  const build = (overrides: Partial<KarpenterProps>) =>
    new Karpenter(new Stack(new App(), 'S'), 'Karpenter', { ...props, ...overrides });

  it('refuses a vCPU limit that is not a positive integer and an empty capacity list, naming the field', () => {
    expect(() => build({ cpuLimit: 0 })).toThrow('Karpenter: cpuLimit (0) must be a positive integer');
    expect(() => build({ cpuLimit: 2.5 })).toThrow('Karpenter: cpuLimit (2.5) must be a positive integer');
    expect(() => build({ capacityTypes: [] })).toThrow(
      'Karpenter: capacityTypes must list spot, on-demand or both',
    );
  });
});

describe('WorkloadIdentities props', () => {
  const props: WorkloadIdentitiesProps = {
    cluster,
    clusterName: 'conduit-dev',
    identity: { mode: 'pod-identity', stage: 'dev' },
    vpcId: 'vpc-1',
    hostedZoneArn: 'arn:aws:route53:::hostedzone/Z1',
    dataKeyArn: 'arn:aws:kms:us-east-1:111111111111:key/1',
    secretPrefix: 'conduit/dev/',
    containerLogGroupName: '/conduit/dev/containers',
    containerLogRetentionDays: 7,
    opsJobs: {
      serviceAccount: { namespace: 'conduit', name: 'conduit-ops' },
      databaseArn: 'arn:aws:rds:us-east-1:111111111111:db:conduit-dev',
      snapshotPrefix: 'conduit-dev',
      databaseSecretName: 'conduit/dev/db',
      backupBucketName: 'conduit-dev-backups-111111111111',
      dataKeyArn: 'arn:aws:kms:us-east-1:111111111111:key/1',
    },
  };
  const build = (overrides: Partial<WorkloadIdentitiesProps>) =>
    new WorkloadIdentities(new Stack(new App(), 'S'), 'Ids', { ...props, ...overrides });

  it('refuses a secret prefix that would widen the secrets wildcard, naming the field', () => {
    expect(() => build({ secretPrefix: 'conduit/dev' })).toThrow(
      'WorkloadIdentities: secretPrefix (conduit/dev) must be a literal prefix ending in /',
    );
    expect(() => build({ secretPrefix: 'conduit/*/' })).toThrow(
      'WorkloadIdentities: secretPrefix (conduit/*/)',
    );
  });

  it('refuses a log retention CloudWatch Logs does not offer, naming the field', () => {
    expect(() => build({ containerLogRetentionDays: 10 })).toThrow(
      'WorkloadIdentities: containerLogRetentionDays (10) must be a CloudWatch Logs retention',
    );
  });
});
