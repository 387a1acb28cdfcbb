import { CANARY_HEADER, INGRESS_NAME, type Workload } from '@conduit/platform';
import type { IClusterIssuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer';
import type { Construct } from 'constructs';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { ADD_ON_CHARTS } from '../add-ons.js';
import { manifest, PART_OF } from '../constructs/object.js';
import type { NginxSettings } from '../settings.js';
import type { Router, RouteTarget } from './router.js';

/** Secret cert-manager writes the certificate of the public host into. */
export const TLS_SECRET = 'conduit-tls';
/** Labels and port of the pods cert-manager starts to answer an HTTP-01 challenge in the app namespace. */
const ACME_SOLVER = { podSelector: { 'acme.cert-manager.io/http01-solver': 'true' }, port: 8089 };
/** Labels the ingress-nginx chart gives its controller pods (the admission webhook job has others). */
export const CONTROLLER_POD_LABELS = {
  'app.kubernetes.io/name': 'ingress-nginx',
  'app.kubernetes.io/component': 'controller',
} as const;

/**
 * ingress-nginx (behind an NLB the AWS Load Balancer Controller makes, on AWS) with a certificate from
 * cert-manager. One Ingress per HTTP workload: Argo Rollouts clones each into a canary Ingress and sets its
 * weight; the canary header is an annotation of that clone, since NGINX has no managed routes.
 */
export function nginxRouter(r: NginxSettings): Router {
  const ingressName = (w: Workload) => `${INGRESS_NAME}-${w.name}`;
  return {
    addRoutes(scope: Construct, target: RouteTarget) {
      for (const workload of target.workloads.filter((w) => w.kind === 'http')) {
        manifest<IIngress>(scope, {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          metadata: {
            name: ingressName(workload),
            namespace: target.namespace,
            labels: { 'app.kubernetes.io/part-of': PART_OF },
            annotations: {
              'cert-manager.io/cluster-issuer': r.clusterIssuer,
              'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
            },
          },
          spec: {
            ingressClassName: 'nginx',
            tls: [{ hosts: [target.host], secretName: TLS_SECRET }],
            rules: [
              {
                host: target.host,
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
    },
    addPlatformObjects(scope: Construct) {
      // HTTP-01 through this controller: the host already resolves to it (external-dns), no DNS credentials.
      manifest<IClusterIssuer>(scope, {
        apiVersion: 'cert-manager.io/v1',
        kind: 'ClusterIssuer',
        metadata: { name: r.clusterIssuer, labels: { 'app.kubernetes.io/part-of': PART_OF } },
        spec: {
          acme: {
            server: r.acmeServer,
            privateKeySecretRef: { name: `${r.clusterIssuer}-account-key` },
            solvers: [{ http01: { ingress: { ingressClassName: 'nginx' } } }],
          },
        },
      });
    },
    services: (w: Workload) => [w.name, `${w.name}-canary`],
    serviceAnnotations: () => undefined,
    headerRouteStep: false,
    canaryRouting: (w: Workload) => ({
      stableService: w.name,
      canaryService: `${w.name}-canary`,
      trafficRouting: {
        nginx: {
          stableIngress: ingressName(w),
          additionalIngressAnnotations: {
            'canary-by-header': CANARY_HEADER.name,
            'canary-by-header-value': CANARY_HEADER.value,
          },
        },
      },
    }),
    // The controller pods alone: anything else in their namespace (admission jobs) has no business here.
    peers: () => [
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': r.controllerNamespace } },
        podSelector: { matchLabels: { ...CONTROLLER_POD_LABELS } },
      },
    ],
    namespaceLabels: () => ({}),
    addOns: ({ awsRegion }) => [
      {
        name: 'ingress-nginx',
        ...ADD_ON_CHARTS.ingressNginx,
        namespace: r.controllerNamespace,
        wave: 1,
        values: {
          controller: {
            replicaCount: 2,
            metrics: { enabled: true, serviceMonitor: { enabled: true } },
            // CloudFront appends the viewer to X-Forwarded-For and NGINX appends CloudFront: the client stays
            // two hops from the socket, as behind the ALB (the API's TRUST_PROXY_HOPS).
            config: { 'use-forwarded-headers': 'true', 'compute-full-forwarded-for': 'true' },
            ...(awsRegion
              ? {
                  // An NLB made by the AWS Load Balancer Controller, straight to the controller pods.
                  service: {
                    annotations: {
                      'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
                      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
                      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
                      // deploy/aws's group (HTTPS from CloudFront only, port 80 for ACME) instead of one open
                      // to the internet; the controller adds the rules that let the NLB reach the pods.
                      ...(r.loadBalancerSecurityGroup
                        ? {
                            'service.beta.kubernetes.io/aws-load-balancer-security-groups':
                              r.loadBalancerSecurityGroup,
                            'service.beta.kubernetes.io/aws-load-balancer-manage-backend-security-group-rules':
                              'true',
                          }
                        : {}),
                    },
                  },
                }
              : {}),
          },
        },
      },
      {
        name: 'cert-manager',
        ...ADD_ON_CHARTS.certManager,
        namespace: 'cert-manager',
        wave: 1,
        values: { crds: { enabled: true } },
      },
    ],
    rolloutsControllerArgs: () => [],
    // Argo Rollouts only changes the canary Ingress it owns, never the ones rendered here.
    ingressPathsRolloutsOwns: () => [],
    extraIngressPolicies: () => [{ name: 'acme-solver-ingress', ...ACME_SOLVER }],
  };
}
