import type { Action, Context } from '../lib/context.js';
import { controllerOf } from '../lib/controller.js';
import { CliError } from '../lib/errors.js';

/** Where stop records what start must bring back: on the objects themselves, so no local state is needed. */
export const REPLICAS_ANNOTATION = 'ops.conduit.dev/replicas-before-stop';
export const NODEGROUP_MIN_TAG = 'conduit:stopped-min-size';
export const NODEGROUP_DESIRED_TAG = 'conduit:stopped-desired-size';
export const CPU_LIMIT_ANNOTATION = 'ops.conduit.dev/cpu-limit-before-stop';

const NODECLAIM_WAIT_MS = 10 * 60_000;
const NODECLAIM_POLL_MS = 10_000;

export function printPowerResult(ctx: Context, command: 'stop' | 'start', actions: string[]): void {
  ctx.print({ command, stage: ctx.facts.stage, dryRun: ctx.options.dryRun, actions }, () => {
    if (actions.length === 0)
      return `${ctx.facts.stage} is already ${command === 'stop' ? 'stopped' : 'started'}: nothing to do`;
    const head = ctx.options.dryRun
      ? `${command} ${ctx.facts.stage}: dry run, nothing changed`
      : `${command} ${ctx.facts.stage}: done`;
    return [head, ...actions.map((a) => `  - ${a}`)].join('\n');
  });
}

/**
 * Cost saving: the app goes to zero first (pods drain while nodes still exist), then Karpenter's capacity
 * (NodePool CPU limit to zero, NodeClaims deleted and awaited, because Karpenter runs on the system node
 * group and must terminate its instances before that group goes), then the managed node groups, then RDS. Each step is skipped when already done, so a second stop is a no-op. A Rollout at zero replicas also
 * pauses its HPA (Kubernetes disables autoscaling for a target at zero), so nothing scales it back up.
 * RDS starts a stopped instance by itself after 7 days; docs/operations.md says how to keep it stopped.
 */
export async function stop(ctx: Context): Promise<void> {
  const { facts } = ctx;
  const kube = await ctx.kube();
  const { api } = await ctx.aws();
  await ctx.confirm(`stop ${facts.stage} (app to zero, node groups to zero, RDS stopped)`, {
    prodNeedsYes: true,
  });
  const actions: Action[] = [];
  for (const workload of facts.workloads) {
    const controller = controllerOf(kube, facts.namespace, workload);
    const replicas = (await controller.get()).spec.replicas ?? 1;
    if (replicas === 0) continue;
    const patch = {
      metadata: { annotations: { [REPLICAS_ANNOTATION]: String(replicas) } },
      spec: { replicas: 0 },
    };
    actions.push({
      description: `scale ${controller.kind} ${workload.name} from ${replicas} to 0 replicas`,
      run: () => controller.patch(patch),
    });
  }
  for (const pool of await kube.listNodePools()) {
    if (String(pool.cpuLimit) === '0') continue;
    const patch = {
      metadata: { annotations: { [CPU_LIMIT_ANNOTATION]: JSON.stringify(pool.cpuLimit) } },
      spec: { limits: { cpu: '0' } },
    };
    actions.push({
      description: `set Karpenter NodePool ${pool.name} CPU limit from ${pool.cpuLimit ?? 'unlimited'} to 0`,
      run: () => kube.patchNodePool(pool.name, patch),
    });
  }
  const claims = await kube.listNodeClaims();
  if (claims.length > 0) {
    actions.push({
      description: `delete ${claims.length} Karpenter NodeClaim(s) and wait for their nodes to terminate`,
      run: async () => {
        for (const claim of claims) await kube.deleteNodeClaim(claim);
        const deadline = ctx.deps.now().getTime() + NODECLAIM_WAIT_MS;
        while ((await kube.listNodeClaims()).length > 0) {
          if (ctx.deps.now().getTime() > deadline)
            throw new CliError('Karpenter nodes still terminating after 10 minutes');
          await ctx.deps.sleep(NODECLAIM_POLL_MS);
        }
      },
    });
  }
  for (const ng of await api.listNodegroups(facts.clusterName)) {
    if (ng.minSize === 0 && ng.desiredSize === 0) continue;
    actions.push({
      description: `scale node group ${ng.name} from min ${ng.minSize}/desired ${ng.desiredSize} to 0`,
      run: async () => {
        await api.tagNodegroup(ng.arn, {
          [NODEGROUP_MIN_TAG]: String(ng.minSize),
          [NODEGROUP_DESIRED_TAG]: String(ng.desiredSize),
        });
        await api.updateNodegroupSize(facts.clusterName, ng.name, { min: 0, max: ng.maxSize, desired: 0 });
      },
    });
  }
  const db = await api.describeDbInstance(facts.dbInstanceId);
  if (db && db.status === 'available') {
    actions.push({ description: `stop RDS instance ${db.id}`, run: () => api.stopDbInstance(db.id) });
  }
  printPowerResult(ctx, 'stop', await ctx.apply(actions));
}
