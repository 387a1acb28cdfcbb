import { GITHUB_REPOSITORY, STAGE_NAMES, STAGES, type StageName } from './stages.js';

/**
 * The roles GitHub Actions assumes in a stage's account (deploy/aws's CI identity stack creates them), the
 * repository or environment variable each workflow reads the role's ARN from, and the OIDC subjects each
 * role trusts. Workflows, CDK and the generated variables table all read this one table.
 */
export type CiRoleId = 'imagePush' | 'deploy' | 'diff' | 'observer' | 'ecrPull';

/** `repository`: one variable per stage, suffixed `_<stage>`; `environment`: one per GitHub environment. */
export type VariableScope = 'repository' | 'environment';

export interface CiRole {
  readonly id: CiRoleId;
  /** Construct id of the role in the CI identity stack; its ARN is the output `<constructId>RoleArn`. */
  readonly constructId: string;
  /** Suffix of the role name `conduit-<stage>-github-<suffix>`. */
  readonly nameSuffix: string;
  /** The variable the workflows read the role's ARN from (with `_<stage>` appended for repository scope). */
  readonly variable: string;
  readonly scope: VariableScope;
  /** What the workflows use it for (the variables table says it). */
  readonly purpose: string;
  /** Read-only Kubernetes access to the app namespace (an EKS access entry in the cluster stack). */
  readonly clusterViewer: boolean;
  /**
   * The Kubernetes group the role's access entry puts it in, for what EKS's view policy does not cover: that
   * policy knows only built-in kinds, and the CI jobs read Argo Rollouts' Rollouts, which the app
   * namespace's RBAC grants this group (`CI_ROLLOUTS_READ`).
   * @default none
   */
  readonly kubernetesGroup?: string;
}

export const CI_ROLES: readonly CiRole[] = [
  {
    id: 'imagePush',
    constructId: 'ImagePush',
    nameSuffix: 'image-push',
    variable: 'AWS_RELEASE_ROLE_ARN',
    scope: 'environment',
    purpose: 'push images to the stage registry (release.yml in dev, promote.yml into staging and prod)',
    clusterViewer: false,
  },
  {
    id: 'deploy',
    constructId: 'Deploy',
    nameSuffix: 'deploy',
    variable: 'AWS_DEPLOY_ROLE_ARN',
    scope: 'environment',
    purpose: "`cdk deploy` of the stage's stacks (infra-deploy.yml), through the CDK bootstrap roles",
    clusterViewer: false,
  },
  {
    id: 'diff',
    constructId: 'Diff',
    nameSuffix: 'diff',
    variable: 'AWS_DIFF_ROLE_ARN',
    scope: 'repository',
    purpose: '`cdk diff` on pull requests (infra.yml): the CDK lookup role only, read-only',
    clusterViewer: false,
  },
  {
    id: 'observer',
    constructId: 'Observer',
    nameSuffix: 'observer',
    variable: 'AWS_OBSERVER_ROLE_ARN',
    scope: 'environment',
    purpose:
      'describe the EKS cluster, view the app namespace and its Rollouts, read images (verify-dev, promote verify/watch)',
    clusterViewer: true,
    kubernetesGroup: 'conduit:ci-observer',
  },
  {
    id: 'ecrPull',
    constructId: 'EcrPull',
    nameSuffix: 'ecr-pull',
    variable: 'AWS_ECR_PULL_ROLE_ARN',
    scope: 'repository',
    purpose: "pull the stage's images when promote.yml copies them into the next stage",
    clusterViewer: false,
  },
];

/**
 * What the CI jobs read beyond EKS's view policy (deploy/pipeline's wait-for-rollout.sh gets each Rollout):
 * the app namespace's RBAC grants these verbs on these Argo Rollouts resources to every role's
 * `kubernetesGroup`. Read-only.
 */
export const CI_ROLLOUTS_READ = {
  apiGroup: 'argoproj.io',
  resources: ['rollouts'],
  verbs: ['get', 'list', 'watch'],
} as const;

/**
 * The repository variable the jobs that call a stage's Kubernetes API (`kubectl`) take their runner from:
 * runner labels as JSON (`["self-hosted","conduit"]`). The endpoints admit only the model's
 * `cluster.publicAccessCidrs` (prod's none), which no GitHub-hosted runner is in, so such a job runs where
 * the variable says; unset, it runs on `ubuntu-24.04` and stops at once naming this variable.
 */
export const CLUSTER_RUNNER_VARIABLE = 'CLUSTER_RUNNER';

export function ciRole(id: CiRoleId): CiRole {
  const found = CI_ROLES.find((r) => r.id === id);
  if (!found) throw new Error(`unknown CI role "${id}"`);
  return found;
}

export function ciRoleName(stage: StageName, id: CiRoleId): string {
  return `conduit-${stage}-github-${ciRole(id).nameSuffix}`;
}

/** The CloudFormation output of the CI identity stack that holds the role's ARN. */
export function ciRoleOutput(id: CiRoleId): string {
  return `${ciRole(id).constructId}RoleArn`;
}

/** The variable a workflow reads the role's ARN from in `stage`. */
export function ciRoleVariable(stage: StageName, id: CiRoleId): string {
  const role = ciRole(id);
  return role.scope === 'repository' ? `${role.variable}_${stage}` : role.variable;
}

/** `owner/name` of the repository every OIDC subject names. */
export const GITHUB_REPOSITORY_SLUG = `${GITHUB_REPOSITORY.owner}/${GITHUB_REPOSITORY.name}`;

/** GitHub's OIDC `sub` claim: a job with `environment:` gets the environment form, whatever its trigger. */
export const githubSubject = {
  environment: (name: string) => `repo:${GITHUB_REPOSITORY_SLUG}:environment:${name}`,
  branch: (branch: string) => `repo:${GITHUB_REPOSITORY_SLUG}:ref:refs/heads/${branch}`,
  tag: (tag: string) => `repo:${GITHUB_REPOSITORY_SLUG}:ref:refs/tags/${tag}`,
  pullRequest: () => `repo:${GITHUB_REPOSITORY_SLUG}:pull_request`,
};

/** The stage promoted into from `stage`, if any (dev -> staging -> prod). */
function nextStage(stage: StageName): StageName | undefined {
  return STAGE_NAMES[STAGE_NAMES.indexOf(stage) + 1];
}

/**
 * The OIDC subjects a stage's role admits: exactly the jobs that use it. Every job that changes a stage runs
 * in that stage's environment (prod's requires a reviewer); `cdk diff` runs on pull requests without one and
 * so gets a role that can only read; a promotion pulls from the source stage inside the target's environment.
 */
export function ciRoleSubjects(stage: StageName, id: CiRoleId): string[] {
  switch (id) {
    case 'imagePush':
    case 'deploy':
    case 'observer':
      return [githubSubject.environment(stage)];
    case 'diff':
      return [githubSubject.pullRequest()];
    case 'ecrPull': {
      const next = nextStage(stage);
      return next ? [githubSubject.environment(next)] : [];
    }
  }
}

/**
 * The CI roles a stage has. A role no job could assume (no subject) is not created, nor a cluster viewer for
 * a private endpoint: a GitHub-hosted runner cannot reach it, so no workflow watches that stage's cluster.
 */
export function ciRolesOf(stage: StageName): CiRole[] {
  const reachable = STAGES[stage].cluster.endpointAccess !== 'private';
  return CI_ROLES.filter((r) => ciRoleSubjects(stage, r.id).length > 0 && (reachable || !r.clusterViewer));
}
