import type { K8sObject } from './artifacts.js';

/**
 * The Kubernetes side of a request, read from the rendered manifests: the Ingress rule that matches a host
 * and path (as the Ingress spec defines host and pathType matching), the Services it names, and the pods
 * those Services select.
 */

export interface IngressBackend {
  readonly service: {
    readonly name: string;
    readonly port: { readonly name?: string; readonly number?: number };
  };
}
interface IngressPath {
  readonly path?: string;
  readonly pathType: 'Prefix' | 'Exact' | 'ImplementationSpecific';
  readonly backend: IngressBackend;
}
interface IngressSpec {
  readonly ingressClassName?: string;
  readonly rules?: { host?: string; http?: { paths: IngressPath[] } }[];
  readonly tls?: { hosts?: string[]; secretName?: string }[];
}

/** Whether a route prefix of the model covers a path, as a `Prefix` Ingress path would. */
export function routeCovers(route: string, path: string): boolean {
  return (
    pathMatches({ path: route, pathType: 'Prefix', backend: { service: { name: '', port: {} } } }, path) ===
    true
  );
}

export interface IngressMatch {
  readonly ingress: K8sObject;
  readonly path: IngressPath;
}

export function ingressSpec(o: K8sObject): IngressSpec {
  return o.spec as IngressSpec;
}

/** Host matching of an Ingress rule: exact, or a `*.` wildcard covering exactly one label. */
export function hostMatches(ruleHost: string | undefined, host: string): boolean {
  if (ruleHost === undefined) return true;
  if (ruleHost.startsWith('*.')) {
    const rest = host.split('.').slice(1).join('.');
    return host.includes('.') && rest === ruleHost.slice(2);
  }
  return ruleHost === host;
}

/**
 * Path matching of an Ingress path: `Exact` equal; `Prefix` element-wise on `/`-separated segments, with a
 * trailing slash ignored (`/api` matches `/api` and `/api/x`, not `/apix`). `ImplementationSpecific` is left
 * to the controller: this check refuses to guess (undefined).
 */
export function pathMatches(p: IngressPath, path: string): boolean | undefined {
  const want = p.path ?? '/';
  if (p.pathType === 'Exact') return want === path;
  if (p.pathType !== 'Prefix') return undefined;
  if (want === '/') return true;
  const prefix = want.replace(/\/+$/, '');
  return path === prefix || path.startsWith(`${prefix}/`);
}

/**
 * The Ingress path a request takes among the Ingresses of a class. Kubernetes' rule is the longest matching
 * path (Exact before Prefix at equal length); the ALB instead evaluates its rules in order, so for it the
 * first match in the rendered order is taken and `orderedFirst` says whether the two agree.
 */
export function ingressFor(
  ingresses: readonly K8sObject[],
  host: string,
  path: string,
): { match?: IngressMatch; firstInOrder?: IngressMatch; unknown?: string } {
  const candidates: IngressMatch[] = [];
  for (const ingress of ingresses) {
    for (const rule of ingressSpec(ingress).rules ?? []) {
      if (!hostMatches(rule.host, host)) continue;
      for (const p of rule.http?.paths ?? []) {
        const m = pathMatches(p, path);
        if (m === undefined)
          return { unknown: `Ingress ${ingress.metadata.name} path ${p.path} has pathType ${p.pathType}` };
        if (m) candidates.push({ ingress, path: p });
      }
    }
  }
  const score = (m: IngressMatch) => (m.path.path ?? '/').length * 2 + (m.path.pathType === 'Exact' ? 1 : 0);
  const match = [...candidates].sort((a, b) => score(b) - score(a))[0];
  return { ...(match ? { match } : {}), ...(candidates[0] ? { firstInOrder: candidates[0] } : {}) };
}

export interface PodTemplate {
  readonly metadata?: { labels?: Record<string, string> };
  readonly spec: { containers: Container[] };
}
export interface Container {
  readonly name: string;
  readonly ports?: { name?: string; containerPort: number }[];
  readonly env?: { name: string; value?: string }[];
  readonly envFrom?: { configMapRef?: { name: string } }[];
  readonly readinessProbe?: Probe;
  readonly livenessProbe?: Probe;
  readonly startupProbe?: Probe;
}
export interface Probe {
  readonly httpGet?: { path: string; port: number | string };
}

/** Objects that own pods: the Rollouts and Deployments, with their pod template. */
export function podOwners(objects: readonly K8sObject[]): { owner: K8sObject; template: PodTemplate }[] {
  return objects
    .filter((o) => ['Rollout', 'Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind))
    .map((owner) => ({ owner, template: (owner.spec as { template: PodTemplate }).template }));
}

export function selects(selector: Record<string, string> | undefined, labels: Record<string, string> = {}) {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** A Service port's target as a container port of one container (named or numbered). */
export function containerPort(
  template: PodTemplate,
  target: number | string,
): { container: Container; port: number } | undefined {
  for (const container of template.spec.containers) {
    for (const p of container.ports ?? []) {
      if (typeof target === 'number' ? p.containerPort === target : p.name === target) {
        return { container, port: p.containerPort };
      }
    }
  }
  return undefined;
}

/** The value a container's environment gives a setting (its own `env`, then its ConfigMaps). */
export function containerSetting(
  container: Container,
  objects: readonly K8sObject[],
  name: string,
): string | undefined {
  const own = container.env?.find((e) => e.name === name)?.value;
  if (own !== undefined) return own;
  for (const from of container.envFrom ?? []) {
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === from.configMapRef?.name);
    const value = (cm?.data as Record<string, string> | undefined)?.[name];
    if (value !== undefined) return value;
  }
  return undefined;
}
