import {
  ApiException,
  AppsV1Api,
  AutoscalingV2Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  NetworkingV1Api,
  PatchStrategy,
  PolicyV1Api,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { credentialsError } from './errors.js';
import { type Deployment, type KubeApi, NotFoundError, type ObjectRef, type Rollout } from './kube-api.js';
import type { StageFacts } from './stages.js';

const ROLLOUTS = { group: 'argoproj.io', version: 'v1alpha1', plural: 'rollouts' } as const;
const NODEPOOLS = { group: 'karpenter.sh', version: 'v1', plural: 'nodepools' } as const;
const NODECLAIMS = { group: 'karpenter.sh', version: 'v1', plural: 'nodeclaims' } as const;
const APPLICATIONS = { group: 'argoproj.io', version: 'v1alpha1', plural: 'applications' } as const;

interface ApplicationObject {
  metadata?: { name?: string; finalizers?: string[] };
  spec?: { syncPolicy?: { automated?: { selfHeal?: boolean } | null } };
}

interface KarpenterObject {
  metadata?: { name?: string; annotations?: Record<string, string> };
  spec?: { limits?: { cpu?: string | number } };
}
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/**
 * Picks the kube context for a stage: the one named by --context, else the current context if it points at
 * the stage's cluster, else the only context whose cluster is the stage's. `aws eks update-kubeconfig`
 * names clusters by ARN (`arn:aws:eks:<region>:<account>:cluster/conduit-<stage>`), so match the suffix.
 */
export function pickContext(kc: KubeConfig, facts: StageFacts, requested?: string): string {
  const contexts = kc.getContexts();
  const hint = `run: aws eks update-kubeconfig --name ${facts.clusterName} --region ${facts.region}`;
  if (requested) {
    if (!contexts.some((c) => c.name === requested)) {
      throw credentialsError(`kube context "${requested}" does not exist in the kubeconfig; ${hint}`);
    }
    return requested;
  }
  const forStage = (cluster: string) =>
    cluster === facts.clusterName || cluster.endsWith(`/${facts.clusterName}`);
  const current = contexts.find((c) => c.name === kc.getCurrentContext());
  if (current && forStage(current.cluster)) return current.name;
  const matching = contexts.filter((c) => forStage(c.cluster));
  if (matching.length === 1) return matching[0]!.name;
  if (matching.length > 1) {
    throw credentialsError(
      `several kube contexts point at cluster ${facts.clusterName}: ${matching.map((c) => c.name).join(', ')}; pick one with --context`,
    );
  }
  throw credentialsError(`no kube context for cluster ${facts.clusterName}; ${hint}`);
}

function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404;
}

async function orNotFound<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isNotFound(error)) throw new NotFoundError(what);
    if (error instanceof ApiException) {
      const body = typeof error.body === 'string' ? error.body : JSON.stringify(error.body);
      const message = /"message":"([^"]+)"/.exec(body)?.[1] ?? `HTTP ${error.code}`;
      throw new Error(`Kubernetes API: ${what}: ${message}`);
    }
    throw error;
  }
}

/** Builds the real adapter from the default kubeconfig (KUBECONFIG or ~/.kube/config, or in-cluster). */
export function createKubeApi(facts: StageFacts, requestedContext?: string): KubeApi {
  const kc = new KubeConfig();
  try {
    kc.loadFromDefault();
  } catch (error) {
    throw credentialsError(`cannot read the kubeconfig: ${(error as Error).message}`);
  }
  const inCluster = kc.getCurrentContext() === 'inClusterContext';
  const context = inCluster ? kc.getCurrentContext() : pickContext(kc, facts, requestedContext);
  kc.setCurrentContext(context);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const autoscaling = kc.makeApiClient(AutoscalingV2Api);
  const policy = kc.makeApiClient(PolicyV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const networking = kc.makeApiClient(NetworkingV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  const apps = kc.makeApiClient(AppsV1Api);

  return {
    context,
    getRollout: (namespace, name) =>
      orNotFound(`rollout ${namespace}/${name}`, async () => {
        return (await custom.getNamespacedCustomObject({ ...ROLLOUTS, namespace, name })) as Rollout;
      }),
    patchRollout: (namespace, name, body, subresource) =>
      orNotFound(`rollout ${namespace}/${name}${subresource ? '/status' : ''}`, async () => {
        const params = { ...ROLLOUTS, namespace, name, body };
        if (subresource === 'status') await custom.patchNamespacedCustomObjectStatus(params, mergePatch);
        else await custom.patchNamespacedCustomObject(params, mergePatch);
      }),
    getDeployment: (namespace, name) =>
      orNotFound(`deployment ${namespace}/${name}`, async () => {
        return (await apps.readNamespacedDeployment({ namespace, name })) as Deployment;
      }),
    patchDeployment: (namespace, name, body) =>
      orNotFound(`deployment ${namespace}/${name}`, async () => {
        await apps.patchNamespacedDeployment({ namespace, name, body }, mergePatch);
      }),
    getHpa: (namespace, name) =>
      orNotFound(`hpa ${namespace}/${name}`, async () => {
        const hpa = await autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace, name });
        return {
          name,
          minReplicas: hpa.spec?.minReplicas ?? 1,
          maxReplicas: hpa.spec?.maxReplicas ?? 1,
          currentReplicas: hpa.status?.currentReplicas ?? 0,
          desiredReplicas: hpa.status?.desiredReplicas ?? 0,
        };
      }),
    patchHpa: (namespace, name, body) =>
      orNotFound(`hpa ${namespace}/${name}`, async () => {
        await autoscaling.patchNamespacedHorizontalPodAutoscaler({ namespace, name, body }, mergePatch);
      }),
    getPdb: (namespace, name) =>
      orNotFound(`pdb ${namespace}/${name}`, async () => {
        const pdb = await policy.readNamespacedPodDisruptionBudget({ namespace, name });
        return { name, disruptionsAllowed: pdb.status?.disruptionsAllowed ?? 0 };
      }),
    listPods: (namespace, labelSelector) =>
      orNotFound(`pods in ${namespace}`, async () => {
        const pods = await core.listNamespacedPod({ namespace, labelSelector });
        return pods.items.map((pod) => ({
          name: pod.metadata?.name ?? '',
          ready: pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
        }));
      }),
    listIngresses: (namespace) =>
      orNotFound(`ingresses in ${namespace}`, async () => {
        const list = await networking.listNamespacedIngress({ namespace });
        return list.items.map((ing) => {
          const lb = ing.status?.loadBalancer?.ingress?.[0];
          return { name: ing.metadata?.name ?? '', address: lb?.hostname ?? lb?.ip ?? null };
        });
      }),
    getJobSpec: (namespace, name) =>
      orNotFound(`job or cronjob ${namespace}/${name}`, async () => {
        let spec: Record<string, unknown> | undefined;
        try {
          const job = await batch.readNamespacedJob({ namespace, name });
          spec = job.spec as unknown as Record<string, unknown>;
        } catch (error) {
          if (!isNotFound(error)) throw error;
          const cron = await batch.readNamespacedCronJob({ namespace, name });
          spec = cron.spec?.jobTemplate.spec as unknown as Record<string, unknown>;
        }
        return stripGenerated(spec ?? {});
      }),
    createJob: (namespace, name, spec) =>
      orNotFound(`job ${namespace}/${name}`, async () => {
        await batch.createNamespacedJob({
          namespace,
          body: { apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace }, spec: spec as never },
        });
      }),
    getJob: (namespace, name) =>
      orNotFound(`job ${namespace}/${name}`, async () => {
        const job = await batch.readNamespacedJob({ namespace, name });
        return {
          name,
          succeeded: job.status?.succeeded ?? 0,
          failed: job.status?.failed ?? 0,
          active: job.status?.active ?? 0,
        };
      }),
    listNodePools: async () => {
      try {
        const list = (await custom.listClusterCustomObject({ ...NODEPOOLS })) as {
          items?: KarpenterObject[];
        };
        return (list.items ?? []).map((np) => ({
          name: np.metadata?.name ?? '',
          cpuLimit: np.spec?.limits?.cpu ?? null,
          annotations: np.metadata?.annotations ?? {},
        }));
      } catch (error) {
        if (isNotFound(error)) return [];
        throw error;
      }
    },
    patchNodePool: (name, body) =>
      orNotFound(`nodepool ${name}`, async () => {
        await custom.patchClusterCustomObject({ ...NODEPOOLS, name, body }, mergePatch);
      }),
    listNodeClaims: async () => {
      try {
        const list = (await custom.listClusterCustomObject({ ...NODECLAIMS })) as {
          items?: KarpenterObject[];
        };
        return (list.items ?? []).map((nc) => nc.metadata?.name ?? '');
      } catch (error) {
        if (isNotFound(error)) return [];
        throw error;
      }
    },
    deleteNodeClaim: (name) =>
      orNotFound(`nodeclaim ${name}`, async () => {
        await custom.deleteClusterCustomObject({ ...NODECLAIMS, name });
      }),
    deleteNodePool: (name) =>
      orNotFound(`nodepool ${name}`, async () => {
        await custom.deleteClusterCustomObject({ ...NODEPOOLS, name });
      }),
    listApplications: async (namespace) => {
      try {
        const list = (await custom.listNamespacedCustomObject({ ...APPLICATIONS, namespace })) as {
          items?: ApplicationObject[];
        };
        return (list.items ?? []).map((app) => ({
          name: app.metadata?.name ?? '',
          automated: Boolean(app.spec?.syncPolicy?.automated),
          selfHeal: app.spec?.syncPolicy?.automated?.selfHeal === true,
          finalizers: app.metadata?.finalizers ?? [],
        }));
      } catch (error) {
        if (isNotFound(error)) return [];
        throw error;
      }
    },
    patchApplication: (namespace, name, body) =>
      orNotFound(`application ${namespace}/${name}`, async () => {
        await custom.patchNamespacedCustomObject({ ...APPLICATIONS, namespace, name, body }, mergePatch);
      }),
    deleteApplication: (namespace, name) =>
      orNotFound(`application ${namespace}/${name}`, async () => {
        await custom.deleteNamespacedCustomObject({ ...APPLICATIONS, namespace, name });
      }),
    listAllIngresses: () =>
      orNotFound('ingresses', async () => {
        const list = await networking.listIngressForAllNamespaces();
        return list.items.map(refOf);
      }),
    deleteIngress: (namespace, name) =>
      orNotFound(`ingress ${namespace}/${name}`, async () => {
        await networking.deleteNamespacedIngress({ namespace, name });
      }),
    listLoadBalancerServices: () =>
      orNotFound('services', async () => {
        const list = await core.listServiceForAllNamespaces();
        return list.items.filter((svc) => svc.spec?.type === 'LoadBalancer').map(refOf);
      }),
    deleteService: (namespace, name) =>
      orNotFound(`service ${namespace}/${name}`, async () => {
        await core.deleteNamespacedService({ namespace, name });
      }),
  };
}

const refOf = (o: { metadata?: { namespace?: string; name?: string } }): ObjectRef => ({
  namespace: o.metadata?.namespace ?? '',
  name: o.metadata?.name ?? '',
});

/** The API server adds a selector and controller-uid labels to a Job; a copy must not carry them. */
export function stripGenerated(spec: Record<string, unknown>): Record<string, unknown> {
  const { selector: _selector, ...rest } = spec;
  const template = (rest.template ?? {}) as { metadata?: { labels?: Record<string, string> } };
  const labels = Object.fromEntries(
    Object.entries(template.metadata?.labels ?? {}).filter(
      ([key]) =>
        ![
          'controller-uid',
          'job-name',
          'batch.kubernetes.io/controller-uid',
          'batch.kubernetes.io/job-name',
        ].includes(key),
    ),
  );
  return { ...rest, template: { ...template, metadata: { ...template.metadata, labels } } };
}
