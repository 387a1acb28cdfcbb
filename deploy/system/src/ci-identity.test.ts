import { describe, expect, it } from 'vitest';
import {
  allScenarios,
  type CfnTemplate,
  type ScenarioArtifacts,
  type Workflow,
  workflows,
} from './artifacts.js';
import { ciIdentityFindings, jobRuns, variableRows, workflowsReadme } from './ci-identity.js';

type Doc = Record<string, unknown>;
type Step = { uses?: string; run?: string; with?: Doc; env?: Doc; name?: string };

/** Deep copies of what the project produces, for one deliberately broken setting each. */
function copies() {
  const wfs = workflows().map((w) => ({ file: w.file, doc: structuredClone(w.doc) })) as Workflow[];
  const scenarios = allScenarios().map((a) => ({
    ...a,
    templates: structuredClone(a.templates),
  })) as ScenarioArtifacts[];
  return { workflows: wfs, scenarios, readme: workflowsReadme() };
}
const job = (input: ReturnType<typeof copies>, file: string, name: string) =>
  input.workflows.find((w) => w.file === file)!.doc.jobs[name] as Doc & { steps: Step[] };
const stepOf = (j: { steps: Step[] }, pattern: RegExp) =>
  j.steps.find((s) => pattern.test(s.run ?? s.uses ?? ''))!;
const ciIdentity = (input: ReturnType<typeof copies>, stage: string): CfnTemplate =>
  input.scenarios.find((s) => s.scenario.name === stage)!.templates.CiIdentity!;
/** The role resource (and its attached policies) of a role name in a template. */
const role = (t: CfnTemplate, name: string) => {
  const [id, r] = Object.entries(t.Resources).find(([, r]) => r.Properties?.RoleName === name)!;
  const policy = Object.values(t.Resources).find(
    (p) => p.Type === 'AWS::IAM::Policy' && JSON.stringify(p.Properties?.Roles).includes(`"Ref":"${id}"`),
  );
  return {
    trust: (r.Properties as Doc).AssumeRolePolicyDocument as {
      Statement: { Condition: Record<string, Doc> }[];
    },
    statements: (
      policy!.Properties as {
        PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] };
      }
    ).PolicyDocument.Statement,
  };
};
const SUB = 'token.actions.githubusercontent.com:sub';

describe('CI identity: every role a workflow assumes, followed into the templates', () => {
  it('finds nothing in what the project produces', () => {
    expect(
      ciIdentityFindings({ workflows: workflows(), scenarios: allScenarios(), readme: workflowsReadme() }),
    ).toEqual([]);
  });

  it("computes each job's OIDC subject from its trigger and environment, per matrix and input value", () => {
    const runs = jobRuns(workflows());
    const subjects = (label: string) => runs.find((r) => r.label === label)?.subjects;
    expect(subjects('infra.yml diff [stage=prod]')).toEqual(['repo:conduit-platform/conduit:pull_request']);
    expect(subjects('infra-deploy.yml deploy [stage=staging]')).toEqual([
      'repo:conduit-platform/conduit:environment:staging',
    ]);
    // The promotion's verify job runs in the source stage, derived from the target as the model says.
    expect(subjects('promote.yml verify [target=prod]')).toEqual([
      'repo:conduit-platform/conduit:environment:staging',
    ]);
  });

  it('reads the variables table the model generates', () => {
    const rows = variableRows(workflowsReadme());
    expect(rows).toContainEqual({
      variable: 'AWS_DIFF_ROLE_ARN_prod',
      setOn: 'repository',
      stackName: 'conduit-prod-ci-identity',
      output: 'DiffRoleArn',
    });
  });

  it('names a role variable the table does not document', () => {
    const input = copies();
    stepOf(job(input, 'release.yml', 'verify-dev'), /configure-aws-credentials/).with!['role-to-assume'] =
      `\${{ vars.AWS_VIEWER_ROLE_ARN }}`;
    expect(ciIdentityFindings(input)).toContain(
      'release.yml verify-dev: assumes vars.AWS_VIEWER_ROLE_ARN (environment dev), which the variables table of .github/workflows/README.md maps to no stack output',
    );
  });

  it('names a documented variable whose stack output the CDK app does not create', () => {
    const input = copies();
    delete (ciIdentity(input, 'dev').Outputs as Doc).ObserverRoleArn;
    expect(ciIdentityFindings(input)).toContain(
      'release.yml verify-dev: vars.AWS_OBSERVER_ROLE_ARN is documented as conduit-dev-ci-identity output ObserverRoleArn, which is not the ARN of an AWS::IAM::Role the CDK app creates',
    );
  });

  it('names a job subject the trust does not admit and a trusted subject no job has', () => {
    const input = copies();
    role(ciIdentity(input, 'dev'), 'conduit-dev-github-deploy').trust.Statement[0]!.Condition.StringEquals![
      SUB
    ] = 'repo:conduit-platform/conduit:environment:prod';
    const findings = ciIdentityFindings(input);
    expect(findings).toContain(
      'role conduit-dev-github-deploy: its trust does not admit repo:conduit-platform/conduit:environment:dev, the OIDC subject of infra-deploy.yml deploy [stage=dev]',
    );
    expect(findings).toContain(
      'role conduit-dev-github-deploy: its trust admits repo:conduit-platform/conduit:environment:prod, which no job that uses it has',
    );
  });

  it('names a wildcard subject (release tags) no job uses', () => {
    const input = copies();
    const { trust } = role(ciIdentity(input, 'dev'), 'conduit-dev-github-image-push');
    trust.Statement[0]!.Condition.StringLike = { [SUB]: 'repo:conduit-platform/conduit:ref:refs/tags/v*' };
    expect(ciIdentityFindings(input)).toContain(
      'role conduit-dev-github-image-push: its trust admits repo:conduit-platform/conduit:ref:refs/tags/v*, which no job that uses it has',
    );
  });

  it('names a trust without the sts.amazonaws.com audience', () => {
    const input = copies();
    const { trust } = role(ciIdentity(input, 'staging'), 'conduit-staging-github-observer');
    delete trust.Statement[0]!.Condition.StringEquals!['token.actions.githubusercontent.com:aud'];
    expect(ciIdentityFindings(input)).toContain(
      'role conduit-staging-github-observer: its trust does not require token.actions.githubusercontent.com:aud = sts.amazonaws.com (StringEquals)',
    );
  });

  it('names a pull-request role that can write', () => {
    const input = copies();
    const { statements } = role(ciIdentity(input, 'prod'), 'conduit-prod-github-diff');
    statements.push({ Action: 'cloudformation:ExecuteChangeSet', Resource: '*', Effect: 'Allow' } as never);
    expect(ciIdentityFindings(input)).toContain(
      'role conduit-prod-github-diff: trusted for pull requests (unreviewed code) yet can write: cloudformation:ExecuteChangeSet',
    );
  });

  it('names an action a step needs that the role does not allow (Buildx reading layers)', () => {
    const input = copies();
    const push = role(ciIdentity(input, 'dev'), 'conduit-dev-github-image-push').statements.find((s) =>
      [s.Action].flat().includes('ecr:PutImage'),
    )!;
    push.Action = [push.Action].flat().filter((a) => a !== 'ecr:GetDownloadUrlForLayer');
    expect(ciIdentityFindings(input).join('\n')).toMatch(
      /release\.yml image: step "Build and push \(amd64 \+ arm64, SBOM, provenance\)" needs ecr:GetDownloadUrlForLayer .*vars\.AWS_RELEASE_ROLE_ARN/,
    );
  });

  it('names a cdk diff that would create a change set (deploy role) under the read-only role', () => {
    const input = copies();
    const diff = stepOf(job(input, 'infra.yml', 'diff'), /cdk diff/);
    diff.run = diff.run!.replace('--no-change-set --no-color', '--no-color');
    expect(ciIdentityFindings(input).join('\n')).toContain(
      'infra.yml diff [stage=dev]: step "cdk diff" needs sts:AssumeRole on cdk-hnb659fds-deploy-role-* (cdk diff creates a change set)',
    );
  });

  it('names kubectl without an access entry for the role', () => {
    const input = copies();
    const cluster = input.scenarios.find((s) => s.scenario.name === 'dev')!.templates.Cluster!;
    for (const [id, r] of Object.entries(cluster.Resources)) {
      if (r.Type === 'AWS::EKS::AccessEntry' && JSON.stringify(r).includes('github-observer'))
        delete cluster.Resources[id];
    }
    expect(ciIdentityFindings(input)).toContain(
      'release.yml verify-dev: runs kubectl as conduit-dev-github-observer, which has no AWS::EKS::AccessEntry in conduit-dev-cluster',
    );
  });

  it('names a job reading Rollouts whose role no RoleBinding lets (group dropped, binding removed, verb narrowed)', () => {
    const finding =
      'release.yml verify-dev: reads Argo Rollouts in conduit as conduit-dev-github-observer, whose access entry';
    const withDev = (edit: (dev: ScenarioArtifacts) => void) => {
      const input = copies();
      const dev = input.scenarios.find((s) => s.scenario.name === 'dev')!;
      const edited = { ...dev, manifests: structuredClone(dev.manifests) };
      input.scenarios[input.scenarios.indexOf(dev)] = edited;
      edit(edited);
      return ciIdentityFindings(input).filter((f) => f.startsWith(finding));
    };
    const noGroup = withDev((dev) => {
      for (const r of Object.values(dev.templates.Cluster!.Resources)) {
        if (r.Type === 'AWS::EKS::AccessEntry' && JSON.stringify(r).includes('github-observer'))
          delete r.Properties!.KubernetesGroups;
      }
    });
    expect(noGroup).toEqual([
      `${finding}'s Kubernetes groups (none) no RoleBinding there lets get rollouts.argoproj.io`,
    ]);
    const noBinding = withDev((dev) => {
      dev.manifests.platform = dev.manifests.platform.filter((o) => o.kind !== 'RoleBinding');
    });
    expect(noBinding).toEqual([
      `${finding}'s Kubernetes groups (conduit:ci-observer) no RoleBinding there lets get rollouts.argoproj.io`,
    ]);
    const listOnly = withDev((dev) => {
      for (const o of dev.manifests.platform) {
        if (o.kind === 'Role') (o as { rules?: { verbs: string[] }[] }).rules![0]!.verbs = ['list'];
      }
    });
    expect(listOnly).toHaveLength(1);
  });

  it('names kubectl from a GitHub-hosted runner, against a private or a range-limited endpoint', () => {
    const input = copies();
    job(input, 'release.yml', 'verify-dev')['runs-on'] = 'ubuntu-24.04';
    job(input, 'promote.yml', 'watch')['runs-on'] = 'ubuntu-24.04';
    const staging = input.scenarios.find((a) => a.scenario.name === 'staging')!;
    const privateStaging = {
      ...staging.stage,
      cluster: { ...staging.stage.cluster, endpointAccess: 'private' as const, publicAccessCidrs: [] },
    };
    input.scenarios = input.scenarios.map((a) => (a === staging ? { ...a, stage: privateStaging } : a));
    const findings = ciIdentityFindings(input);
    expect(findings).toContain(
      "release.yml verify-dev: runs kubectl against dev's cluster, whose endpoint admits only 203.0.113.0/24, from a GitHub-hosted runner (runs-on ubuntu-24.04) instead of vars.CLUSTER_RUNNER's",
    );
    expect(findings).toContain(
      "promote.yml watch [stage=staging]: runs kubectl against staging's cluster, whose endpoint is private, from a GitHub-hosted runner (runs-on ubuntu-24.04) instead of vars.CLUSTER_RUNNER's",
    );
    // promote.yml verify kept its runner: nothing said of it.
    expect(findings.filter((f) => f.startsWith('promote.yml verify'))).toEqual([]);
  });

  it('takes self-hosted labels written into runs-on as a runner the repository names', () => {
    const input = copies();
    job(input, 'release.yml', 'verify-dev')['runs-on'] = ['self-hosted', 'conduit-dev'];
    expect(ciIdentityFindings(input).filter((f) => f.startsWith('release.yml verify-dev'))).toEqual([]);
  });

  it('names a watch of prod, which has no observer role since its endpoint is private', () => {
    const input = copies();
    const filter = stepOf(job(input, 'promote.yml', 'changes'), /paths-filter/);
    filter.with!.filters = `${filter.with!.filters}prod:\n  - deploy/k8s/dist/prod/**\n`;
    expect(ciIdentityFindings(input)).toContain(
      'promote.yml watch [stage=prod]: assumes vars.AWS_OBSERVER_ROLE_ARN (environment prod), which the variables table of .github/workflows/README.md maps to no stack output',
    );
  });

  it('names a context key the app never reads and a deploy of every stage (the workflow as it was)', () => {
    const input = copies();
    stepOf(job(input, 'infra-deploy.yml', 'deploy'), /cdk deploy/).run =
      `npx cdk deploy --all -c "stage=\${STAGE}" --require-approval never --no-color`;
    const findings = ciIdentityFindings(input);
    expect(findings).toContain(
      'infra-deploy.yml deploy [stage=dev]: cdk deploy passes -c stage=…, a context key the CDK app never reads (it reads stages)',
    );
    expect(findings).toContain(
      "infra-deploy.yml deploy [stage=prod]: cdk deploy selects every stack of the app (--all), not only prod's",
    );
  });

  it('names a role GitHub may assume that no job uses', () => {
    const input = copies();
    const t = ciIdentity(input, 'dev');
    const [, observer] = Object.entries(t.Resources).find(
      ([, r]) => r.Properties?.RoleName === 'conduit-dev-github-observer',
    )!;
    (t.Resources as Record<string, unknown>).Spare = {
      ...observer,
      Properties: { ...observer.Properties, RoleName: 'conduit-dev-github-spare' },
    };
    expect(ciIdentityFindings(input)).toEqual([
      'role conduit-dev-github-spare (conduit-dev-ci-identity) trusts GitHub, but no workflow job assumes it',
    ]);
  });

  it("names a deploy selecting another stage's stacks than its role's", () => {
    const input = copies();
    stepOf(job(input, 'infra-deploy.yml', 'deploy'), /cdk deploy/).run =
      `npx cdk deploy "prod/*" -c "stages=\${STAGE}" --require-approval never`;
    expect(ciIdentityFindings(input)).toContain(
      "infra-deploy.yml deploy [stage=dev]: cdk deploy selects prod/*; its role is dev's, whose stacks are dev/<Network|Data|Cluster|Edge|CiIdentity>",
    );
  });
});
