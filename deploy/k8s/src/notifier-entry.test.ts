import { STAGE_NAMES, type StageName, workload } from '@conduit/platform';
import { describe, expect, it } from 'vitest';
import { type K8sObject, renderStage } from './render.js';
import type { RenderSettings } from './settings.js';
import { renderSettings } from './stages/index.js';
import { one } from './test/objects.js';

// biome-ignore lint/suspicious/noExplicitAny: the tests walk rendered manifests of many kinds
type Json = Record<string, any>;

/**
 * The real notifier entry of the model, proved per layer on the real stage renders: each stage rendered as it
 * is and with the entry taken out. What differs is exactly what the entry should bring: a worker's objects in
 * dev, nothing at all in staging and prod.
 */
const NOTIFIER = workload('notifier');
const key = (o: K8sObject) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const without = (s: RenderSettings): RenderSettings => ({
  ...s,
  workloads: s.workloads.filter((w) => w.workload.name !== NOTIFIER.name),
});
const render = (s: RenderSettings) => Object.values(renderStage(s)).flat();
const diff = (stage: StageName) => {
  const settings = renderSettings(stage);
  const after = render(settings);
  const before = render(without(settings));
  return {
    after,
    added: after
      .filter((a) => !before.some((b) => key(b) === key(a)))
      .map((o) => key(o).replace(/-config-[0-9a-f]{10}$/, '-config-<hash>'))
      .sort(),
    removed: before.filter((b) => !after.some((a) => key(a) === key(b))).map(key),
    changed: before
      .filter((b) => {
        const a = after.find((x) => key(x) === key(b));
        return a && JSON.stringify(a) !== JSON.stringify(b);
      })
      .map(key)
      .sort(),
  };
};

describe('the notifier entry of the platform model', () => {
  const dev = diff('dev');

  it('adds exactly a worker’s objects in dev, and changes only the shared objects that list workloads', () => {
    expect(dev.added).toEqual(
      [
        'ServiceAccount conduit/notifier',
        'ConfigMap conduit/notifier-config-<hash>',
        'Deployment conduit/notifier',
        'Service conduit/notifier-metrics',
        'ServiceMonitor conduit/notifier',
        'HorizontalPodAutoscaler conduit/notifier',
        'PodDisruptionBudget conduit/notifier',
        'NetworkPolicy conduit/notifier-ingress',
        'NetworkPolicy conduit/notifier-egress',
      ].sort(),
    );
    expect(dev.removed).toEqual([]);
    // No Ingress or Application change: a worker has no route and no canary.
    expect(dev.changed).toEqual([
      'ConfigMap conduit/conduit-resources-dashboard',
      'PriorityClass /conduit-app',
      'PrometheusRule conduit/conduit-application',
    ]);
  });

  it.each(STAGE_NAMES.filter((s) => s !== 'dev'))('renders nothing for it in %s', (stage) => {
    const d = diff(stage);
    expect([d.added, d.removed, d.changed]).toEqual([[], [], []]);
    expect(d.after.filter((o) => JSON.stringify(o).includes('notifier')).map(key)).toEqual([]);
  });

  it('runs it as a hardened rolling Deployment with the entry’s probes, port, user and dev size', () => {
    const deployment = one(dev.after, 'Deployment', 'notifier') as Json;
    expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
    const pod = deployment.spec.template.spec;
    const ctr = pod.containers[0];
    const size = NOTIFIER.stages.dev!;
    expect(ctr.image).toMatch(/\/conduit\/notifier[:@]/);
    expect(ctr.ports).toEqual([{ name: 'http', containerPort: NOTIFIER.port, protocol: 'TCP' }]);
    expect(ctr.livenessProbe.httpGet.path).toBe(NOTIFIER.probes.liveness);
    expect(ctr.readinessProbe.httpGet.path).toBe(NOTIFIER.probes.readiness);
    expect(ctr.resources).toEqual({
      requests: { cpu: size.cpuRequest, memory: size.memoryRequest },
      limits: { cpu: size.cpuLimit, memory: size.memoryLimit },
    });
    expect(ctr.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.securityContext).toMatchObject({
      runAsUser: NOTIFIER.user.uid,
      runAsGroup: NOTIFIER.user.gid,
    });
    // No load balancer to wait for: no preStop sleep.
    expect(ctr.lifecycle).toBeUndefined();
    expect(ctr.env.map((e: Json) => e.name)).toEqual(['DATABASE_URL']);
    const hpa = (one(dev.after, 'HorizontalPodAutoscaler', 'notifier') as Json).spec;
    expect(hpa).toMatchObject({
      scaleTargetRef: { kind: 'Deployment', name: 'notifier' },
      minReplicas: size.minReplicas,
      maxReplicas: size.maxReplicas,
    });
    expect((one(dev.after, 'PodDisruptionBudget', 'notifier') as Json).spec.maxUnavailable).toBe(1);
  });

  it('configures it for SES in the stage’s region, linking the public app, without the API’s proxy settings', () => {
    const name = (one(dev.after, 'Deployment', 'notifier') as Json).spec.template.spec.containers[0]
      .envFrom[0].configMapRef.name;
    const data = (one(dev.after, 'ConfigMap', name) as Json).data;
    expect(data).toMatchObject({
      EMAIL_TRANSPORT: 'ses',
      AWS_REGION: renderSettings('dev').aws!.region,
      PORT: String(NOTIFIER.port),
      PUBLIC_URL: expect.stringMatching(/^https:\/\/[a-z0-9.-]+$/),
      EMAIL_FROM: expect.stringMatching(/^Conduit <notifications@[a-z0-9.-]+>$/),
    });
    for (const apiOnly of ['TRUST_PROXY_HOPS', 'SHUTDOWN_DRAIN_DELAY_MS', 'MIGRATE_ON_START', 'JWT_SECRET']) {
      expect(data, apiOnly).not.toHaveProperty(apiOnly);
    }
  });

  it('lets only Prometheus in, and only the database and the AWS APIs (SES, Pod Identity) out', () => {
    const ingress = (one(dev.after, 'NetworkPolicy', 'notifier-ingress') as Json).spec.ingress;
    expect(ingress).toHaveLength(1);
    expect(ingress[0].ports).toEqual([{ protocol: 'TCP', port: NOTIFIER.port }]);
    expect(ingress[0].from[0].namespaceSelector.matchLabels).toEqual({
      'kubernetes.io/metadata.name': 'monitoring',
    });
    const egress = (one(dev.after, 'NetworkPolicy', 'notifier-egress') as Json).spec.egress;
    expect(egress.map((r: Json) => r.ports)).toEqual([
      [{ protocol: 'TCP', port: 5432 }],
      [{ protocol: 'TCP', port: 443 }],
      [{ protocol: 'TCP', port: 80 }],
    ]);
    expect(egress[2].to).toEqual([{ ipBlock: { cidr: '169.254.170.23/32' } }]);
    expect(one(dev.after, 'NetworkPolicy', 'default-deny')).toBeDefined();
  });

  it('scrapes it, alerts on it (unavailable, queue age) and gives it a dashboard row', () => {
    expect((one(dev.after, 'ServiceMonitor', 'notifier') as Json).spec.endpoints[0]).toMatchObject({
      port: 'http',
      path: '/metrics',
    });
    const rules = (one(dev.after, 'PrometheusRule', 'conduit-application') as Json).spec.groups.flatMap(
      (g: Json) => g.rules,
    );
    const mine = rules.filter((r: Json) => r.labels?.workload === 'notifier').map((r: Json) => r.alert);
    expect(mine).toEqual(['WorkloadUnavailable', 'WorkerQueueBacklog']);
    const backlog = rules.find((r: Json) => r.alert === 'WorkerQueueBacklog');
    expect(backlog.expr).toBe(
      `max(${NOTIFIER.queue!.ageMetric}{namespace="conduit"}) > ${NOTIFIER.queue!.maxAgeSeconds}`,
    );
    const dashboard = JSON.parse(
      (one(dev.after, 'ConfigMap', 'conduit-resources-dashboard') as Json).data['conduit-resources.json'],
    );
    const titles = dashboard.panels.map((p: Json) => p.title);
    expect(titles).toEqual(
      expect.arrayContaining(['Workload notifier', 'notifier: ready pods', 'notifier: oldest queued']),
    );
  });
});
