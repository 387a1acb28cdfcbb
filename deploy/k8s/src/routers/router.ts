import type { Workload } from '@conduit/platform';
import type { IRollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import type { Construct } from 'constructs';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import type { AddOn } from '../constructs/argocd.js';

/** Name of the managed route Argo Rollouts adds for the platform's `CANARY_HEADER`. */
export const HEADER_ROUTE = 'canary-header';

export type CanaryStrategy = NonNullable<NonNullable<IRollout['spec']['strategy']>['canary']>;

/** The part of a Rollout's canary strategy that is the router's: which Services, how weights are applied. */
export type CanaryRouting = Pick<
  CanaryStrategy,
  'pingPong' | 'stableService' | 'canaryService' | 'trafficRouting'
>;

/** What the routes are written for: the app namespace, its public host and the workloads (HTTP ones get routes). */
export interface RouteTarget {
  readonly namespace: string;
  readonly host: string;
  readonly workloads: readonly Workload[];
}

/** The cluster the router's add-ons and the Argo Rollouts controller run in. */
export interface RouterCluster {
  /**
   * Region of the cluster's AWS account: the router's AWS integrations (the NLB's annotations, the target
   * group verification of Argo Rollouts) use it.
   * @default none: a cluster without AWS
   */
  readonly awsRegion?: string;
}

/**
 * Everything that differs between routers, in one module per router (`alb.ts`, `nginx.ts`); constructs ask
 * the stage's router (`routerOf`) and never branch on its kind.
 */
export interface Router {
  /** The public entry point: Ingress objects for the stage's HTTP workloads (conduit chart). */
  addRoutes(scope: Construct, target: RouteTarget): void;
  /** Objects the routes need before the app syncs (platform chart): e.g. a certificate issuer. */
  addPlatformObjects(scope: Construct): void;
  /** Names of an HTTP workload's traffic Services; the first is the root/stable one. */
  services(workload: Workload): string[];
  /** Annotations of each traffic Service (health checks of the load balancer). */
  serviceAnnotations(workload: Workload): Record<string, string> | undefined;
  /** Whether the canary gets a `setHeaderRoute` step (routers with managed routes). */
  readonly headerRouteStep: boolean;
  /** The Services and `trafficRouting` of an HTTP workload's canary. */
  canaryRouting(workload: Workload): CanaryRouting;
  /** Who connects to the HTTP workloads' ports (their ingress network policy admits exactly these). */
  peers(): INetworkPolicyPeer[];
  /** Labels the app namespace needs. */
  namespaceLabels(): Record<string, string>;
  /** Cluster add-ons the router needs, and extra arguments for the Argo Rollouts controller. */
  addOns(cluster: RouterCluster): AddOn[];
  rolloutsControllerArgs(cluster: RouterCluster): string[];
  /** jq paths of Ingress fields Argo Rollouts rewrites at run time (Argo CD must not undo them). */
  ingressPathsRolloutsOwns(workloads: readonly string[]): string[];
  /** Extra ingress rules of the app namespace (e.g. the ACME solver pods). */
  extraIngressPolicies(): { name: string; podSelector: Record<string, string>; port: number }[];
}
