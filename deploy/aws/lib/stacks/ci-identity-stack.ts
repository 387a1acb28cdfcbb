import {
  type CiRoleId,
  ciRoleName,
  ciRoleOutput,
  ciRoleSubjects,
  ciRolesOf,
  GITHUB_REPOSITORY_SLUG,
  type StageName,
} from '@conduit/platform';
import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

export interface CiIdentityStackProps extends StackProps {
  /** The stage: which CI roles it has (`ciRolesOf`), their names and the GitHub jobs they trust. */
  readonly stage: StageName;
  /** The stage's EKS cluster name (`clusterName`), which the observer role may describe. */
  readonly clusterName: string;
  /** The image repositories the push and pull roles reach. */
  readonly repositories: ecr.IRepository[];
  /** Regions the deploy and diff roles reach the CDK bootstrap roles in (the stage's, plus the backup-copy region). */
  readonly deployRegions: string[];
}

export const GITHUB_OIDC_URL = 'https://token.actions.githubusercontent.com';
/** CDK's default bootstrap qualifier; `cdk bootstrap` creates these roles. */
export const CDK_QUALIFIER = 'hnb659fds';

/** Pulling an image (and cosign reading its signature, which is another tag of the same repository). */
const ECR_READ = ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];
/** Pushing an image; Buildx also reads the layers it already pushed. */
const ECR_PUSH = [
  ...ECR_READ,
  'ecr:CompleteLayerUpload',
  'ecr:DescribeImages',
  'ecr:InitiateLayerUpload',
  'ecr:PutImage',
  'ecr:UploadLayerPart',
];

const SESSION_HOURS: Record<CiRoleId, number> = { imagePush: 1, deploy: 2, diff: 1, observer: 1, ecrPull: 1 };

/**
 * GitHub Actions reaches AWS only through OIDC: short-lived credentials, no access keys. Each role of the
 * platform model's CI table (`CI_ROLES`) trusts this repository's jobs that use it and nothing else: the jobs
 * running in the stage's GitHub environment, or pull requests for the read-only diff role.
 */
export class CiIdentityStack extends Stack {
  readonly roles: Partial<Record<CiRoleId, iam.Role>> = {};

  constructor(scope: Construct, id: string, props: CiIdentityStackProps) {
    super(scope, id, props);
    const { stage } = props;
    const provider = new iam.OidcProviderNative(this, 'GitHub', {
      url: GITHUB_OIDC_URL,
      clientIds: ['sts.amazonaws.com'],
    });
    const bootstrapRoles = (kinds: string[]) =>
      props.deployRegions.flatMap((region) =>
        kinds.map(
          (r) =>
            `arn:${this.partition}:iam::${this.account}:role/cdk-${CDK_QUALIFIER}-${r}-${this.account}-${region}`,
        ),
      );
    const repositories = props.repositories.map((r) => r.repositoryArn);

    for (const role of ciRolesOf(stage)) {
      const subjects = ciRoleSubjects(stage, role.id);
      const created = new iam.Role(this, role.constructId, {
        roleName: ciRoleName(stage, role.id),
        description: `GitHub Actions (${GITHUB_REPOSITORY_SLUG}): ${role.purpose}`.slice(0, 1000),
        // StringEquals, not StringLike: every subject is exact, so no wildcard can admit another job.
        assumedBy: new iam.WebIdentityPrincipal(provider.oidcProviderArn, {
          StringEquals: {
            'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            'token.actions.githubusercontent.com:sub': subjects.length === 1 ? subjects[0] : subjects,
          },
        }),
        maxSessionDuration: Duration.hours(SESSION_HOURS[role.id]),
      });
      this.roles[role.id] = created;
      new CfnOutput(this, ciRoleOutput(role.id), { value: created.roleArn });
    }

    const { imagePush, deploy, diff, observer, ecrPull } = this.roles;
    const registryLogin = new iam.PolicyStatement({
      sid: 'RegistryLogin',
      actions: ['ecr:GetAuthorizationToken'],
      resources: ['*'],
    });
    const loginReason =
      'ecr:GetAuthorizationToken supports no resource scoping; every other ECR action is limited to our repositories (one per image of the platform model).';
    for (const role of [imagePush, observer, ecrPull]) {
      if (!role) continue;
      role.addToPolicy(registryLogin);
      Validations.of(role).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: loginReason });
    }
    imagePush?.addToPolicy(
      new iam.PolicyStatement({ sid: 'PushOurRepositories', actions: ECR_PUSH, resources: repositories }),
    );
    for (const role of [observer, ecrPull]) {
      role?.addToPolicy(
        new iam.PolicyStatement({ sid: 'ReadOurRepositories', actions: ECR_READ, resources: repositories }),
      );
    }
    // `aws eks update-kubeconfig`; what the role may see inside is its access entry (cluster stack).
    observer?.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DescribeOurCluster',
        actions: ['eks:DescribeCluster'],
        resources: [`arn:${this.partition}:eks:${this.region}:${this.account}:cluster/${props.clusterName}`],
      }),
    );
    // cdk deploy works by assuming the bootstrap roles; the deploy role itself can change nothing.
    deploy?.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeCdkBootstrapRoles',
        actions: ['sts:AssumeRole', 'sts:TagSession'],
        resources: bootstrapRoles([
          'deploy-role',
          'file-publishing-role',
          'image-publishing-role',
          'lookup-role',
        ]),
      }),
    );
    // Pull requests are not reviewed yet: `cdk diff --no-change-set` reads deployed templates through the
    // lookup role (ReadOnlyAccess, KMS decrypt denied) and can neither deploy nor publish assets.
    diff?.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeCdkLookupRole',
        actions: ['sts:AssumeRole', 'sts:TagSession'],
        resources: bootstrapRoles(['lookup-role']),
      }),
    );
  }
}
