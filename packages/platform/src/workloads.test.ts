import { describe, expect, it } from 'vitest';
import { STAGE_NAMES } from './stages.js';
import {
  images,
  imageUser,
  servesStaticAssets,
  validateWorkload,
  validateWorkloads,
  WORKLOADS,
  type Workload,
  workload,
  workloadsIn,
} from './workloads.js';

const api = workload('api');
const web = workload('web');

/** A worker that is not an app of this repository: what the next workload entry will look like. */
const WORKER_FIXTURE: Workload = {
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
      maxReplicas: 2,
      targetCpuPercent: 80,
      cpuRequest: '50m',
      cpuLimit: '200m',
      memoryRequest: '64Mi',
      memoryLimit: '128Mi',
    },
  },
};

describe('workloads', () => {
  it('are the API and the web tier (HTTP services in every stage) and the notifier (a worker, dev only)', () => {
    expect(WORKLOADS.map((w) => [w.name, w.kind, w.routes])).toEqual([
      ['api', 'http', ['/api']],
      ['web', 'http', ['/']],
      ['notifier', 'worker', []],
    ]);
    expect(workloadsIn('dev').map((w) => w.workload.name)).toEqual(['api', 'web', 'notifier']);
    for (const name of STAGE_NAMES.filter((s) => s !== 'dev'))
      expect(workloadsIn(name).map((w) => w.workload.name)).toEqual(['api', 'web']);
  });

  it('build one image each, plus the ops CLI image, each with its non-root user', () => {
    expect(images()).toEqual(['api', 'web', 'notifier', 'ops']);
    expect(imageUser('ops')).toEqual({ uid: 1000, gid: 1000 });
    expect(imageUser('web')).toEqual({ uid: 101, gid: 101 });
    expect(imageUser('notifier')).toEqual({ uid: 65532, gid: 65532 });
    expect(() => imageUser('mailer')).toThrow('unknown image "mailer" (known: api, web, notifier, ops)');
  });

  it('the nginx images serve hashed assets (carried from release to release), the node and ops images do not', () => {
    expect(images().filter((image) => servesStaticAssets(image))).toEqual(['web']);
    expect(() => servesStaticAssets('mailer')).toThrow('unknown image "mailer"');
  });

  it('a stage a workload does not list does not run it', () => {
    expect(workloadsIn('prod', [...WORKLOADS, WORKER_FIXTURE]).map((w) => w.workload.name)).toEqual([
      'api',
      'web',
    ]);
    expect(workloadsIn('dev', [...WORKLOADS, WORKER_FIXTURE]).map((w) => w.workload.name)).toContain(
      'mailer',
    );
  });

  const devSize = api.stages.dev!;
  it.each<[string, Partial<Workload>, string]>([
    ['name', { name: 'API' }, 'workload API: name must be a DNS label'],
    ['port', { port: 80 }, 'workload api: port (80) must be an unprivileged port'],
    ['user', { user: { uid: 0, gid: 0 } }, 'workload api: user must not be root'],
    ['routes', { routes: [] }, 'workload api: routes must list a path for an HTTP service'],
    ['routes', { routes: ['api'] }, 'workload api: routes[0] (api) must be a path prefix like /api'],
    ['probes', { probes: { liveness: 'healthz', readiness: '/readyz' } }, 'probes.liveness (healthz)'],
    [
      'migrations',
      { uses: { database: false, jwtSecret: true, tracing: true } },
      'workload api: migrations needs uses.database',
    ],
    [
      'aws',
      { aws: { statements: [{ actions: ['s3:*'], resources: ['*'] }] } },
      'workload api: aws.statements[0].actions must name actions, not wildcards',
    ],
    [
      'stages.*.minReplicas',
      { stages: { prod: { ...devSize, minReplicas: 1 } } },
      'workload api: stages.prod.minReplicas (1) must be at least 2 so a PDB can allow one disruption',
    ],
    [
      'stages.*.maxReplicas',
      { stages: { dev: { ...devSize, maxReplicas: 1 } } },
      'stages.dev.maxReplicas (1) must be >= minReplicas (2)',
    ],
    [
      'stages.*.cpuLimit',
      { stages: { dev: { ...devSize, cpuLimit: 'one' } } },
      'stages.dev.cpuLimit (one) is not a Kubernetes quantity',
    ],
    ['stages', { stages: {} }, 'workload api: stages must enable the workload in at least one stage'],
  ])('refuses a bad %s, naming the workload, the field and the rule', (_, change, message) => {
    expect(() => validateWorkload({ ...api, ...change })).toThrow(message);
  });

  it('refuses a worker with routes or HTTP analysis', () => {
    expect(() => validateWorkload({ ...WORKER_FIXTURE, routes: ['/mail'] })).toThrow(
      'workload mailer: routes must be empty for a worker',
    );
    expect(() => validateWorkload({ ...WORKER_FIXTURE, canary: { analyses: ['http'] } })).toThrow(
      'workload mailer: canary.analyses may include http only for an HTTP service',
    );
  });

  it('refuses e-mail without the SES permission, and a queue without a metric name or age', () => {
    const email = { ...WORKER_FIXTURE.uses, email: true };
    expect(() => validateWorkload({ ...WORKER_FIXTURE, uses: email })).not.toThrow();
    expect(() => validateWorkload({ ...WORKER_FIXTURE, uses: email, aws: undefined })).toThrow(
      'workload mailer: uses.email needs an aws.statements entry granting ses:SendEmail',
    );
    expect(() =>
      validateWorkload({ ...WORKER_FIXTURE, queue: { ageMetric: 'queue age', maxAgeSeconds: 60 } }),
    ).toThrow('workload mailer: queue.ageMetric (queue age) must be a Prometheus metric name');
    expect(() =>
      validateWorkload({ ...WORKER_FIXTURE, queue: { ageMetric: 'mail_age_seconds', maxAgeSeconds: 0 } }),
    ).toThrow('workload mailer: queue.maxAgeSeconds must be positive');
  });

  it('refuses a second workload with the same name, image or route', () => {
    expect(() => validateWorkloads([api, { ...web, name: 'api' }])).toThrow(
      'workload api: name (api) is already used by another workload',
    );
    expect(() => validateWorkloads([api, { ...web, image: 'api' }])).toThrow('workload web: image (api)');
    expect(() => validateWorkloads([api, { ...web, image: 'ops' }])).toThrow('workload web: image (ops)');
    expect(() => validateWorkloads([api, { ...web, routes: ['/api'] }])).toThrow(
      'workload web: routes (/api)',
    );
  });
});
