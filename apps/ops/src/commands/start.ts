import type { Action, Context } from '../lib/context.js';
import { controllerOf } from '../lib/controller.js';
import { CliError } from '../lib/errors.js';
import {
  CPU_LIMIT_ANNOTATION,
  NODEGROUP_DESIRED_TAG,
  NODEGROUP_MIN_TAG,
  printPowerResult,
  REPLICAS_ANNOTATION,
} from './stop.js';

const DB_WAIT_MS = 20 * 60_000;
const DB_POLL_MS = 15_000;

/** The reverse of stop: RDS, node groups, Karpenter's limit, then the app (which makes Karpenter launch nodes). */
export async function start(ctx: Context, { wait }: { wait: boolean }): Promise<void> {
  const { facts } = ctx;
  const kube = await ctx.kube();
  const { api } = await ctx.aws();
  await ctx.confirm(`start ${facts.stage} (RDS, node groups, app)`, { prodNeedsYes: true });
  const actions: Action[] = [];
  const db = await api.describeDbInstance(facts.dbInstanceId);
  if (db && db.status === 'stopped') {
    actions.push({
      description: `start RDS instance ${db.id}${wait ? ' and wait until available' : ''}`,
      run: async () => {
        await api.startDbInstance(db.id);
        if (wait) await waitForDb(ctx, db.id);
      },
    });
  }
  for (const ng of await api.listNodegroups(facts.clusterName)) {
    const min = ng.tags[NODEGROUP_MIN_TAG];
    const desired = ng.tags[NODEGROUP_DESIRED_TAG];
    if (min === undefined || desired === undefined) continue;
    actions.push({
      description: `scale node group ${ng.name} back to min ${min}/desired ${desired}`,
      run: async () => {
        await api.updateNodegroupSize(facts.clusterName, ng.name, {
          min: Number(min),
          max: ng.maxSize,
          desired: Number(desired),
        });
        await api.untagNodegroup(ng.arn, [NODEGROUP_MIN_TAG, NODEGROUP_DESIRED_TAG]);
      },
    });
  }
  for (const pool of await kube.listNodePools()) {
    const recorded = pool.annotations[CPU_LIMIT_ANNOTATION];
    if (recorded === undefined) continue;
    const limit = JSON.parse(recorded) as string | number | null;
    const patch = {
      metadata: { annotations: { [CPU_LIMIT_ANNOTATION]: null } },
      spec: { limits: { cpu: limit } },
    };
    actions.push({
      description: `set Karpenter NodePool ${pool.name} CPU limit back to ${limit ?? 'unlimited'}`,
      run: () => kube.patchNodePool(pool.name, patch),
    });
  }
  for (const workload of facts.workloads) {
    const controller = controllerOf(kube, facts.namespace, workload);
    const current = await controller.get();
    if ((current.spec.replicas ?? 1) !== 0) continue;
    const recorded = Number(current.metadata.annotations?.[REPLICAS_ANNOTATION]);
    const replicas =
      Number.isInteger(recorded) && recorded > 0
        ? recorded
        : (await kube.getHpa(facts.namespace, workload.name)).minReplicas;
    const patch = { metadata: { annotations: { [REPLICAS_ANNOTATION]: null } }, spec: { replicas } };
    actions.push({
      description: `scale ${controller.kind} ${workload.name} from 0 to ${replicas} replicas`,
      run: () => controller.patch(patch),
    });
  }
  printPowerResult(ctx, 'start', await ctx.apply(actions));
}

async function waitForDb(ctx: Context, id: string): Promise<void> {
  const { api } = await ctx.aws();
  const deadline = ctx.deps.now().getTime() + DB_WAIT_MS;
  while (ctx.deps.now().getTime() < deadline) {
    if ((await api.describeDbInstance(id))?.status === 'available') return;
    await ctx.deps.sleep(DB_POLL_MS);
  }
  throw new CliError(`RDS instance ${id} is not available after ${DB_WAIT_MS / 60_000} minutes`);
}
