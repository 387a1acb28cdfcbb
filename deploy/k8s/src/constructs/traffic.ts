import type { IVirtualService } from '@kubernetes-models/istio/networking.istio.io/v1beta1/VirtualService';
import { Construct } from 'constructs';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { StageSettings } from '../settings.js';
import { ALB_INGRESS } from './canary-workload.js';
import { manifest, PART_OF } from './object.js';

export interface Route {
  readonly tier: 'api' | 'web';
  readonly path: string;
  readonly port: number;
}

/** Paths of the public entry point, most specific first: `/api` to the API, everything else to the SPA. */
export const ROUTES: readonly Route[] = [
  { tier: 'api', path: '/api', port: 3000 },
  { tier: 'web', path: '/', port: 8080 },
];

/** The public entry point for the stage's router. */
export class Traffic extends Construct {
  constructor(scope: Construct, id: string, stage: StageSettings) {
    super(scope, id);
    const ns = stage.namespace;
    const labels = { 'app.kubernetes.io/part-of': PART_OF };
    const router = stage.router;
    switch (router.kind) {
      case 'alb':
        manifest<IIngress>(this, {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          metadata: {
            name: ALB_INGRESS,
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
                  paths: ROUTES.map((r) => ({
                    path: r.path,
                    pathType: 'Prefix',
                    backend: { service: { name: r.tier, port: { name: 'use-annotation' } } },
                  })),
                },
              },
            ],
          },
        });
        return;
      case 'nginx':
        // One Ingress per tier: Argo Rollouts clones each `stableIngress` into a canary Ingress.
        for (const r of ROUTES) {
          manifest<IIngress>(this, {
            apiVersion: 'networking.k8s.io/v1',
            kind: 'Ingress',
            metadata: {
              name: `conduit-${r.tier}`,
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
                    paths: [
                      {
                        path: r.path,
                        pathType: 'Prefix',
                        backend: { service: { name: r.tier, port: { number: r.port } } },
                      },
                    ],
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
          metadata: { name: 'conduit', namespace: ns, labels },
          spec: {
            hosts: [stage.host],
            gateways: [router.gateway],
            http: ROUTES.map((r) => ({
              name: r.tier,
              match: [{ uri: { prefix: r.path } }],
              route: [
                { destination: { host: r.tier, port: { number: r.port } }, weight: 100 },
                { destination: { host: `${r.tier}-canary`, port: { number: r.port } }, weight: 0 },
              ],
            })),
          },
        });
        return;
    }
  }
}
