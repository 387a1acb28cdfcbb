import { INGRESS_NAME, type Workload } from '@conduit/platform';
import type { IVirtualService } from '@kubernetes-models/istio/networking.istio.io/v1beta1/VirtualService';
import { Construct } from 'constructs';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { RenderSettings } from '../settings.js';
import { manifest, PART_OF } from './object.js';

export interface PublicRoute {
  /** The HTTP service the path goes to (its root Service is named after it). */
  readonly workload: string;
  readonly path: string;
  readonly port: number;
  /** Name of the route in a VirtualService: the workload's name, suffixed for its second path on. */
  readonly name: string;
}

/** The names of a workload's routes in a VirtualService (Argo Rollouts sets the weights of these). */
export function routeNames(workload: Workload): string[] {
  return workload.routes.map((_, i) => (i === 0 ? workload.name : `${workload.name}-${i}`));
}

/**
 * Paths of the public entry point, most specific first (the ALB and Istio match in order): every route of
 * every HTTP service of the stage.
 */
export function routesOf(stage: RenderSettings): PublicRoute[] {
  return stage.workloads
    .flatMap(({ workload }) =>
      workload.routes.map((path, i) => ({
        workload: workload.name,
        path,
        port: workload.port,
        name: routeNames(workload)[i]!,
      })),
    )
    .sort((a, b) => b.path.length - a.path.length);
}

/** The public entry point for the stage's router. */
export class Traffic extends Construct {
  constructor(scope: Construct, id: string, stage: RenderSettings) {
    super(scope, id);
    const ns = stage.namespace;
    const labels = { 'app.kubernetes.io/part-of': PART_OF };
    const router = stage.router;
    const routes = routesOf(stage);
    switch (router.kind) {
      case 'alb':
        manifest<IIngress>(this, {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          metadata: {
            name: INGRESS_NAME,
            namespace: ns,
            labels,
            annotations: {
              'alb.ingress.kubernetes.io/scheme': 'internet-facing',
              'alb.ingress.kubernetes.io/target-type': 'ip',
              'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP":80},{"HTTPS":443}]',
              'alb.ingress.kubernetes.io/ssl-redirect': '443',
              ...(router.certificateArn
                ? { 'alb.ingress.kubernetes.io/certificate-arn': router.certificateArn }
                : {}),
              'alb.ingress.kubernetes.io/ssl-policy':
                router.sslPolicy ?? 'ELBSecurityPolicy-TLS13-1-2-2021-06',
              'alb.ingress.kubernetes.io/healthcheck-path': '/readyz',
              'alb.ingress.kubernetes.io/target-group-attributes': `deregistration_delay.timeout_seconds=${router.deregistrationDelaySeconds}`,
              'alb.ingress.kubernetes.io/load-balancer-attributes':
                'routing.http.drop_invalid_header_fields.enabled=true',
            },
          },
          spec: {
            ingressClassName: 'alb',
            rules: [
              {
                host: stage.host,
                http: {
                  // `use-annotation`: Argo Rollouts writes the weighted forward action named after the root Service.
                  paths: routes.map((r) => ({
                    path: r.path,
                    pathType: 'Prefix',
                    backend: { service: { name: r.workload, port: { name: 'use-annotation' } } },
                  })),
                },
              },
            ],
          },
        });
        return;
      case 'nginx':
        // One Ingress per HTTP service: Argo Rollouts clones each `stableIngress` into a canary Ingress.
        for (const { workload } of stage.workloads.filter((w) => w.workload.kind === 'http')) {
          manifest<IIngress>(this, {
            apiVersion: 'networking.k8s.io/v1',
            kind: 'Ingress',
            metadata: {
              name: `${INGRESS_NAME}-${workload.name}`,
              namespace: ns,
              labels,
              annotations: {
                'cert-manager.io/cluster-issuer': router.clusterIssuer,
                'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
              },
            },
            spec: {
              ingressClassName: 'nginx',
              tls: [{ hosts: [stage.host], secretName: 'conduit-tls' }],
              rules: [
                {
                  host: stage.host,
                  http: {
                    paths: workload.routes.map((path) => ({
                      path,
                      pathType: 'Prefix',
                      backend: { service: { name: workload.name, port: { number: workload.port } } },
                    })),
                  },
                },
              ],
            },
          });
        }
        return;
      case 'istio':
        // One VirtualService, so the `/api` route is always matched before `/` (merged ones have no order).
        manifest<IVirtualService>(this, {
          apiVersion: 'networking.istio.io/v1beta1',
          kind: 'VirtualService',
          metadata: { name: INGRESS_NAME, namespace: ns, labels },
          spec: {
            hosts: [stage.host],
            gateways: [router.gateway],
            http: routes.map((r) => ({
              name: r.name,
              match: [{ uri: { prefix: r.path } }],
              route: [
                { destination: { host: r.workload, port: { number: r.port } }, weight: 100 },
                { destination: { host: `${r.workload}-canary`, port: { number: r.port } }, weight: 0 },
              ],
            })),
          },
        });
        return;
    }
  }
}
