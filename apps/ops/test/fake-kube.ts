import type {
  Application,
  Deployment,
  Hpa,
  IngressSummary,
  JobSummary,
  KubeApi,
  MergePatch,
  NodePool,
  ObjectRef,
  Pdb,
  PodSummary,
  Rollout,
} from '../src/lib/kube-api.js';
import { NotFoundError } from '../src/lib/kube-api.js';

/** RFC 7386 merge patch, as the API server applies it. */
export function mergePatch<T>(target: T, patch: MergePatch): T {
  const out: Record<string, unknown> = { ...(target as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (typeof value === 'object' && !Array.isArray(value)) {
      out[key] = mergePatch((out[key] ?? {}) as Record<string, unknown>, value as MergePatch);
    } else out[key] = value;
  }
  return out as T;
}

export interface KubeCall {
  readonly op: string;
  readonly name: string;
  readonly patch?: MergePatch;
  readonly subresource?: 'status';
}

export function canaryRollout(name: string, overrides: MergePatch = {}): Rollout {
  return mergePatch<Rollout>(
    {
      metadata: { name },
      spec: {
        replicas: 3,
        strategy: {
          canary: {
            steps: [{ setWeight: 10 }, { pause: {} }, { setWeight: 50 }, { pause: { duration: '5m' } }],
          },
        },
        template: { spec: { containers: [{ image: `ghcr.io/example/conduit-${name}:1.4.0` }] } },
      },
      status: {
        phase: 'Healthy',
        currentStepIndex: 4,
        replicas: 3,
        readyReplicas: 3,
        stableRS: 'abc',
        currentPodHash: 'abc',
      },
    },
    overrides,
  );
}

/**
 * A fake of the Kubernetes API (in memory): applies merge patches like the API server and records every
 * call, so tests assert both the requests and the resulting objects.
 */
export class FakeKube implements KubeApi {
  readonly context = 'arn:aws:eks:eu-west-1:123456789012:cluster/conduit-dev';
  readonly calls: KubeCall[] = [];
  readonly rollouts = new Map<string, Rollout>([
    ['api', canaryRollout('api')],
    ['web', canaryRollout('web')],
  ]);
  /** Workers: the model's notifier as dev runs it; tests add fixture workloads. */
  readonly deployments = new Map<string, Deployment>([
    [
      'notifier',
      {
        metadata: { name: 'notifier' },
        spec: {
          replicas: 2,
          template: { spec: { containers: [{ image: 'ghcr.io/example/conduit-notifier:1.4.0' }] } },
        },
        status: { replicas: 2, readyReplicas: 2, updatedReplicas: 2 },
      },
    ],
  ]);
  readonly hpas = new Map<string, Hpa>([
    ['api', { name: 'api', minReplicas: 2, maxReplicas: 10, currentReplicas: 3, desiredReplicas: 3 }],
    ['web', { name: 'web', minReplicas: 2, maxReplicas: 6, currentReplicas: 2, desiredReplicas: 2 }],
    [
      'notifier',
      { name: 'notifier', minReplicas: 2, maxReplicas: 3, currentReplicas: 2, desiredReplicas: 2 },
    ],
  ]);
  readonly pdbs = new Map<string, Pdb>([
    ['api', { name: 'api', disruptionsAllowed: 1 }],
    ['web', { name: 'web', disruptionsAllowed: 1 }],
    ['notifier', { name: 'notifier', disruptionsAllowed: 1 }],
  ]);
  pods: Record<string, PodSummary[]> = {
    api: [
      { name: 'api-1', ready: true },
      { name: 'api-2', ready: true },
      { name: 'api-3', ready: false },
    ],
    web: [
      { name: 'web-1', ready: true },
      { name: 'web-2', ready: true },
    ],
    notifier: [
      { name: 'notifier-1', ready: true },
      { name: 'notifier-2', ready: true },
    ],
  };
  ingresses: IngressSummary[] = [
    { name: 'conduit', address: 'k8s-conduit-1234.eu-west-1.elb.amazonaws.com' },
  ];
  readonly jobSpecs = new Map<string, Record<string, unknown>>();
  readonly jobs = new Map<string, JobSummary>();
  /** Rollouts v0.9 had no status subresource; the plugin then patches the main resource. */
  statusSubresource = true;
  /** What a created Job reports after the first poll. */
  jobOutcome: 'succeeded' | 'failed' = 'succeeded';

  nodePools: NodePool[] = [{ name: 'default', cpuLimit: 16, annotations: {} }];
  nodeClaims: string[] = ['default-abcde', 'default-fghij'];
  /** Argo CD Applications in the argocd namespace, as deploy/k8s renders them: automated, cascading. */
  applications: Application[] = [];
  /** Ingresses live in `ingresses` (namespace conduit); LoadBalancer Services here. */
  loadBalancerServices: ObjectRef[] = [];
  /**
   * Like the AWS Load Balancer Controller's finalizers (`ingress.k8s.aws/resources`,
   * `service.k8s.aws/resources`): a deleted Ingress or Service stays listed, terminating (`ingress ns/name`,
   * `service ns/name` here), until the controller has deleted its load balancer.
   */
  loadBalancerFinalizers = false;
  readonly terminating = new Set<string>();

  get mutations(): KubeCall[] {
    return this.calls.filter((c) => /^(patch|create|delete)/.test(c.op));
  }

  async getRollout(namespace: string, name: string): Promise<Rollout> {
    this.calls.push({ op: 'getRollout', name });
    const ro = namespace === 'conduit' ? this.rollouts.get(name) : undefined;
    if (!ro) throw new NotFoundError(`rollout ${namespace}/${name}`);
    return ro;
  }

  async patchRollout(
    namespace: string,
    name: string,
    patch: MergePatch,
    subresource?: 'status',
  ): Promise<void> {
    this.calls.push({ op: 'patchRollout', name, patch, ...(subresource ? { subresource } : {}) });
    const ro = await this.getRollout(namespace, name);
    this.calls.pop();
    if (subresource === 'status' && !this.statusSubresource)
      throw new NotFoundError(`rollout ${namespace}/${name}/status`);
    if (subresource === 'status' && Object.keys(patch).some((k) => k !== 'status')) {
      throw new Error('the status subresource ignores everything but status');
    }
    this.rollouts.set(name, mergePatch(ro, patch));
  }

  async getDeployment(namespace: string, name: string): Promise<Deployment> {
    this.calls.push({ op: 'getDeployment', name });
    const deployment = namespace === 'conduit' ? this.deployments.get(name) : undefined;
    if (!deployment) throw new NotFoundError(`deployment ${namespace}/${name}`);
    return deployment;
  }

  async patchDeployment(namespace: string, name: string, patch: MergePatch): Promise<void> {
    this.calls.push({ op: 'patchDeployment', name, patch });
    const deployment = await this.getDeployment(namespace, name);
    this.calls.pop();
    this.deployments.set(name, mergePatch(deployment, patch));
  }

  async getHpa(_namespace: string, name: string): Promise<Hpa> {
    this.calls.push({ op: 'getHpa', name });
    const hpa = this.hpas.get(name);
    if (!hpa) throw new NotFoundError(`hpa ${name}`);
    return hpa;
  }

  async patchHpa(namespace: string, name: string, patch: MergePatch): Promise<void> {
    this.calls.push({ op: 'patchHpa', name, patch });
    const hpa = await this.getHpa(namespace, name);
    this.calls.pop();
    const spec = (patch.spec ?? {}) as Partial<Hpa>;
    this.hpas.set(name, { ...hpa, ...spec });
  }

  async getPdb(_namespace: string, name: string): Promise<Pdb> {
    this.calls.push({ op: 'getPdb', name });
    const pdb = this.pdbs.get(name);
    if (!pdb) throw new NotFoundError(`pdb ${name}`);
    return pdb;
  }

  async listPods(_namespace: string, labelSelector: string): Promise<PodSummary[]> {
    this.calls.push({ op: 'listPods', name: labelSelector });
    const workload = /app\.kubernetes\.io\/name=(\w+)/.exec(labelSelector)?.[1] ?? '';
    return this.pods[workload] ?? [];
  }

  async listIngresses(): Promise<IngressSummary[]> {
    this.calls.push({ op: 'listIngresses', name: '' });
    return this.ingresses;
  }

  async getJobSpec(_namespace: string, name: string): Promise<Record<string, unknown>> {
    this.calls.push({ op: 'getJobSpec', name });
    const spec = this.jobSpecs.get(name);
    if (!spec) throw new NotFoundError(`job or cronjob conduit/${name}`);
    return spec;
  }

  async createJob(_namespace: string, name: string, spec: Record<string, unknown>): Promise<void> {
    this.calls.push({ op: 'createJob', name, patch: spec });
    this.jobs.set(name, { name, succeeded: 0, failed: 0, active: 1 });
  }

  async listNodePools(): Promise<NodePool[]> {
    this.calls.push({ op: 'listNodePools', name: '' });
    return this.nodePools;
  }

  async patchNodePool(name: string, patch: MergePatch): Promise<void> {
    this.calls.push({ op: 'patchNodePool', name, patch });
    this.nodePools = this.nodePools.map((np) => {
      if (np.name !== name) return np;
      const merged = mergePatch(
        { metadata: { annotations: np.annotations }, spec: { limits: { cpu: np.cpuLimit } } },
        patch,
      );
      return { name, cpuLimit: merged.spec.limits.cpu, annotations: merged.metadata.annotations ?? {} };
    });
  }

  async listNodeClaims(): Promise<string[]> {
    this.calls.push({ op: 'listNodeClaims', name: '' });
    return this.nodeClaims;
  }

  /** Like Karpenter, the claim is gone only after a later look: its node drains first. */
  async deleteNodeClaim(name: string): Promise<void> {
    this.calls.push({ op: 'deleteNodeClaim', name });
    this.nodeClaims = this.nodeClaims.filter((n) => n !== name);
  }

  async deleteNodePool(name: string): Promise<void> {
    this.calls.push({ op: 'deleteNodePool', name });
    this.nodePools = this.nodePools.filter((np) => np.name !== name);
  }

  async listApplications(_namespace: string): Promise<Application[]> {
    this.calls.push({ op: 'listApplications', name: '' });
    return this.applications;
  }

  async patchApplication(namespace: string, name: string, patch: MergePatch): Promise<void> {
    this.calls.push({ op: 'patchApplication', name, patch });
    const app = this.applications.find((a) => a.name === name);
    if (!app) throw new NotFoundError(`application ${namespace}/${name}`);
    const merged = mergePatch(
      {
        metadata: { finalizers: app.finalizers },
        spec: { syncPolicy: app.automated ? { automated: { prune: true, selfHeal: app.selfHeal } } : {} },
      },
      patch,
    ) as {
      metadata: { finalizers?: string[] };
      spec: { syncPolicy?: { automated?: { selfHeal?: boolean } | null } };
    };
    this.applications = this.applications.map((a) =>
      a.name === name
        ? {
            name,
            automated: Boolean(merged.spec.syncPolicy?.automated),
            selfHeal: merged.spec.syncPolicy?.automated?.selfHeal === true,
            finalizers: merged.metadata.finalizers ?? [],
          }
        : a,
    );
  }

  async deleteApplication(namespace: string, name: string): Promise<void> {
    this.calls.push({ op: 'deleteApplication', name });
    const app = this.applications.find((a) => a.name === name);
    if (!app) throw new NotFoundError(`application ${namespace}/${name}`);
    this.applications = this.applications.filter((a) => a.name !== name);
  }

  async listAllIngresses(): Promise<ObjectRef[]> {
    this.calls.push({ op: 'listAllIngresses', name: '' });
    return this.ingresses.map((i) => ({ namespace: 'conduit', name: i.name }));
  }

  async deleteIngress(namespace: string, name: string): Promise<void> {
    this.calls.push({ op: 'deleteIngress', name: `${namespace}/${name}` });
    if (this.loadBalancerFinalizers) this.terminating.add(`ingress ${namespace}/${name}`);
    else this.ingresses = this.ingresses.filter((i) => !(namespace === 'conduit' && i.name === name));
  }

  async listLoadBalancerServices(): Promise<ObjectRef[]> {
    this.calls.push({ op: 'listLoadBalancerServices', name: '' });
    return this.loadBalancerServices;
  }

  async deleteService(namespace: string, name: string): Promise<void> {
    this.calls.push({ op: 'deleteService', name: `${namespace}/${name}` });
    if (this.loadBalancerFinalizers) {
      this.terminating.add(`service ${namespace}/${name}`);
      return;
    }
    this.loadBalancerServices = this.loadBalancerServices.filter(
      (s) => !(s.namespace === namespace && s.name === name),
    );
  }

  async getJob(_namespace: string, name: string): Promise<JobSummary> {
    this.calls.push({ op: 'getJob', name });
    const job = this.jobs.get(name);
    if (!job) throw new NotFoundError(`job ${name}`);
    const done: JobSummary =
      this.jobOutcome === 'succeeded'
        ? { name, succeeded: 1, failed: 0, active: 0 }
        : { name, succeeded: 0, failed: 1, active: 0 };
    this.jobs.set(name, done);
    return job;
  }
}
