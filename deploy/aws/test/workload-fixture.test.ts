import { STAGES, validateWorkloads, WORKLOADS, type Workload } from '@conduit/platform';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ConduitStage } from '../lib/conduit-stage.js';
import { resolveEnvironment } from '../lib/environment.js';
import { cdkJsonContext } from './synth.js';

/** A fixture entry, not an app of this repository: a worker that sends mail through SES. */
const MAILER: Workload = {
  name: 'mailer',
  kind: 'worker',
  runtime: 'node',
  image: 'mailer',
  user: { uid: 65532, gid: 65532 },
  port: 9464,
  probes: { liveness: '/healthz', readiness: '/readyz' },
  routes: [],
  uses: { database: true, jwtSecret: false, tracing: true },
  migrations: false,
  aws: {
    statements: [{ actions: ['ses:SendEmail'], resources: ['arn:aws:ses:{region}:{account}:identity/*'] }],
  },
  canary: { analyses: ['pod-health'] },
  stages: {
    dev: {
      minReplicas: 2,
      maxReplicas: 3,
      targetCpuPercent: 70,
      cpuRequest: '50m',
      cpuLimit: '200m',
      memoryRequest: '64Mi',
      memoryLimit: '128Mi',
    },
  },
};

/** A fixture entry: a second Node HTTP service with its own public route, which takes JSON bodies. */
const SEARCH: Workload = {
  ...MAILER,
  name: 'search',
  kind: 'http',
  image: 'search',
  port: 3100,
  routes: ['/search'],
  uses: { database: true, jwtSecret: false, tracing: true },
  aws: undefined,
  canary: { analyses: ['pod-health', 'http'] },
};

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

function synth(workloads: readonly Workload[]) {
  const app = new App({ context: cdkJsonContext() });
  const settings = STAGES.dev;
  const stage = new ConduitStage(app, 'dev', {
    settings,
    environment: resolveEnvironment(app.node, settings),
    workloads: validateWorkloads(workloads),
  });
  const resources = (t: Template) => (t.toJSON() as { Resources: Resources }).Resources;
  return {
    data: resources(Template.fromStack(stage.data)),
    cluster: resources(Template.fromStack(stage.cluster)),
    edge: resources(Template.fromStack(stage.edge)),
  };
}

/** The URI prefixes the edge's WAF lets take bodies over 8 KB (the body-size rule's exemptions). */
function largeBodyPrefixes(edge: Resources): string[] {
  const acl = Object.values(edge).find((r) => r.Type === 'AWS::WAFv2::WebACL');
  return [...JSON.stringify(acl?.Properties).matchAll(/"SearchString":"([^"]+)"/g)].map((m) => m[1]!);
}

describe('adding an HTTP service is one entry of the model (dev, edge stack)', () => {
  it("lets the edge's WAF pass its routes' JSON bodies like the API's", () => {
    expect(largeBodyPrefixes(synth(WORKLOADS).edge)).toEqual(['/api/']);
    expect(largeBodyPrefixes(synth([...WORKLOADS, SEARCH]).edge)).toEqual(['/api/', '/search/']);
  });
});

describe('adding a workload is one entry of the model (dev, data and cluster stacks)', () => {
  const before = synth(WORKLOADS);
  const after = synth([...WORKLOADS, MAILER]);
  const added = (stack: 'data' | 'cluster') =>
    Object.entries(after[stack]).filter(([id]) => !(id in before[stack]));

  it('creates its ECR repository like the others (scan on push, immutable tags)', () => {
    const repos = added('data').filter(([, r]) => r.Type === 'AWS::ECR::Repository');
    expect(repos.map(([, r]) => r.Properties)).toEqual([
      expect.objectContaining({
        RepositoryName: 'conduit/mailer',
        ImageScanningConfiguration: { ScanOnPush: true },
        ImageTagMutability: 'IMMUTABLE',
      }),
    ]);
  });

  it('gives it a Pod Identity role for its own service account with exactly the declared statements', () => {
    const cluster = added('cluster');
    const association = cluster.find(([, r]) => r.Type === 'AWS::EKS::PodIdentityAssociation')?.[1];
    expect(association?.Properties).toMatchObject({ Namespace: 'conduit', ServiceAccount: 'mailer' });
    const policy = cluster.find(([, r]) => r.Type === 'AWS::IAM::Policy')?.[1];
    expect((policy?.Properties?.PolicyDocument as { Statement: unknown[] } | undefined)?.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'ses:SendEmail',
        Resource: 'arn:aws:ses:us-east-1:111111111111:identity/*',
      },
    ]);
    expect(cluster.map(([, r]) => r.Type).sort()).toEqual([
      'AWS::EKS::PodIdentityAssociation',
      'AWS::IAM::Policy',
      'AWS::IAM::Role',
    ]);
  });

  it('changes nothing else in either stack', () => {
    for (const stack of ['data', 'cluster'] as const) {
      for (const [id, resource] of Object.entries(before[stack])) {
        expect(after[stack][id], `${stack} ${id}`).toEqual(resource);
      }
    }
    // Workloads that call no AWS API get no role: today's api and web have none.
    const bound = Object.values(before.cluster)
      .filter((r) => r.Type === 'AWS::EKS::PodIdentityAssociation')
      .map((r) => r.Properties?.ServiceAccount);
    expect(bound).not.toEqual(expect.arrayContaining(['api']));
    expect(bound).not.toEqual(expect.arrayContaining(['web']));
  });
});
