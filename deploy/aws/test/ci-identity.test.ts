import { GITHUB_REPOSITORY, images, STAGE_NAMES, STAGES } from '@conduit/platform';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { resourcesOfType, template } from './templates.js';

const repo = `${GITHUB_REPOSITORY.owner}/${GITHUB_REPOSITORY.name}`;

interface TrustingRole {
  MaxSessionDuration: number;
  AssumeRolePolicyDocument: { Statement: { Condition: Record<string, unknown> }[] };
}

describe.each(STAGE_NAMES)('CI identity stack (%s)', (stage) => {
  const t = template(stage, 'CiIdentity');
  const account = STAGES[stage].account;
  const role = (name: string) =>
    resourcesOfType(stage, 'CiIdentity', 'AWS::IAM::Role').find(
      ([, r]) => r.Properties!.RoleName === name,
    )![1].Properties! as unknown as TrustingRole;
  const policyOf = (logicalPrefix: string) =>
    resourcesOfType(stage, 'CiIdentity', 'AWS::IAM::Policy').find(([id]) => id.startsWith(logicalPrefix))![1]
      .Properties!.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] };

  it('registers the GitHub OIDC provider natively (no custom resource, no access keys)', () => {
    t.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
    t.resourceCountIs('AWS::IAM::AccessKey', 0);
    t.resourceCountIs('AWS::IAM::User', 0);
    t.resourceCountIs('AWS::Lambda::Function', 0);
  });

  it('lets only main and release tags of this repository push images, to the repositories of the model', () => {
    const push = role(`conduit-${stage}-github-image-push`);
    expect(push.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
          'ForAnyValue:StringLike': {
            'token.actions.githubusercontent.com:sub': [
              `repo:${repo}:ref:refs/heads/main`,
              `repo:${repo}:ref:refs/tags/v*`,
            ],
          },
        },
      }),
    ]);
    const statements = policyOf('ImagePush').Statement;
    const pushStatement = statements.find((s) => [s.Action].flat().includes('ecr:PutImage'))!;
    for (const tier of images()) {
      expect(JSON.stringify(pushStatement.Resource)).toMatch(new RegExp(`GetAttRepo${tier}[0-9A-F]{8}Arn`));
    }
    expect([pushStatement.Resource].flat()).toHaveLength(images().length);
    const wildcard = statements.filter((s) => s.Resource === '*');
    expect(wildcard.flatMap((s) => [s.Action].flat())).toEqual(['ecr:GetAuthorizationToken']);
  });

  it(`lets only jobs in the "${stage}" GitHub environment deploy, and only via the CDK bootstrap roles`, () => {
    const deploy = role(`conduit-${stage}-github-deploy`);
    expect(deploy.AssumeRolePolicyDocument.Statement[0]!.Condition['ForAnyValue:StringLike']).toEqual({
      'token.actions.githubusercontent.com:sub': [`repo:${repo}:environment:${stage}`],
    });
    const [assume] = policyOf('Deploy').Statement;
    expect(assume!.Action).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    const regions = stage === 'prod' ? ['us-east-1', 'us-west-2'] : ['us-east-1'];
    expect([...(assume!.Resource as string[])].sort()).toEqual(
      regions
        .flatMap((region) =>
          ['deploy-role', 'file-publishing-role', 'image-publishing-role', 'lookup-role'].map(
            (r) => `arn:aws:iam::${account}:role/cdk-hnb659fds-${r}-${account}-${region}`,
          ),
        )
        .sort(),
    );
    expect(deploy.MaxSessionDuration).toBe(7200);
  });

  it('outputs both role ARNs for the workflows', () => {
    t.hasOutput('ImagePushRoleArn', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ImagePush'), 'Arn'] },
    });
    t.hasOutput('DeployRoleArn', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Deploy'), 'Arn'] } });
  });
});
