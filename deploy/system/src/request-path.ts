import { configSchema } from '@conduit/api';
import { type Workload, workloadsIn } from '@conduit/platform';
import { allManifests, type K8sObject, type ScenarioArtifacts, template } from './artifacts.js';
import { literal, resolve, type TemplateWithMappings } from './cfn.js';
import {
  behaviorFor,
  describeBehavior,
  distribution,
  hostAtOrigin,
  type ViewerRequest,
  wafBlocks,
} from './edge.js';
import {
  type Container,
  containerPort,
  containerSetting,
  type IngressMatch,
  ingressFor,
  ingressSpec,
  type PodTemplate,
  podOwners,
  selects,
} from './kube.js';

/**
 * Follows a viewer's request for every public route of every HTTP workload through what the project
 * produces: CloudFront (behaviour, methods, origin, Host, TLS name), WAF, the Ingress rule of the stage's
 * router, the Services it names and the pods they select. Returns one finding per broken joint.
 */
export function requestPathFindings(a: ScenarioArtifacts): string[] {
  const findings: string[] = [];
  const where = (route: string, request: ViewerRequest) =>
    `${a.scenario.name}: ${request.method} ${request.path} (route ${route})`;
  for (const { workload } of workloadsIn(a.scenario.stage).filter((w) => w.workload.kind === 'http')) {
    for (const route of workload.routes) {
      for (const request of requestsOf(a, workload, route)) {
        findings.push(...followRequest(a, workload, request).map((f) => `${where(route, request)}: ${f}`));
      }
    }
  }
  return findings;
}

/** Node workloads run our API settings contract: the body limit the pods run with, or the API's default. */
export function bodyLimitBytes(a: ScenarioArtifacts, workload: Workload): number {
  const objects = allManifests(a);
  const owner = podOwners(objects).find((o) => o.owner.metadata.name === workload.name);
  const container = owner && mainContainer(owner.template, workload);
  const set = container && containerSetting(container, objects, 'BODY_LIMIT_BYTES');
  if (set !== undefined) return Number(set);
  // TypeBox keeps the default on the schema object; its static type does not declare it.
  return (configSchema.properties.BODY_LIMIT_BYTES as unknown as { default: number }).default;
}

/**
 * The valid requests of a route: a GET of a path under it (and of the root for `/`), and for a Node
 * workload (our API, which takes JSON bodies) a POST with a body as large as the pods accept.
 */
export function requestsOf(a: ScenarioArtifacts, workload: Workload, route: string): ViewerRequest[] {
  const under = `${route === '/' ? '' : route}/system-check`;
  const requests: ViewerRequest[] = [{ method: 'GET', path: under, bodyBytes: 0 }];
  if (route === '/') requests.unshift({ method: 'GET', path: '/', bodyBytes: 0 });
  if (workload.runtime === 'node') {
    requests.push({ method: 'POST', path: under, bodyBytes: bodyLimitBytes(a, workload) });
  }
  return requests;
}

/** The container that serves the workload's port (sidecars such as exporters are not the app). */
export function mainContainer(t: PodTemplate, workload: Workload): Container | undefined {
  return t.spec.containers.find((c) => c.ports?.some((p) => p.containerPort === workload.port));
}

function followRequest(a: ScenarioArtifacts, workload: Workload, request: ViewerRequest): string[] {
  const edge = template(a, 'Edge') as TemplateWithMappings;
  const region = a.stage.region;
  const viewerHost = a.stage.edge.domainName;
  const { config } = distribution(edge);
  const out: string[] = [];

  // CloudFront: the alias, the behaviour and its methods.
  if (!(config.Aliases ?? []).some((alias) => literal(edge, alias, region) === viewerHost)) {
    out.push(`the distribution does not serve ${viewerHost} (Aliases)`);
  }
  const behavior = behaviorFor(config, request.path);
  const methods = behavior.AllowedMethods ?? ['GET', 'HEAD'];
  if (!methods.includes(request.method)) {
    out.push(
      `${describeBehavior(behavior)} allows only ${methods.join(', ')}: CloudFront refuses ${request.method}`,
    );
  }

  // The origin CloudFront connects to: protocol, port, the Host it sends and the TLS name it verifies.
  const origin = config.Origins.find((o) => o.Id === behavior.TargetOriginId);
  if (!origin) return [...out, `${describeBehavior(behavior)} targets an undefined origin`];
  const originDomain = literal(edge, origin.DomainName, region);
  const c = origin.CustomOriginConfig;
  if (!c) return [...out, `origin ${String(originDomain)} is not a custom (load balancer) origin`];
  const https = c.OriginProtocolPolicy !== 'http-only';
  if (c.OriginProtocolPolicy !== 'https-only') {
    out.push(
      `origin protocol policy is ${c.OriginProtocolPolicy}: the hop to the load balancer may be plain HTTP`,
    );
  }
  const originPort = https ? (c.HTTPSPort ?? 443) : (c.HTTPPort ?? 80);
  const host = hostAtOrigin(edge, config, behavior, region, viewerHost);
  if ('unknown' in host) return [...out, `cannot tell the Host at the origin: ${host.unknown}`];

  // WAF, in front of all of it.
  const acl = config.WebACLId === undefined ? undefined : resolve(edge, config.WebACLId, region);
  if (acl?.kind !== 'resource') out.push('the distribution has no web ACL of this stack');
  else {
    for (const rule of wafBlocks(acl.resource, request)) {
      out.push(
        rule.startsWith('cannot evaluate')
          ? `WAF: ${rule}`
          : `WAF rule ${rule} blocks it (body ${request.bodyBytes} bytes, which the workload accepts)`,
      );
    }
  }

  // The load balancer of the stage's router, then the Ingress rule for the Host CloudFront sends.
  const objects = allManifests(a);
  const router = a.stage.options.router;
  const ingresses = objects.filter((o) => o.kind === 'Ingress' && ingressSpec(o).ingressClassName === router);
  if (ingresses.length === 0) return [...out, `no Ingress of class ${router}`];
  out.push(...listenerFindings(a, ingresses, originPort, String(originDomain)));
  const found = ingressFor(ingresses, host.host, request.path);
  if (found.unknown) return [...out, found.unknown];
  if (!found.match) {
    return [
      ...out,
      `no ${router} Ingress rule matches Host ${host.host} (${host.why}) and path ${request.path}: the load balancer answers 404`,
    ];
  }
  if (router === 'alb' && found.firstInOrder !== found.match) {
    out.push(
      `the ALB evaluates rules in order and takes ${found.firstInOrder?.path.path} before the longer ${found.match.path.path}`,
    );
  }
  out.push(...backendFindings(objects, found.match, workload));
  return out;
}

/** The load balancer listens on the port CloudFront connects to, with a certificate for the origin name. */
function listenerFindings(
  a: ScenarioArtifacts,
  ingresses: readonly K8sObject[],
  port: number,
  originDomain: string,
): string[] {
  const out: string[] = [];
  if (a.stage.options.router === 'alb') {
    for (const ingress of ingresses) {
      const ann = ingress.metadata.annotations ?? {};
      const listen = JSON.parse(ann['alb.ingress.kubernetes.io/listen-ports'] ?? '[{"HTTP":80}]') as Record<
        string,
        number
      >[];
      if (!listen.some((l) => l.HTTPS === port)) {
        out.push(
          `Ingress ${ingress.metadata.name} has no HTTPS listener on ${port}, where CloudFront connects`,
        );
      }
      // Without an explicit ARN the controller picks the ACM certificate by the rule hosts: the Edge
      // stack's certificate must name the origin.
      if (!ann['alb.ingress.kubernetes.io/certificate-arn'] && !certificateCovers(a, originDomain)) {
        out.push(`no ACM certificate of the Edge stack names ${originDomain} for the ALB listener`);
      }
    }
  } else {
    const tlsHosts = ingresses.flatMap((i) => (ingressSpec(i).tls ?? []).flatMap((t) => t.hosts ?? []));
    if (!tlsHosts.includes(originDomain))
      out.push(`no nginx Ingress has a TLS certificate for ${originDomain}`);
    if (port !== 443) out.push(`CloudFront connects on ${port}; ingress-nginx serves HTTPS on 443`);
  }
  return out;
}

function certificateCovers(a: ScenarioArtifacts, name: string): boolean {
  const edge = template(a, 'Edge') as TemplateWithMappings;
  return Object.values(edge.Resources)
    .filter((r) => r.Type === 'AWS::CertificateManager::Certificate')
    .some((r) =>
      [r.Properties?.DomainName, ...((r.Properties?.SubjectAlternativeNames as unknown[]) ?? [])].some(
        (n) => literal(edge, n, a.stage.region) === name,
      ),
    );
}

/**
 * The Ingress backend to the pods: the Services it names (for the ALB's `use-annotation`, the ones the
 * Rollout that owns the route writes into the action), their target port, the pods they select.
 */
function backendFindings(objects: readonly K8sObject[], m: IngressMatch, workload: Workload): string[] {
  const out: string[] = [];
  const backend = m.path.backend.service;
  let targets: { service: string; port: number | string }[];
  if (backend.port.name === 'use-annotation') {
    const rollout = objects.find((o) => {
      const alb = (
        o.spec as { strategy?: { canary?: { trafficRouting?: { alb?: Record<string, unknown> } } } }
      )?.strategy?.canary?.trafficRouting?.alb;
      return (
        o.kind === 'Rollout' && alb?.ingress === m.ingress.metadata.name && alb?.rootService === backend.name
      );
    });
    if (!rollout) return [`Ingress backend ${backend.name} uses an annotation action no Rollout writes`];
    const canary = (rollout.spec as { strategy: { canary: Record<string, unknown> } }).strategy.canary;
    const pingPong = canary.pingPong as { pingService: string; pongService: string } | undefined;
    const servicePort = (canary.trafficRouting as { alb: { servicePort: number } }).alb.servicePort;
    const names = pingPong
      ? [pingPong.pingService, pingPong.pongService]
      : [canary.stableService as string, canary.canaryService as string];
    targets = names.map((service) => ({ service, port: servicePort }));
  } else {
    targets = [{ service: backend.name, port: backend.port.number ?? (backend.port.name as string) }];
  }
  for (const t of targets) {
    const service = objects.find(
      (o) =>
        o.kind === 'Service' &&
        o.metadata.name === t.service &&
        o.metadata.namespace === m.ingress.metadata.namespace,
    );
    if (!service) {
      out.push(`Service ${t.service} does not exist`);
      continue;
    }
    const spec = service.spec as {
      selector?: Record<string, string>;
      ports: { name?: string; port: number; targetPort?: number | string }[];
    };
    const port = spec.ports.find((p) => (typeof t.port === 'number' ? p.port === t.port : p.name === t.port));
    if (!port) {
      out.push(`Service ${t.service} has no port ${t.port}`);
      continue;
    }
    const selected = podOwners(objects).filter(
      (o) =>
        o.owner.metadata.namespace === service.metadata.namespace &&
        selects(spec.selector, o.template.metadata?.labels),
    );
    const names = selected.map((o) => `${o.owner.kind} ${o.owner.metadata.name}`);
    if (selected.length !== 1 || selected[0]?.owner.metadata.name !== workload.name) {
      out.push(
        `Service ${t.service} selects [${names.join(', ')}], not the pods of workload ${workload.name}`,
      );
      continue;
    }
    const target = containerPort(selected[0].template, port.targetPort ?? port.port);
    if (!target) {
      out.push(
        `Service ${t.service} targets port ${port.targetPort}, which no container of ${names[0]} declares`,
      );
    } else if (target.port !== workload.port) {
      out.push(
        `Service ${t.service} reaches container ${target.container.name} on ${target.port}; workload ${workload.name} serves on ${workload.port}`,
      );
    }
  }
  return out;
}

/** A path the load balancer or the kubelet requests from a workload's server itself. */
export interface ProbeRequest {
  readonly workload: string;
  readonly port: number;
  readonly path: string;
  /** Who asks: `readinessProbe`, `livenessProbe`, `startupProbe` or `alb health check (Service …)`. */
  readonly source: string;
}

/**
 * Every probe of a workload's app container and every ALB target-group health check of its Services, with
 * the container port each resolves to. Findings for probes whose port no container declares.
 */
export function probeRequests(
  a: ScenarioArtifacts,
  workload: Workload,
): { requests: ProbeRequest[]; findings: string[] } {
  const objects = allManifests(a);
  const owner = podOwners(objects).find((o) => o.owner.metadata.name === workload.name);
  if (!owner)
    return { requests: [], findings: [`${a.scenario.name}: workload ${workload.name} has no pods`] };
  const container = mainContainer(owner.template, workload);
  if (!container) {
    return {
      requests: [],
      findings: [`${a.scenario.name}: no container of ${workload.name} serves port ${workload.port}`],
    };
  }
  const requests: ProbeRequest[] = [];
  const findings: string[] = [];
  for (const kind of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
    const probe = container[kind]?.httpGet;
    if (!probe) continue;
    const port = containerPort({ spec: { containers: [container] } }, probe.port);
    if (!port) {
      findings.push(
        `${a.scenario.name}: ${workload.name} ${kind} names port ${probe.port}, which the container does not declare`,
      );
      continue;
    }
    requests.push({ workload: workload.name, port: port.port, path: probe.path, source: kind });
  }
  if (a.stage.options.router === 'alb') {
    for (const service of objects.filter(
      (o) =>
        o.kind === 'Service' &&
        selects((o.spec as { selector?: Record<string, string> }).selector, owner.template.metadata?.labels),
    )) {
      const path = service.metadata.annotations?.['alb.ingress.kubernetes.io/healthcheck-path'];
      if (path) {
        requests.push({
          workload: workload.name,
          port: workload.port,
          path,
          source: `alb health check (Service ${service.metadata.name})`,
        });
      }
    }
  }
  return { requests, findings };
}
