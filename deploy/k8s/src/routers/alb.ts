import { INGRESS_NAME, type Workload } from '@conduit/platform';
import type { Construct } from 'constructs';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { manifest, PART_OF } from '../constructs/object.js';
import type { AlbSettings } from '../settings.js';
import { HEADER_ROUTE, type Router, type RouteTarget } from './router.js';

/** Flag that makes Argo Rollouts wait until the ALB target group holds the new pods before shifting. */
export const VERIFY_TARGET_GROUP_FLAG = '--aws-verify-target-group';
export const READINESS_GATE_LABEL = 'elbv2.k8s.aws/pod-readiness-gate-inject';
export const DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/**
 * The AWS Load Balancer Controller's ALB (target type ip). Canary weights are forward actions on one Ingress;
 * each HTTP workload has ping/pong Services whose selectors Argo Rollouts swaps, so the final promotion never
 * sends traffic to a target group that is still registering.
 */
export function albRouter(r: AlbSettings): Router {
  return {
    addRoutes(scope: Construct, target: RouteTarget) {
      // Most specific path first: the ALB matches rules in order.
      const routes = target.workloads
        .flatMap((workload) => workload.routes.map((path) => ({ workload: workload.name, path })))
        .sort((a, b) => b.path.length - a.path.length);
      manifest<IIngress>(scope, {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: {
          name: INGRESS_NAME,
          namespace: target.namespace,
          labels: { 'app.kubernetes.io/part-of': PART_OF },
          annotations: {
            'alb.ingress.kubernetes.io/scheme': 'internet-facing',
            'alb.ingress.kubernetes.io/target-type': 'ip',
            // HTTPS only: CloudFront is the only client (https-only origin), and the security group below
            // admits it on 443 alone.
            'alb.ingress.kubernetes.io/listen-ports': '[{"HTTPS":443}]',
            // deploy/aws's group (by its Name tag) instead of one the controller opens to 0.0.0.0/0; the
            // controller then adds its own backend group and the rules that let the ALB reach the pods.
            'alb.ingress.kubernetes.io/security-groups': r.securityGroup,
            'alb.ingress.kubernetes.io/manage-backend-security-group-rules': 'true',
            ...(r.certificateArn ? { 'alb.ingress.kubernetes.io/certificate-arn': r.certificateArn } : {}),
            'alb.ingress.kubernetes.io/ssl-policy': r.sslPolicy ?? DEFAULT_SSL_POLICY,
            'alb.ingress.kubernetes.io/healthcheck-path': '/readyz',
            'alb.ingress.kubernetes.io/target-group-attributes': `deregistration_delay.timeout_seconds=${r.deregistrationDelaySeconds}`,
            'alb.ingress.kubernetes.io/load-balancer-attributes':
              'routing.http.drop_invalid_header_fields.enabled=true',
          },
        },
        spec: {
          ingressClassName: 'alb',
          rules: [
            {
              host: target.host,
              http: {
                // `use-annotation`: Argo Rollouts writes the weighted forward action named after the root Service.
                paths: routes.map((route) => ({
                  path: route.path,
                  pathType: 'Prefix',
                  backend: { service: { name: route.workload, port: { name: 'use-annotation' } } },
                })),
              },
            },
          ],
        },
      });
    },
    addPlatformObjects() {},
    services: (w: Workload) => [w.name, `${w.name}-ping`, `${w.name}-pong`],
    serviceAnnotations: (w: Workload) => ({
      'alb.ingress.kubernetes.io/healthcheck-path': w.probes.readiness,
      'alb.ingress.kubernetes.io/healthcheck-interval-seconds': '5',
      'alb.ingress.kubernetes.io/healthcheck-timeout-seconds': '2',
      'alb.ingress.kubernetes.io/healthy-threshold-count': '2',
      'alb.ingress.kubernetes.io/unhealthy-threshold-count': '2',
      'alb.ingress.kubernetes.io/target-group-attributes': `deregistration_delay.timeout_seconds=${r.deregistrationDelaySeconds}`,
    }),
    headerRouteStep: true,
    canaryRouting: (w: Workload) => ({
      pingPong: { pingService: `${w.name}-ping`, pongService: `${w.name}-pong` },
      trafficRouting: {
        managedRoutes: [{ name: HEADER_ROUTE }],
        alb: { ingress: INGRESS_NAME, servicePort: w.port, rootService: w.name },
      },
    }),
    // Target type `ip`: the ALB's nodes connect from their ENIs inside the VPC.
    peers: () => r.sourceCidrs.map((cidr) => ({ ipBlock: { cidr } })),
    // Without the gate a pod counts as ready before the ALB sends it health checks, so a rollout can
    // remove the last healthy targets while the new ones are still `initial`.
    namespaceLabels: () => ({ [READINESS_GATE_LABEL]: 'enabled' }),
    addOns: () => [],
    // Verification needs elasticloadbalancing:Describe* for the controller (Pod Identity, deploy/aws).
    rolloutsControllerArgs: ({ awsRegion }) =>
      awsRegion ? [VERIFY_TARGET_GROUP_FLAG, `--aws-region=${awsRegion}`] : [],
    ingressPathsRolloutsOwns: (workloads) =>
      workloads.flatMap((t) => [
        `.metadata.annotations["alb.ingress.kubernetes.io/actions.${t}"]`,
        `.metadata.annotations["alb.ingress.kubernetes.io/conditions.${t}"]`,
      ]),
    extraIngressPolicies: () => [],
  };
}
