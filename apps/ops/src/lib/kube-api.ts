/**
 * The slice of the Kubernetes API the CLI uses. Commands depend on this interface only, so tests pass a
 * fake and the real adapter (kube-client.ts) stays a thin mapping onto @kubernetes/client-node.
 */

export interface PauseCondition {
  readonly reason: string;
  readonly startTime?: string;
}

/** The fields of an argoproj.io/v1alpha1 Rollout that the CLI reads. */
export interface Rollout {
  readonly metadata: { readonly name: string; readonly annotations?: Record<string, string> };
  readonly spec: {
    readonly replicas?: number;
    readonly paused?: boolean;
    readonly strategy?: {
      readonly canary?: { readonly steps?: readonly unknown[] };
      readonly blueGreen?: unknown;
    };
    readonly template?: { readonly spec?: { readonly containers?: readonly { readonly image?: string }[] } };
  };
  readonly status?: {
    readonly phase?: string;
    readonly message?: string;
    readonly abort?: boolean;
    readonly currentStepIndex?: number;
    readonly pauseConditions?: readonly PauseCondition[] | null;
    readonly replicas?: number;
    readonly readyReplicas?: number;
    readonly stableRS?: string;
    readonly currentPodHash?: string;
  };
}

/** The fields of an apps/v1 Deployment (a worker) that the CLI reads. */
export interface Deployment {
  readonly metadata: { readonly name: string; readonly annotations?: Record<string, string> };
  readonly spec: {
    readonly replicas?: number;
    readonly template?: { readonly spec?: { readonly containers?: readonly { readonly image?: string }[] } };
  };
  readonly status?: {
    readonly replicas?: number;
    readonly readyReplicas?: number;
    readonly updatedReplicas?: number;
  };
}

export interface Hpa {
  readonly name: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly currentReplicas: number;
  readonly desiredReplicas: number;
}

export interface Pdb {
  readonly name: string;
  readonly disruptionsAllowed: number;
}

export interface PodSummary {
  readonly name: string;
  readonly ready: boolean;
}

export interface IngressSummary {
  readonly name: string;
  readonly address: string | null;
}

export interface JobSummary {
  readonly name: string;
  readonly succeeded: number;
  readonly failed: number;
  readonly active: number;
}

/** A Karpenter NodePool (karpenter.sh/v1): its CPU limit caps the capacity it may launch. */
export interface NodePool {
  readonly name: string;
  readonly cpuLimit: string | number | null;
  readonly annotations: Record<string, string>;
}

/** A namespaced object, for the cluster-wide lists teardown works through. */
export interface ObjectRef {
  readonly namespace: string;
  readonly name: string;
}

/** An Argo CD Application (argoproj.io/v1alpha1): what teardown must switch off before deleting anything. */
export interface Application {
  readonly name: string;
  /** `spec.syncPolicy.automated` is set: Argo CD re-creates what is deleted (self-heal) or prunes. */
  readonly automated: boolean;
  /** `spec.syncPolicy.automated.selfHeal`: Argo CD puts back whatever differs from Git, within seconds. */
  readonly selfHeal: boolean;
  readonly finalizers: readonly string[];
}

/** A JSON merge patch (RFC 7386): `null` deletes a field. */
export type MergePatch = Record<string, unknown>;

export interface KubeApi {
  /** Name of the kube context in use, for messages. */
  readonly context: string;
  getRollout(namespace: string, name: string): Promise<Rollout>;
  /** Merge-patches a Rollout, or its status subresource when `subresource` is 'status'. */
  patchRollout(namespace: string, name: string, patch: MergePatch, subresource?: 'status'): Promise<void>;
  getDeployment(namespace: string, name: string): Promise<Deployment>;
  patchDeployment(namespace: string, name: string, patch: MergePatch): Promise<void>;
  getHpa(namespace: string, name: string): Promise<Hpa>;
  patchHpa(namespace: string, name: string, patch: MergePatch): Promise<void>;
  getPdb(namespace: string, name: string): Promise<Pdb>;
  listPods(namespace: string, labelSelector: string): Promise<PodSummary[]>;
  listIngresses(namespace: string): Promise<IngressSummary[]>;
  /**
   * The Job spec that deploy/k8s rendered under `name` (a Job, or a suspended CronJob's jobTemplate), with
   * the controller-generated selector and labels removed so it can be created again under a new name.
   */
  getJobSpec(namespace: string, name: string): Promise<Record<string, unknown>>;
  createJob(namespace: string, name: string, spec: Record<string, unknown>): Promise<void>;
  getJob(namespace: string, name: string): Promise<JobSummary>;
  /** Karpenter NodePools; empty when Karpenter is not installed. */
  listNodePools(): Promise<NodePool[]>;
  patchNodePool(name: string, patch: MergePatch): Promise<void>;
  /** Names of Karpenter NodeClaims (one per launched node). */
  listNodeClaims(): Promise<string[]>;
  /** Karpenter drains the node and terminates its instance before the NodeClaim disappears. */
  deleteNodeClaim(name: string): Promise<void>;
  /** Karpenter deletes the pool's NodeClaims (and so its instances) with it. */
  deleteNodePool(name: string): Promise<void>;
  /** Argo CD Applications in `namespace`; empty when Argo CD is not installed. */
  listApplications(namespace: string): Promise<Application[]>;
  patchApplication(namespace: string, name: string, patch: MergePatch): Promise<void>;
  deleteApplication(namespace: string, name: string): Promise<void>;
  /** Ingresses of every namespace. */
  listAllIngresses(): Promise<ObjectRef[]>;
  deleteIngress(namespace: string, name: string): Promise<void>;
  /** Services of type LoadBalancer in every namespace (each one is an NLB the controller made). */
  listLoadBalancerServices(): Promise<ObjectRef[]>;
  deleteService(namespace: string, name: string): Promise<void>;
}

/** Thrown by adapters when the object does not exist; promote/abort/retry fall back like the plugin. */
export class NotFoundError extends Error {
  constructor(what: string) {
    super(`${what} not found`);
    this.name = 'NotFoundError';
  }
}
