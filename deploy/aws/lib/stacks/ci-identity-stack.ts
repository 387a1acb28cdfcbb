import { GITHUB_REPOSITORY, type Stage } from '@conduit/platform';
import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

export interface CiIdentityStackProps extends StackProps {
  readonly settings: Stage;
  readonly repositories: ecr.IRepository[];
  /** Regions the deploy role may deploy to (the stage's, plus the backup-copy region). */
  readonly deployRegions: string[];
}

export const GITHUB_OIDC_URL = 'https://token.actions.githubusercontent.com';
/** CDK's default bootstrap qualifier; `cdk bootstrap` creates these roles. */
export const CDK_QUALIFIER = 'hnb659fds';

/**
 * GitHub Actions reaches AWS only through OIDC: short-lived credentials, no access keys. Both roles
 * trust only this repository; the deploy role only jobs running in the stage's protected environment.
 */
export class CiIdentityStack extends Stack {
  constructor(scope: Construct, id: string, props: CiIdentityStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const repo = `${GITHUB_REPOSITORY.owner}/${GITHUB_REPOSITORY.name}`;
    const provider = new iam.OidcProviderNative(this, 'GitHub', {
      url: GITHUB_OIDC_URL,
      clientIds: ['sts.amazonaws.com'],
    });
    const github = (subjects: string[]) =>
      new iam.WebIdentityPrincipal(provider.oidcProviderArn, {
        StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
        'ForAnyValue:StringLike': { 'token.actions.githubusercontent.com:sub': subjects },
      });

    const imagePush = new iam.Role(this, 'ImagePush', {
      roleName: `conduit-${settings.name}-github-image-push`,
      description: `GitHub Actions (${repo}, main and release tags) pushes conduit images`,
      assumedBy: github([`repo:${repo}:ref:refs/heads/main`, `repo:${repo}:ref:refs/tags/v*`]),
      maxSessionDuration: Duration.hours(1),
    });
    imagePush.addToPolicy(
      new iam.PolicyStatement({
        sid: 'RegistryLogin',
        actions: ['ecr:GetAuthorizationToken'],
        resources: ['*'],
      }),
    );
    imagePush.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PushOurRepositories',
        actions: [
          'ecr:BatchCheckLayerAvailability',
          'ecr:BatchGetImage',
          'ecr:CompleteLayerUpload',
          'ecr:DescribeImages',
          'ecr:InitiateLayerUpload',
          'ecr:PutImage',
          'ecr:UploadLayerPart',
        ],
        resources: props.repositories.map((r) => r.repositoryArn),
      }),
    );
    Validations.of(imagePush).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecr:GetAuthorizationToken supports no resource scoping; pushing is limited to our repositories (one per image of the platform model).',
    });

    const deploy = new iam.Role(this, 'Deploy', {
      roleName: `conduit-${settings.name}-github-deploy`,
      description: `GitHub Actions (${repo}, environment ${settings.name}) runs cdk deploy`,
      assumedBy: github([`repo:${repo}:environment:${settings.name}`]),
      maxSessionDuration: Duration.hours(2),
    });
    // cdk deploy works by assuming the bootstrap roles; the deploy role itself can change nothing.
    deploy.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeCdkBootstrapRoles',
        actions: ['sts:AssumeRole', 'sts:TagSession'],
        resources: props.deployRegions.flatMap((region) =>
          ['deploy-role', 'file-publishing-role', 'image-publishing-role', 'lookup-role'].map(
            (r) =>
              `arn:${this.partition}:iam::${this.account}:role/cdk-${CDK_QUALIFIER}-${r}-${this.account}-${region}`,
          ),
        ),
      }),
    );

    new CfnOutput(this, 'ImagePushRoleArn', { value: imagePush.roleArn });
    new CfnOutput(this, 'DeployRoleArn', { value: deploy.roleArn });
  }
}
