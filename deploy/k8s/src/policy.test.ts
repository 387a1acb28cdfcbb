import { CANARY_HEADER, images, MAX_ABORT_SECONDS } from '@conduit/platform';
import { describe, expect, it } from 'vitest';
import { SCALE_DOWN_DELAY_SECONDS } from './constructs/app-workload.js';
import { type K8sObject, renderStage } from './render.js';
import { READINESS_GATE_LABEL, VERIFY_TARGET_GROUP_FLAG } from './routers/alb.js';
import { CONTROLLER_POD_LABELS } from './routers/nginx.js';
import { SHUTDOWN } from './settings.js';
import { containers, find, one, podSpecs, renderedCases } from './test/objects.js';

// biome-ignore lint/suspicious/noExplicitAny: the tests walk rendered manifests of many kinds
type Json = Record<string, any>;
const cases = renderedCases();
const each = cases.map((c) => [c.name, c] as const);
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('policy: workloads', () => {
  it.each(each)('%s: every container has requests and limits for CPU and memory', (_, c) => {
    for (const pod of podSpecs(c.all)) {
      for (const ctr of containers(pod.spec)) {
        for (const kind of ['requests', 'limits'] as const) {
          expect(ctr.resources?.[kind]?.cpu, `${pod.owner}/${ctr.name} ${kind}.cpu`).toBeTruthy();
          expect(ctr.resources?.[kind]?.memory, `${pod.owner}/${ctr.name} ${kind}.memory`).toBeTruthy();
        }
      }
    }
  });

  it.each(each)('%s: app containers probe /healthz (startup, liveness) and /readyz (readiness)', (_, c) => {
    for (const tier of ['api', 'web']) {
      const rollout = one(c.all, 'Rollout', tier) as Json;
      const app = rollout.spec.template.spec.containers.find((x: Json) => x.name === tier);
      expect(app.startupProbe.httpGet.path).toBe('/healthz');
      expect(app.livenessProbe.httpGet.path).toBe('/healthz');
      expect(app.readinessProbe.httpGet.path).toBe('/readyz');
    }
  });

  it.each(each)(
    '%s: every pod is hardened (non-root, read-only root, drop ALL, RuntimeDefault, no escalation, no token)',
    (_, c) => {
      const pods = podSpecs(c.all);
      // The jobs, then one controller per workload of the stage: a Rollout per HTTP service, a Deployment per worker.
      expect(pods.map((p) => p.owner).sort()).toEqual(
        [
          'CronJob/backup',
          'CronJob/restore-drill',
          'Job/api-migrate',
          ...c.settings.workloads.map(
            ({ workload: w }) => `${w.kind === 'http' ? 'Rollout' : 'Deployment'}/${w.name}`,
          ),
        ].sort(),
      );
      for (const pod of pods) {
        expect(pod.spec.securityContext?.runAsNonRoot, pod.owner).toBe(true);
        expect(pod.spec.securityContext?.seccompProfile?.type, pod.owner).toBe('RuntimeDefault');
        expect(pod.spec.automountServiceAccountToken, pod.owner).toBe(false);
        for (const ctr of containers(pod.spec)) {
          const sc = ctr.securityContext;
          expect(sc?.allowPrivilegeEscalation, `${pod.owner}/${ctr.name}`).toBe(false);
          expect(sc?.readOnlyRootFilesystem, `${pod.owner}/${ctr.name}`).toBe(true);
          expect(sc?.capabilities?.drop, `${pod.owner}/${ctr.name}`).toEqual(['ALL']);
          expect(sc?.privileged ?? false).toBe(false);
        }
      }
      for (const sa of find(c.all, 'ServiceAccount'))
        expect(sa.automountServiceAccountToken, sa.metadata.name).toBe(false);
    },
  );

  it.each(each)(
    '%s: images are pinned, never latest, and ours come from the stage version setting',
    (_, c) => {
      for (const pod of podSpecs(c.all)) {
        for (const ctr of containers(pod.spec)) {
          const image = ctr.image ?? '';
          expect(image, `${pod.owner}/${ctr.name}`).not.toMatch(/:latest$/);
          expect(image, `${pod.owner}/${ctr.name}`).toMatch(/(:[\w.-]+|@sha256:[a-f0-9]{64})$/);
          const tier = new RegExp(`/conduit/(${images().join('|')})[:@]`).exec(image)?.[1];
          if (image.includes('/conduit/')) {
            expect(tier, `${pod.owner}/${ctr.name}: ${image}`).toBeDefined();
            const setting = c.settings.images[tier!]!;
            expect(image).toBe(
              setting.digest
                ? `${setting.repository}@${setting.digest}`
                : `${setting.repository}:${setting.tag}`,
            );
          }
        }
      }
    },
  );

  it.each(each)(
    '%s: shutdown timeline: deregistration < preStop < grace, grace > preStop + drain + timeout',
    (_, c) => {
      for (const tier of ['api', 'web']) {
        const spec = (one(c.all, 'Rollout', tier) as Json).spec.template.spec;
        const preStop = spec.containers.find((x: Json) => x.name === tier).lifecycle.preStop.sleep.seconds;
        expect(preStop).toBe(SHUTDOWN.preStopSeconds);
        expect(spec.terminationGracePeriodSeconds).toBeGreaterThan(
          preStop + SHUTDOWN.drainDelaySeconds + SHUTDOWN.shutdownTimeoutSeconds,
        );
        if (c.settings.router.kind === 'alb') {
          for (const svc of find(c.all, 'Service').filter((s) => s.metadata.annotations)) {
            const attr =
              svc.metadata.annotations?.['alb.ingress.kubernetes.io/target-group-attributes'] ?? '';
            const delay = Number(/deregistration_delay\.timeout_seconds=(\d+)/.exec(attr)?.[1]);
            expect(delay, svc.metadata.name).toBeLessThan(preStop);
          }
        }
      }
      const api = (one(c.all, 'Rollout', 'api') as Json).spec.template.spec.containers[0];
      const config = one(c.all, 'ConfigMap', api.envFrom[0].configMapRef.name) as Json;
      expect(Number(config.data.SHUTDOWN_DRAIN_DELAY_MS)).toBe(SHUTDOWN.drainDelaySeconds * 1000);
      expect(Number(config.data.SHUTDOWN_TIMEOUT_MS)).toBe(SHUTDOWN.shutdownTimeoutSeconds * 1000);
    },
  );

  it.each(each)(
    '%s: spread over zones and nodes, a PriorityClass, a PDB and an HPA on an existing Rollout',
    (_, c) => {
      const priority = find(c.all, 'PriorityClass').map((p) => p.metadata.name);
      for (const tier of ['api', 'web']) {
        const rollout = one(c.all, 'Rollout', tier) as Json;
        const spec = rollout.spec.template.spec;
        expect(spec.topologySpreadConstraints.map((t: Json) => t.topologyKey)).toEqual([
          'topology.kubernetes.io/zone',
          'kubernetes.io/hostname',
        ]);
        expect(priority).toContain(spec.priorityClassName);
        const pdbs = find(c.all, 'PodDisruptionBudget').filter((p) =>
          matches((p as Json).spec.selector.matchLabels, rollout.spec.template.metadata.labels),
        );
        expect(pdbs).toHaveLength(1);
        const hpas = find(c.all, 'HorizontalPodAutoscaler').filter(
          (h) => (h as Json).spec.scaleTargetRef.name === tier,
        );
        expect(hpas).toHaveLength(1);
        const hpa = hpas[0] as Json;
        expect(hpa.apiVersion).toBe('autoscaling/v2');
        expect(hpa.spec.scaleTargetRef).toEqual({
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          name: tier,
        });
        expect(
          hpa.spec.metrics.map((m: Json) => [m.resource.name, m.resource.target.averageUtilization]),
        ).toEqual([
          ['cpu', 70],
          ['memory', 80],
        ]);
        expect(hpa.spec.behavior.scaleUp.policies).toEqual([{ type: 'Pods', value: 2, periodSeconds: 60 }]);
        expect(hpa.spec.behavior.scaleDown).toEqual({
          stabilizationWindowSeconds: 300,
          policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }],
        });
        expect(rollout.spec.replicas, 'the HPA owns the replica count').toBeUndefined();
      }
      if (c.name === 'prod') {
        for (const tier of ['api', 'web']) {
          const hpa = one(c.all, 'HorizontalPodAutoscaler', tier) as Json;
          expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([2, 6]);
        }
      }
    },
  );

  it.each(each)('%s: the API config lives in a ConfigMap named by its content hash', (_, c) => {
    const rollout = one(c.all, 'Rollout', 'api') as Json;
    const name: string = rollout.spec.template.spec.containers[0].envFrom[0].configMapRef.name;
    expect(name).toMatch(/^api-config-[a-f0-9]{10}$/);
    const cm = one(c.all, 'ConfigMap', name) as Json;
    expect(cm.immutable).toBe(true);
    expect(cm.data.MIGRATE_ON_START).toBe('false');
    expect(cm.data.PORT).toBe('3000');
  });

  it('a config change renames the ConfigMap, so it rolls the pods', () => {
    const prod = cases.find((c) => c.name === 'prod')!;
    const [other] = renderedCases().filter((c) => c.name === 'prod');
    expect(find(other!.all, 'ConfigMap')[0]!.metadata.name).toBe(
      find(prod.all, 'ConfigMap')[0]!.metadata.name,
    );
    const changed = renderStage({ ...prod.settings, logLevel: 'warn' });
    const renamed = changed.conduit.find((o) => o.kind === 'ConfigMap')!.metadata.name;
    expect(renamed).not.toBe(find(prod.all, 'ConfigMap')[0]!.metadata.name);
    const rollout = one(changed.conduit, 'Rollout', 'api') as Json;
    expect(rollout.spec.template.spec.containers[0].envFrom[0].configMapRef.name).toBe(renamed);
  });
});

describe('policy: canary invariants', () => {
  it.each(each)(
    '%s: canary steps 20 → analysis → 50 → analysis → 80 with pauses, background analysis from the first weight',
    (_, c) => {
      for (const tier of ['api', 'web']) {
        const canary = (one(c.all, 'Rollout', tier) as Json).spec.strategy.canary;
        expect((one(c.all, 'Rollout', tier) as Json).spec.strategy.blueGreen).toBeUndefined();
        const steps: Json[] = canary.steps;
        const kinds = steps.map((s) => Object.keys(s)[0]);
        const firstWeight = kinds.indexOf('setWeight');
        expect(kinds.slice(firstWeight)).toEqual([
          'setWeight',
          'pause',
          'analysis',
          'setWeight',
          'pause',
          'analysis',
          'setWeight',
          'pause',
        ]);
        expect(steps.filter((s) => s.setWeight).map((s) => s.setWeight)).toEqual([20, 50, 80]);
        expect(steps.filter((s) => s.pause).map((s) => s.pause.duration)).toEqual(
          c.settings.pauseSeconds.map((p) => `${p}s`),
        );
        expect(canary.analysis.startingStep).toBe(firstWeight);
        expect(canary.analysis.templates.length).toBeGreaterThan(0);
        for (const s of steps.filter((x) => x.analysis))
          expect(s.analysis.templates.length).toBeGreaterThan(0);
        const templates = find(c.all, 'AnalysisTemplate').map((t) => t.metadata.name);
        for (const ref of [
          ...canary.analysis.templates,
          ...steps.flatMap((s) => s.analysis?.templates ?? []),
        ]) {
          expect(templates).toContain(ref.templateName);
        }
        expect(canary.scaleDownDelaySeconds).toBeGreaterThanOrEqual(30);
        expect(SCALE_DOWN_DELAY_SECONDS).toBeGreaterThanOrEqual(30);
        expect(canary.dynamicStableScale).not.toBe(true);
        expect(canary.canaryMetadata.labels).toEqual({ track: 'canary' });
        expect(canary.stableMetadata.labels).toEqual({ track: 'stable' });
        expect((one(c.all, 'Rollout', tier) as Json).spec.progressDeadlineAbort).toBe(true);
      }
    },
  );

  it.each(each)(
    '%s: canaries switch between Services that exist; on the ALB ping/pong, with target groups verified',
    (_, c) => {
      const rollouts = find(c.dirs.apps, 'Application').find((a) =>
        a.metadata.name.endsWith('-argo-rollouts'),
      ) as Json;
      const args: string[] = rollouts.spec.source.helm.valuesObject.controller.extraArgs;
      expect(args.includes(VERIFY_TARGET_GROUP_FLAG)).toBe(c.settings.router.kind === 'alb');
      for (const tier of ['api', 'web']) {
        const canary = (one(c.all, 'Rollout', tier) as Json).spec.strategy.canary;
        expect(Boolean(canary.pingPong), tier).toBe(c.settings.router.kind === 'alb');
        const services = canary.pingPong
          ? [canary.pingPong.pingService, canary.pingPong.pongService]
          : [canary.stableService, canary.canaryService];
        expect(services.every(Boolean), tier).toBe(true);
        for (const svc of services) expect(find(c.all, 'Service', svc), svc).toHaveLength(1);
      }
    },
  );

  it.each(each)('%s: testers reach the canary with the exact header X-Canary: always', (_, c) => {
    for (const tier of ['api', 'web']) {
      const canary = (one(c.all, 'Rollout', tier) as Json).spec.strategy.canary;
      if (c.settings.router.kind === 'nginx') {
        expect(canary.trafficRouting.nginx.additionalIngressAnnotations).toEqual({
          'canary-by-header': CANARY_HEADER.name,
          'canary-by-header-value': CANARY_HEADER.value,
        });
      } else {
        const step = canary.steps.find((s: Json) => s.setHeaderRoute);
        expect(step.setHeaderRoute.match).toEqual([
          { headerName: 'X-Canary', headerValue: { exact: 'always' } },
        ]);
        expect(canary.trafficRouting.managedRoutes).toEqual([{ name: step.setHeaderRoute.name }]);
      }
    }
  });

  it.each(each)(
    '%s: analysis aborts a bad canary within 2 minutes; NaN is inconclusive; an empty request signal fails',
    (_, c) => {
      // Worst case from what is rendered: the background run's initial delay, failureLimit failed
      // measurements an interval apart, and two scrapes of lag (a rate needs two samples).
      const seconds = (d: string) => Number(d.replace(/s$/, ''));
      const scrape = Math.max(
        ...(find(c.all, 'ServiceMonitor') as Json[]).flatMap((sm) =>
          sm.spec.endpoints.map((e: Json) => seconds(e.interval)),
        ),
      );
      for (const t of (find(c.all, 'AnalysisTemplate') as Json[]).filter(
        (t) => !t.metadata.name.endsWith('-step'),
      )) {
        for (const m of t.spec.metrics) {
          const worst = seconds(m.initialDelay) + m.failureLimit * seconds(m.interval) + 2 * scrape;
          expect(worst, `${t.metadata.name}/${m.name}`).toBeLessThanOrEqual(MAX_ABORT_SECONDS);
        }
      }
      const guard = /^len\(result\) == 1 && !isNaN\(result\[0\]\) && /;
      for (const t of find(c.all, 'AnalysisTemplate') as Json[]) {
        for (const m of t.spec.metrics) {
          expect(m.successCondition).toMatch(guard);
          // Request signals: a canary that has answered nothing counts against it; pod signals: unknown
          // pods are no evidence either way.
          if (t.metadata.name.startsWith('api-http'))
            expect(m.failureCondition).toMatch(
              /^len\(result\) == 0 \|\| \(len\(result\) == 1 && !isNaN\(result\[0\]\) && .*\)$/,
            );
          else expect(m.failureCondition).toMatch(guard);
          expect(m.failureLimit).toBe(c.settings.analysis.failureLimit);
          if (!t.metadata.name.endsWith('-step')) expect(m.count).toBeUndefined();
          else expect(m.count).toBe(c.settings.analysis.stepCount);
        }
      }
      const podHealth = one(c.all, 'AnalysisTemplate', 'pod-health') as Json;
      expect(podHealth.spec.metrics.map((m: Json) => m.name)).toEqual([
        'container-restarts',
        'pods-not-ready',
        'oom-kills',
        'cpu-of-limit',
        'memory-of-limit',
      ]);
      expect(
        (one(c.all, 'AnalysisTemplate', 'api-http') as Json).spec.metrics.map((m: Json) => m.name),
      ).toEqual(['success-rate', 'p99-latency', 'p99-latency-vs-stable']);
    },
  );
});

describe('policy: namespace, network, secrets, delivery', () => {
  it.each(each)(
    '%s: namespace enforces Pod Security restricted; ALB stages inject readiness gates',
    (_, c) => {
      const ns = one(c.all, 'Namespace', c.settings.namespace);
      for (const mode of ['enforce', 'audit', 'warn'])
        expect(ns.metadata.labels?.[`pod-security.kubernetes.io/${mode}`]).toBe('restricted');
      expect(ns.metadata.labels?.[READINESS_GATE_LABEL]).toBe(
        c.settings.router.kind === 'alb' ? 'enabled' : undefined,
      );
    },
  );

  it.each(each)('%s: default deny both ways, and every pod has its allowed flows', (_, c) => {
    const policies = find(c.all, 'NetworkPolicy') as Json[];
    const deny = policies.find((p) => p.metadata.name === 'default-deny')!;
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(deny.spec.ingress).toBeUndefined();
    const selecting = (labels: Record<string, string>, type: string) =>
      policies.filter(
        (p) =>
          p !== deny &&
          p.spec.policyTypes.includes(type) &&
          matches(p.spec.podSelector.matchLabels ?? {}, labels) &&
          Object.keys(p.spec.podSelector.matchLabels ?? {}).length > 0,
      );
    const ports = (ps: Json[], dir: 'ingress' | 'egress') =>
      ps.flatMap((p) => p.spec[dir] ?? []).flatMap((r: Json) => r.ports.map((x: Json) => x.port));
    const pods = Object.fromEntries(podSpecs(c.all).map((p) => [p.owner, p.labels]));
    expect(ports(selecting(pods['Rollout/api']!, 'Ingress'), 'ingress')).toEqual([3000, 3000]);
    expect(ports(selecting(pods['Rollout/web']!, 'Ingress'), 'ingress')).toEqual([8080, 9113]);
    const dbPort = c.settings.database.port;
    expect(ports(selecting(pods['Rollout/api']!, 'Egress'), 'egress')).toContain(dbPort);
    expect(ports(selecting(pods['Job/api-migrate']!, 'Egress'), 'egress')).toEqual([dbPort]);
    // The Pod Identity agent's port only where pods get credentials from it (network.test.ts has the rest).
    expect(ports(selecting(pods['CronJob/backup']!, 'Egress'), 'egress')).toEqual(
      c.settings.identity.kind === 'pod-identity' ? [dbPort, 443, 80] : [dbPort, 443],
    );
    expect(selecting(pods['Rollout/web']!, 'Egress')).toEqual([]);
    const dns = policies.find((p) => p.metadata.name === 'allow-dns')!;
    expect(dns.spec.podSelector).toEqual({});
    expect(dns.spec.egress[0].ports.map((p: Json) => p.port)).toEqual([53, 53]);
    const lb = policies.find((p) => p.metadata.name === 'api-ingress')!.spec.ingress[0].from;
    const r = c.settings.router;
    expect(lb).toEqual(
      r.kind === 'alb'
        ? r.sourceCidrs.map((cidr) => ({ ipBlock: { cidr } }))
        : [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': r.controllerNamespace } },
              podSelector: { matchLabels: { ...CONTROLLER_POD_LABELS } },
            },
          ],
    );
    // NGINX's certificate: cert-manager's HTTP-01 solver pods answer the controller, on their port only.
    const solver = policies.find((p) => p.metadata.name === 'acme-solver-ingress');
    if (r.kind === 'nginx') {
      expect(solver?.spec.podSelector.matchLabels).toEqual({ 'acme.cert-manager.io/http01-solver': 'true' });
      expect(solver?.spec.ingress).toEqual([{ from: lb, ports: [{ protocol: 'TCP', port: 8089 }] }]);
    } else expect(solver).toBeUndefined();
  });

  it.each(each)('%s: no Secret with values is ever rendered; secrets come from ExternalSecrets', (_, c) => {
    expect(find(c.all, 'Secret')).toEqual([]);
    const text = JSON.stringify(c.all);
    expect(text).not.toMatch(/password["']?\s*[:=]\s*["'][^{]/i);
    const external = find(c.all, 'ExternalSecret')
      .map((e) => e.metadata.name)
      .sort();
    expect(external).toEqual(['alertmanager-receivers', 'conduit-db', 'conduit-jwt', 'grafana-admin']);
    const stores = find(c.all, 'ClusterSecretStore') as Json[];
    expect(stores).toHaveLength(1);
    // IRSA: the store authenticates with the controller's annotated service account.
    expect(stores[0]!.spec.provider.aws.auth).toEqual(
      c.settings.identity.kind === 'irsa'
        ? { jwt: { serviceAccountRef: { name: 'external-secrets', namespace: 'external-secrets' } } }
        : undefined,
    );
  });

  it.each(each)('%s: migrations run once per release as an Argo CD PreSync hook', (_, c) => {
    const job = one(c.all, 'Job', 'api-migrate') as Json;
    expect(job.metadata.annotations['argocd.argoproj.io/hook']).toBe('PreSync');
    const ctr = job.spec.template.spec.containers[0];
    expect(ctr.command).toEqual(['/nodejs/bin/node', 'dist/migrate.js']);
    expect(ctr.image).toBe((one(c.all, 'Rollout', 'api') as Json).spec.template.spec.containers[0].image);
  });

  it.each(each)('%s: backup daily 03:30 UTC and a weekly restore drill run the ops image', (_, c) => {
    const backup = one(c.all, 'CronJob', 'backup') as Json;
    const drill = one(c.all, 'CronJob', 'restore-drill') as Json;
    expect([backup.spec.schedule, backup.spec.timeZone]).toEqual(['30 3 * * *', 'Etc/UTC']);
    expect(drill.spec.schedule).toMatch(/^\d+ \d+ \* \* [0-6]$/);
    const ctr = (j: Json) => j.spec.jobTemplate.spec.template.spec.containers[0];
    expect(ctr(backup).args).toEqual(['backup', 'run', '--stage', c.settings.name]);
    expect(ctr(drill).args).toEqual(['backup', 'drill', '--stage', c.settings.name]);
    const ops = c.settings.images.ops!;
    for (const job of [backup, drill]) {
      expect(ctr(job).image).toBe(
        ops.digest ? `${ops.repository}@${ops.digest}` : `${ops.repository}:${ops.tag}`,
      );
    }
  });

  it.each(each)('%s: ServiceMonitors for both tiers copy the track label', (_, c) => {
    for (const tier of ['api', 'web']) {
      const sm = one(c.all, 'ServiceMonitor', tier) as Json;
      expect(sm.spec.endpoints[0].relabelings[0]).toMatchObject({
        sourceLabels: ['__meta_kubernetes_pod_label_track'],
        targetLabel: 'track',
      });
    }
    expect(find(c.all, 'PrometheusRule').length).toBeGreaterThan(0);
  });

  it.each(each)(
    '%s: Argo CD app-of-apps: automated prune/self-heal, PruneLast, pinned add-on charts',
    (_, c) => {
      const root = one(c.dirs.bootstrap, 'Application', `conduit-${c.settings.name}-root`) as Json;
      expect(root.spec.source.path).toBe(`deploy/k8s/dist/${c.settings.name}/apps`);
      const apps = find(c.dirs.apps, 'Application') as Json[];
      for (const name of [`conduit-${c.settings.name}`, `conduit-${c.settings.name}-platform`]) {
        const app = apps.find((a) => a.metadata.name === name)!;
        expect(app.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
        expect(app.spec.syncPolicy.syncOptions).toContain('PruneLast=true');
      }
      const addOns = apps
        .filter((a) => a.spec.source.chart)
        .map((a) => [a.spec.source.chart, a.spec.source.targetRevision]);
      for (const [, version] of addOns) expect(version).toMatch(/^v?\d+\.\d+\.\d+$/);
      const charts = addOns.map(([chart]) => chart);
      expect(charts).toEqual(
        expect.arrayContaining(['argo-rollouts', 'kube-prometheus-stack', 'fluent-bit', 'metrics-server']),
      );
      expect(charts).toEqual(expect.arrayContaining(['external-dns', 'external-secrets']));
      // deploy/aws's cluster stack installs it with the real VPC id; a second release would fight it.
      expect(charts).not.toContain('aws-load-balancer-controller');
      const nginxCharts = ['ingress-nginx', 'cert-manager'];
      for (const chart of nginxCharts) {
        expect(charts.includes(chart), chart).toBe(c.settings.router.kind === 'nginx');
      }
    },
  );

  it.each(each)('%s: the entry point routes / to web and /api to api with TLS', (_, c) => {
    const r = c.settings.router;
    if (r.kind === 'alb') {
      const ing = one(c.all, 'Ingress', 'conduit') as Json;
      const a = ing.metadata.annotations;
      expect(ing.spec.ingressClassName).toBe('alb');
      expect(a['alb.ingress.kubernetes.io/target-type']).toBe('ip');
      // HTTPS only, behind deploy/aws's group that admits CloudFront alone.
      expect(JSON.parse(a['alb.ingress.kubernetes.io/listen-ports'])).toEqual([{ HTTPS: 443 }]);
      expect(a['alb.ingress.kubernetes.io/ssl-redirect']).toBeUndefined();
      expect(a['alb.ingress.kubernetes.io/security-groups']).toBe(r.securityGroup);
      expect(a['alb.ingress.kubernetes.io/manage-backend-security-group-rules']).toBe('true');
      expect(a['alb.ingress.kubernetes.io/inbound-cidrs']).toBeUndefined();
      expect(a['alb.ingress.kubernetes.io/certificate-arn']).toBe(r.certificateArn);
      expect(a['alb.ingress.kubernetes.io/healthcheck-path']).toBe('/readyz');
      expect(ing.spec.rules[0].http.paths.map((p: Json) => [p.path, p.backend.service.name])).toEqual([
        ['/api', 'api'],
        ['/', 'web'],
      ]);
      expect(find(c.all, 'ClusterIssuer')).toEqual([]);
    } else {
      expect(find(c.all, 'Ingress').map((i) => i.metadata.name)).toEqual(['conduit-api', 'conduit-web']);
      const api = one(c.all, 'Ingress', 'conduit-api') as Json;
      const web = one(c.all, 'Ingress', 'conduit-web') as Json;
      expect(api.spec.rules[0].http.paths.map((p: Json) => [p.path, p.backend.service.name])).toEqual([
        ['/api', 'api'],
      ]);
      expect(web.spec.rules[0].http.paths.map((p: Json) => [p.path, p.backend.service.name])).toEqual([
        ['/', 'web'],
      ]);
      // The NLB the controller makes for ingress-nginx carries deploy/aws's group on AWS.
      const controller = find(c.all, 'Application').find(
        (app) => (app as Json).spec.source?.chart === 'ingress-nginx',
      ) as Json;
      const nlb = controller.spec.source.helm.valuesObject.controller.service?.annotations ?? {};
      if (c.settings.aws) {
        expect(nlb['service.beta.kubernetes.io/aws-load-balancer-security-groups']).toBe(
          r.loadBalancerSecurityGroup,
        );
        expect(r.loadBalancerSecurityGroup).toMatch(/-origin$/);
        expect(nlb['service.beta.kubernetes.io/aws-load-balancer-manage-backend-security-group-rules']).toBe(
          'true',
        );
      }
      // The certificate comes from the issuer the Ingress names, which answers through this controller.
      for (const ing of [api, web]) {
        expect(ing.spec.ingressClassName).toBe('nginx');
        expect(ing.spec.tls).toEqual([{ hosts: [c.settings.host], secretName: 'conduit-tls' }]);
        const issuer = one(
          c.all,
          'ClusterIssuer',
          ing.metadata.annotations['cert-manager.io/cluster-issuer'],
        ) as Json;
        expect(issuer.spec.acme.solvers).toEqual([{ http01: { ingress: { ingressClassName: 'nginx' } } }]);
      }
    }
  });
});

export type { K8sObject };
