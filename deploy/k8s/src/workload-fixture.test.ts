import { OPS_IMAGE, validateWorkloads, WORKLOADS, type Workload, type WorkloadSize } from '@conduit/platform';
import { describe, expect, it } from 'vitest';
import { type K8sObject, renderStage } from './render.js';
import { validateRenderSettings } from './settings.js';
import { renderSettings } from './stages/index.js';
import { find, one } from './test/objects.js';

// biome-ignore lint/suspicious/noExplicitAny: the tests walk rendered manifests of many kinds
type Json = Record<string, any>;

const size: WorkloadSize = {
  minReplicas: 2,
  maxReplicas: 5,
  targetCpuPercent: 60,
  cpuRequest: '50m',
  cpuLimit: '200m',
  memoryRequest: '64Mi',
  memoryLimit: '128Mi',
};

/** Fixture entries, not apps of this repository: one HTTP service and one worker that calls AWS. */
const SEARCH: Workload = {
  name: 'search',
  kind: 'http',
  runtime: 'node',
  image: 'search',
  user: { uid: 65532, gid: 65532 },
  port: 3100,
  probes: { liveness: '/livez', readiness: '/ready' },
  routes: ['/search'],
  uses: { database: false, jwtSecret: false, tracing: true },
  migrations: false,
  canary: { analyses: ['pod-health', 'http'] },
  stages: { dev: size },
};
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
  stages: { dev: size },
};
validateWorkloads([...WORKLOADS, SEARCH, MAILER]);

const base = renderSettings('dev');
const pin = (image: string) => ({
  repository: `111111111111.dkr.ecr.us-east-1.amazonaws.com/conduit/${image}`,
  tag: 'a'.repeat(40),
});
const withFixtures = validateRenderSettings({
  ...base,
  images: { ...base.images, search: pin('search'), mailer: pin('mailer') },
  workloads: [...base.workloads, ...[SEARCH, MAILER].map((workload) => ({ workload, size }))],
});
const before = Object.values(renderStage(base)).flat();
const after = Object.values(renderStage(withFixtures)).flat();
const key = (o: K8sObject) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
/** What the render added for a workload, its hashed ConfigMap name shown as `<name>-config-<hash>`. */
const ofWorkload = (name: string) =>
  after
    .filter((o) => !before.some((b) => key(b) === key(o)) && o.metadata.name.startsWith(name))
    .map((o) => key(o).replace(/-config-[0-9a-f]{10}$/, '-config-<hash>'))
    .sort();

describe('adding a workload is one entry of the model', () => {
  it('renders nothing else differently: only the shared objects that list the workloads change', () => {
    const changed = before.filter(
      (b) => JSON.stringify(after.find((a) => key(a) === key(b))) !== JSON.stringify(b),
    );
    // The Applications ignore the ALB action annotations Argo Rollouts writes for each canary workload.
    expect(changed.map(key).sort()).toEqual([
      'Application argocd/conduit-dev',
      'Application argocd/conduit-dev-platform',
      'ConfigMap conduit/conduit-resources-dashboard',
      'Ingress conduit/conduit',
      'PriorityClass /conduit-app',
      'PrometheusRule conduit/conduit-application',
    ]);
    const added = after.filter((a) => !before.some((b) => key(b) === key(a))).map(key);
    expect(
      added.every((k) => / conduit\/(search|mailer)(-|$)/.test(k)),
      added.join('\n'),
    ).toBe(true);
  });

  it('an HTTP service gets a hardened canary Rollout, its Services, route, HPA, PDB, policies and monitor', () => {
    expect(ofWorkload('search')).toEqual(
      [
        'ServiceAccount conduit/search',
        'Rollout conduit/search',
        'Service conduit/search',
        'Service conduit/search-ping',
        'Service conduit/search-pong',
        'Service conduit/search-metrics',
        'ServiceMonitor conduit/search',
        'HorizontalPodAutoscaler conduit/search',
        'PodDisruptionBudget conduit/search',
        'NetworkPolicy conduit/search-ingress',
        'NetworkPolicy conduit/search-egress',
        'ConfigMap conduit/search-config-<hash>',
      ].sort(),
    );
    const rollout = one(after, 'Rollout', 'search') as Json;
    const pod = rollout.spec.template.spec;
    const ctr = pod.containers[0];
    expect(ctr.image).toBe(`${pin('search').repository}:${pin('search').tag}`);
    expect(ctr.ports).toEqual([{ name: 'http', containerPort: 3100, protocol: 'TCP' }]);
    expect(ctr.livenessProbe.httpGet.path).toBe('/livez');
    expect(ctr.readinessProbe.httpGet.path).toBe('/ready');
    expect(ctr.resources).toEqual({
      requests: { cpu: '50m', memory: '64Mi' },
      limits: { cpu: '200m', memory: '128Mi' },
    });
    expect(ctr.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.securityContext).toMatchObject({ runAsUser: 65532, runAsGroup: 65532 });
    expect(rollout.spec.strategy.canary.analysis.templates.map((t: Json) => t.templateName)).toEqual([
      'pod-health',
      'api-http',
    ]);
    expect(rollout.spec.strategy.canary.trafficRouting.alb).toMatchObject({
      ingress: 'conduit',
      rootService: 'search',
      servicePort: 3100,
    });

    const paths = (one(after, 'Ingress', 'conduit') as Json).spec.rules[0].http.paths;
    expect(paths.map((p: Json) => [p.path, p.backend.service.name])).toEqual([
      ['/search', 'search'],
      ['/api', 'api'],
      ['/', 'web'],
    ]);
    expect((one(after, 'HorizontalPodAutoscaler', 'search') as Json).spec).toMatchObject({
      scaleTargetRef: { kind: 'Rollout', name: 'search' },
      minReplicas: 2,
      maxReplicas: 5,
      metrics: expect.arrayContaining([
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } },
        },
      ]),
    });
    expect((one(after, 'PodDisruptionBudget', 'search') as Json).spec.maxUnavailable).toBe(1);
    const ingress = (one(after, 'NetworkPolicy', 'search-ingress') as Json).spec.ingress;
    expect(ingress.map((r: Json) => r.ports)).toEqual([
      [{ protocol: 'TCP', port: 3100 }],
      [{ protocol: 'TCP', port: 3100 }],
    ]);
    // Tracing only: no database, no AWS.
    const egress = (one(after, 'NetworkPolicy', 'search-egress') as Json).spec.egress;
    expect(egress).toEqual([expect.objectContaining({ ports: [{ protocol: 'TCP', port: 4318 }] })]);
    expect((one(after, 'ServiceMonitor', 'search') as Json).spec.selector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'search',
      'app.kubernetes.io/component': 'metrics',
    });
    const app = (one(after, 'Application', 'conduit-dev') as Json).spec.ignoreDifferences[0]
      .jqPathExpressions;
    expect(app).toContain('.metadata.annotations["alb.ingress.kubernetes.io/actions.search"]');
  });

  it.each(['search', 'mailer'])(
    '%s gets its WorkloadUnavailable alert and its row of dashboard panels',
    (name) => {
      const rules = (one(after, 'PrometheusRule', 'conduit-application') as Json).spec.groups.flatMap(
        (g: Json) => g.rules,
      );
      const alert = rules.find((r: Json) => r.alert === 'WorkloadUnavailable' && r.labels.workload === name);
      expect(alert?.expr).toContain(`horizontalpodautoscaler="${name}"`);
      expect(alert?.expr).toContain(`container="${name}"`);
      const dashboard = JSON.parse(
        (one(after, 'ConfigMap', 'conduit-resources-dashboard') as Json).data['conduit-resources.json'],
      );
      const titles = dashboard.panels.map((p: Json) => p.title);
      expect(titles).toContain(`Workload ${name}`);
      expect(titles).toEqual(
        expect.arrayContaining([`${name}: ready pods`, `${name}: CPU / limit`, `${name}: restarts (15m)`]),
      );
    },
  );

  it('a worker gets a Deployment (no traffic Services, no route), HPA, PDB, scrape-only ingress and its egress', () => {
    expect(ofWorkload('mailer')).toEqual(
      [
        'ServiceAccount conduit/mailer',
        'Deployment conduit/mailer',
        'Service conduit/mailer-metrics',
        'ServiceMonitor conduit/mailer',
        'HorizontalPodAutoscaler conduit/mailer',
        'PodDisruptionBudget conduit/mailer',
        'NetworkPolicy conduit/mailer-ingress',
        'NetworkPolicy conduit/mailer-egress',
        'ConfigMap conduit/mailer-config-<hash>',
      ].sort(),
    );
    expect(find(after, 'Rollout', 'mailer')).toEqual([]);
    const deployment = one(after, 'Deployment', 'mailer') as Json;
    expect(deployment.spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
    });
    const ctr = deployment.spec.template.spec.containers[0];
    expect(ctr.env.map((e: Json) => e.name)).toEqual(['DATABASE_URL']);
    expect(ctr.lifecycle).toBeUndefined();
    expect((one(after, 'HorizontalPodAutoscaler', 'mailer') as Json).spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'mailer',
    });
    const ingress = (one(after, 'NetworkPolicy', 'mailer-ingress') as Json).spec.ingress;
    expect(ingress).toHaveLength(1);
    expect(ingress[0].ports).toEqual([{ protocol: 'TCP', port: 9464 }]);
    const egress = (one(after, 'NetworkPolicy', 'mailer-egress') as Json).spec.egress.map(
      (r: Json) => r.ports,
    );
    expect(egress).toEqual([
      [{ protocol: 'TCP', port: 5432 }],
      [{ protocol: 'TCP', port: 4318 }],
      [{ protocol: 'TCP', port: 443 }],
      [{ protocol: 'TCP', port: 80 }],
    ]);
    expect((one(after, 'ServiceMonitor', 'mailer') as Json).spec.endpoints[0].port).toBe('http');
    expect(Object.keys(withFixtures.images)).toContain(OPS_IMAGE.image);
  });
});
