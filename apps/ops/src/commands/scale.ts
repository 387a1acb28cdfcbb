import { ARGOCD_NAMESPACE, argoApplicationNames } from '@conduit/platform';
import type { Context } from '../lib/context.js';
import { usageError } from '../lib/errors.js';
import { minReplicas, parseWorkload } from '../lib/stages.js';

const MAX_REPLICAS = 50;

function parseCount(value: string, what: string): number {
  if (!/^\d+$/.test(value)) throw usageError(`${what} must be a whole number, got "${value}"`);
  return Number(value);
}

/**
 * Scaling goes through the HPA, never the Rollout: setting minReplicas raises the floor at once, and the HPA
 * stays in charge of anything above it, so the next load spike is still absorbed.
 */
export async function scale(
  ctx: Context,
  workloadArg: string,
  replicasArg: string,
  maxArg: string | undefined,
): Promise<void> {
  const { facts } = ctx;
  const model = parseWorkload(facts, workloadArg);
  const workload = model.name;
  const min = parseCount(replicasArg, 'replicas');
  const floor = minReplicas(facts, model);
  if (min < floor) {
    throw usageError(
      `replicas must be at least ${floor} in ${facts.stage} (the PDB needs a spare pod; use "conduit stop" to go to zero)`,
    );
  }
  const kube = await ctx.kube();
  // The HPA bounds are rendered from the model and Argo CD ignores none of them: with self-heal on, a patch
  // here is drift it undoes within seconds, so refuse rather than report a change that will not last.
  const appName = argoApplicationNames.app(facts.stage);
  const app = (await kube.listApplications(ARGOCD_NAMESPACE)).find((a) => a.name === appName);
  if (app?.selfHeal) {
    throw usageError(
      `Argo CD Application ${appName} self-heals ${workload}'s HPA bounds from Git: change its size for ${facts.stage} in packages/platform/src/workloads.ts instead (docs/operations.md "scale")`,
    );
  }
  const hpa = await kube.getHpa(facts.namespace, workload);
  const max = maxArg === undefined ? Math.max(hpa.maxReplicas, min) : parseCount(maxArg, '--max');
  if (max < min) throw usageError(`--max (${max}) must be at least replicas (${min})`);
  if (max > MAX_REPLICAS) throw usageError(`--max (${max}) is above the safety cap of ${MAX_REPLICAS}`);
  const patch = { spec: { minReplicas: min, maxReplicas: max } };
  const unchanged = hpa.minReplicas === min && hpa.maxReplicas === max;
  if (!unchanged) await ctx.confirm(`set hpa ${workload} to min ${min} max ${max}`, { prodNeedsYes: false });
  const actions = await ctx.apply(
    unchanged
      ? []
      : [
          {
            description: `patch hpa ${workload} ${JSON.stringify(patch)}`,
            run: () => kube.patchHpa(facts.namespace, workload, patch),
          },
        ],
  );
  const result = {
    command: 'scale',
    stage: facts.stage,
    workload,
    dryRun: ctx.options.dryRun,
    before: { min: hpa.minReplicas, max: hpa.maxReplicas },
    after: { min, max },
    actions,
  };
  ctx.print(result, () =>
    unchanged
      ? `hpa ${workload} already at min ${min} max ${max}: nothing to do`
      : `hpa ${workload}: min ${hpa.minReplicas}→${min}, max ${hpa.maxReplicas}→${max}${ctx.options.dryRun ? ' (dry run, nothing changed)' : ''}`,
  );
}
