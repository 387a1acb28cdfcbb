import {
  ciRoleName,
  ciRoleOutput,
  ciRoleSubjects,
  ciRolesOf,
  clusterName,
  GITHUB_REPOSITORY,
  images,
  STAGE_NAMES,
  STAGES,
} from '@conduit/platform';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { resourcesOfType, template } from './templates.js';

const repo = `${GITHUB_REPOSITORY.owner}/${GITHUB_REPOSITORY.name}`;

interface TrustingRole {
  MaxSessionDuration: number;
  AssumeRolePolicyDocument: { Statement: { Condition: Record<string, unknown> }[] };
}
type Statement = { Action: string | string[]; Resource: unknown };

describe.each(STAGE_NAMES)('CI identity stack (%s)', (stage) => {
  const t = template(stage, 'CiIdentity');
  const account = STAGES[stage].account;
  const roleEntry = (name: string) =>
    resourcesOfType(stage, 'CiIdentity', 'AWS::IAM::Role').find(([, r]) => r.Properties!.RoleName === name)!;
  const role = (name: string) => roleEntry(name)[1].Properties! as unknown as TrustingRole;
  const statementsOf = (name: string) => {
    const [id] = roleEntry(name);
    return resourcesOfType(stage, 'CiIdentity', 'AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties!.Roles).includes(`"Ref":"${id}"`))
      .flatMap(([, p]) => (p.Properties!.PolicyDocument as { Statement: Statement[] }).Statement);
  };
  const regions = stage === 'prod' ? ['us-east-1', 'us-west-2'] : ['us-east-1'];
  const bootstrap = (kinds: string[]) =>
    regions
      .flatMap((region) =>
        kinds.map((r) => `arn:aws:iam::${account}:role/cdk-hnb659fds-${r}-${account}-${region}`),
      )
      .sort();

  it('registers the GitHub OIDC provider natively (no custom resource, no access keys)', () => {
    t.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
    t.resourceCountIs('AWS::IAM::AccessKey', 0);
    t.resourceCountIs('AWS::IAM::User', 0);
    t.resourceCountIs('AWS::Lambda::Function', 0);
  });

  it('creates the CI roles of the model, each trusting exactly its subjects (StringEquals, audience STS)', () => {
    const names = resourcesOfType(stage, 'CiIdentity', 'AWS::IAM::Role').map(
      ([, r]) => r.Properties!.RoleName,
    );
    expect(names.sort()).toEqual(
      ciRolesOf(stage)
        .map((r) => ciRoleName(stage, r.id))
        .sort(),
    );
    for (const r of ciRolesOf(stage)) {
      const subjects = ciRoleSubjects(stage, r.id);
      expect(subjects.every((s) => s.startsWith(`repo:${repo}:`))).toBe(true);
      expect(role(ciRoleName(stage, r.id)).AssumeRolePolicyDocument.Statement).toEqual([
        expect.objectContaining({
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
              'token.actions.githubusercontent.com:sub': subjects.length === 1 ? subjects[0] : subjects,
            },
          },
        }),
      ]);
      t.hasOutput(ciRoleOutput(r.id), {
        Value: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^${r.constructId}`), 'Arn'] },
      });
    }
  });

  it('gives the pull-request diff role no write: only the CDK lookup role', () => {
    const statements = statementsOf(ciRoleName(stage, 'diff'));
    expect(statements).toHaveLength(1);
    expect(statements[0]!.Action).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    expect([statements[0]!.Resource as string | string[]].flat().sort()).toEqual(bootstrap(['lookup-role']));
  });

  it('lets the image-push role push (and Buildx read layers) only in the repositories of the model', () => {
    const statements = statementsOf(ciRoleName(stage, 'imagePush'));
    const push = statements.find((s) => [s.Action].flat().includes('ecr:PutImage'))!;
    expect([push.Action].flat()).toEqual(
      expect.arrayContaining(['ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage']),
    );
    for (const tier of images()) {
      expect(JSON.stringify(push.Resource)).toMatch(new RegExp(`GetAttRepo${tier}[0-9A-F]{8}Arn`));
    }
    expect([push.Resource].flat()).toHaveLength(images().length);
    const wildcard = statements.filter((s) => s.Resource === '*');
    expect(wildcard.flatMap((s) => [s.Action].flat())).toEqual(['ecr:GetAuthorizationToken']);
  });

  it("lets the observer (where there is one) describe only this stage's cluster and read its images", () => {
    if (!ciRolesOf(stage).some((r) => r.id === 'observer')) {
      // Only a private endpoint, which no GitHub-hosted runner reaches, goes without one.
      expect(STAGES[stage].cluster.endpointAccess).toBe('private');
      expect(
        resourcesOfType(stage, 'CiIdentity', 'AWS::IAM::Role').map(([, r]) => r.Properties!.RoleName),
      ).not.toContain(ciRoleName(stage, 'observer'));
      return;
    }
    const statements = statementsOf(ciRoleName(stage, 'observer'));
    const describe = statements.find((s) => [s.Action].flat().includes('eks:DescribeCluster'))!;
    expect(JSON.stringify(describe.Resource)).toContain(`:cluster/${clusterName(stage)}`);
    expect(
      statements.flatMap((s) => [s.Action].flat()).filter((a) => !/:(Get|Describe|Batch)/.test(a)),
    ).toEqual([]);
  });

  it('deploys only via the CDK bootstrap roles', () => {
    const [assume] = statementsOf(ciRoleName(stage, 'deploy'));
    expect(assume!.Action).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    expect([...(assume!.Resource as string[])].sort()).toEqual(
      bootstrap(['deploy-role', 'file-publishing-role', 'image-publishing-role', 'lookup-role']),
    );
    expect(role(ciRoleName(stage, 'deploy')).MaxSessionDuration).toBe(7200);
  });

  it('gives the observer role read-only access to the app namespace of the cluster', () => {
    const viewers = ciRolesOf(stage)
      .filter((r) => r.clusterViewer)
      .map((r) => ciRoleName(stage, r.id));
    const entries = resourcesOfType(stage, 'Cluster', 'AWS::EKS::AccessEntry').map(([, e]) =>
      JSON.stringify(e),
    );
    for (const name of viewers) {
      const entry = entries.find((e) => e.includes(`role/${name}`));
      expect(entry, name).toContain('AmazonEKSViewPolicy');
    }
  });

  it("puts each CI viewer's access entry in its model Kubernetes group (the app namespace lets it read Rollouts)", () => {
    for (const viewer of ciRolesOf(stage).filter((r) => r.clusterViewer)) {
      const [, entry] = resourcesOfType(stage, 'Cluster', 'AWS::EKS::AccessEntry').find(([, e]) =>
        JSON.stringify(e.Properties?.PrincipalArn).includes(`role/${ciRoleName(stage, viewer.id)}`),
      )!;
      expect(entry.Properties?.KubernetesGroups).toEqual([viewer.kubernetesGroup]);
    }
  });
});
