import type { Action, Context } from '../lib/context.js';
import { CliError } from '../lib/errors.js';
import { format } from '../lib/format.js';
import { type Deployment, type MergePatch, NotFoundError, type Rollout } from '../lib/kube-api.js';
import { parseCanaryWorkload } from '../lib/stages.js';

export interface RolloutState {
  readonly workload: string;
  readonly phase: string;
  readonly step: string;
  readonly paused: boolean;
  readonly aborted: boolean;
  readonly image: string | null;
  readonly message: string | null;
}

/** A worker's Deployment in the same shape: no steps; Healthy once every replica is updated and ready. */
export function describeDeployment(workload: string, deployment: Deployment): RolloutState {
  const wanted = deployment.spec.replicas ?? 1;
  const { updatedReplicas = 0, readyReplicas = 0 } = deployment.status ?? {};
  return {
    workload,
    phase: updatedReplicas >= wanted && readyReplicas >= wanted ? 'Healthy' : 'Progressing',
    step: '-',
    paused: false,
    aborted: false,
    image: deployment.spec.template?.spec?.containers?.[0]?.image ?? null,
    message: null,
  };
}

export function describeRollout(workload: string, ro: Rollout): RolloutState {
  const steps = ro.spec.strategy?.canary?.steps?.length;
  const index = ro.status?.currentStepIndex;
  return {
    workload,
    phase: ro.status?.phase ?? 'Unknown',
    step: steps === undefined ? '-' : `${index ?? 0}/${steps}`,
    paused: Boolean(ro.spec.paused) || (ro.status?.pauseConditions?.length ?? 0) > 0,
    aborted: ro.status?.abort === true,
    image: ro.spec.template?.spec?.containers?.[0]?.image ?? null,
    message: ro.status?.message ?? null,
  };
}

/**
 * The patches `kubectl argo rollouts promote` sends: clear the pause conditions through the status
 * subresource (or, in the middle of an analysis step, advance currentStepIndex) and unpause the spec.
 * `--full` asks the controller to skip every remaining step.
 */
export function promotePatches(
  ro: Rollout,
  full: boolean,
): { status: MergePatch | null; spec: MergePatch | null } {
  if (full) {
    const done = ro.status?.currentPodHash !== undefined && ro.status.currentPodHash === ro.status.stableRS;
    return { status: done ? null : { status: { promoteFull: true } }, spec: null };
  }
  const spec = ro.spec.paused ? { spec: { paused: false } } : null;
  if ((ro.status?.pauseConditions?.length ?? 0) > 0)
    return { status: { status: { pauseConditions: null } }, spec };
  const steps = ro.spec.strategy?.canary?.steps;
  if (steps && steps.length > 0) {
    const index = Math.min((ro.status?.currentStepIndex ?? 0) + 1, steps.length);
    return { status: { status: { pauseConditions: null, currentStepIndex: index } }, spec };
  }
  return { status: null, spec };
}

/** Patches the status subresource, falling back to the main resource on 404 exactly like the plugin. */
async function patchStatus(ctx: Context, name: string, patch: MergePatch): Promise<void> {
  const kube = await ctx.kube();
  try {
    await kube.patchRollout(ctx.facts.namespace, name, patch, 'status');
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    await kube.patchRollout(ctx.facts.namespace, name, patch);
  }
}

function report(
  ctx: Context,
  verb: string,
  workload: string,
  actions: string[],
  state: RolloutState | null,
): void {
  ctx.print(
    {
      command: `rollout ${verb}`,
      stage: ctx.facts.stage,
      workload,
      dryRun: ctx.options.dryRun,
      actions,
      rollout: state,
    },
    () =>
      ctx.options.dryRun
        ? `rollout ${workload}: dry run, nothing changed`
        : `rollout ${workload} ${verb === 'promote' ? 'promoted' : verb === 'abort' ? 'aborted' : 'retried'}`,
  );
}

export async function rolloutStatus(ctx: Context, workloadArg: string): Promise<void> {
  const workload = parseCanaryWorkload(ctx.facts, workloadArg).name;
  const state = describeRollout(workload, await (await ctx.kube()).getRollout(ctx.facts.namespace, workload));
  ctx.print(
    { command: 'rollout status', stage: ctx.facts.stage, rollout: state },
    () =>
      format.table(
        ['workload', 'phase', 'step', 'paused', 'aborted', 'image'],
        [
          [
            workload,
            state.phase,
            state.step,
            String(state.paused),
            String(state.aborted),
            state.image ?? '-',
          ],
        ],
      ) + (state.message ? `\n${state.message}` : ''),
  );
  if (state.phase === 'Degraded')
    throw new CliError(`rollout ${workload} is Degraded: ${state.message ?? 'no message'}`);
}

export async function rolloutPromote(ctx: Context, workloadArg: string, full: boolean): Promise<void> {
  const workload = parseCanaryWorkload(ctx.facts, workloadArg).name;
  const ro = await (await ctx.kube()).getRollout(ctx.facts.namespace, workload);
  const { status, spec } = promotePatches(ro, full);
  if (!status && !spec) throw new CliError(`rollout ${workload} is not paused and has no step to promote`);
  const actions: Action[] = [];
  if (status)
    actions.push({
      description: `patch rollout ${workload} status ${JSON.stringify(status)}`,
      run: () => patchStatus(ctx, workload, status),
    });
  if (spec) {
    actions.push({
      description: `patch rollout ${workload} ${JSON.stringify(spec)}`,
      run: async () => (await ctx.kube()).patchRollout(ctx.facts.namespace, workload, spec),
    });
  }
  report(ctx, 'promote', workload, await ctx.apply(actions), describeRollout(workload, ro));
}

export async function rolloutAbort(ctx: Context, workloadArg: string): Promise<void> {
  const workload = parseCanaryWorkload(ctx.facts, workloadArg).name;
  await ctx.confirm(`abort the ${workload} rollout`, { prodNeedsYes: false });
  const patch = { status: { abort: true } };
  const actions = await ctx.apply([
    {
      description: `patch rollout ${workload} status ${JSON.stringify(patch)}`,
      run: () => patchStatus(ctx, workload, patch),
    },
  ]);
  report(ctx, 'abort', workload, actions, null);
}

export async function rolloutRetry(ctx: Context, workloadArg: string): Promise<void> {
  const workload = parseCanaryWorkload(ctx.facts, workloadArg).name;
  const patch = { status: { abort: false } };
  const actions = await ctx.apply([
    {
      description: `patch rollout ${workload} status ${JSON.stringify(patch)}`,
      run: () => patchStatus(ctx, workload, patch),
    },
  ]);
  report(ctx, 'retry', workload, actions, null);
}
