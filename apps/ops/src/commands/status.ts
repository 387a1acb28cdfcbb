import type { Context } from '../lib/context.js';
import { format } from '../lib/format.js';
import { latestDump } from './backup.js';
import { describeDeployment, describeRollout } from './rollout.js';

/** A field that could not be read shows as an error string instead of hiding the rest of the screen. */
async function read<T>(work: () => Promise<T>): Promise<T | { error: string }> {
  try {
    return await work();
  } catch (error) {
    return { error: (error as Error).message.split('\n')[0] ?? 'error' };
  }
}

const isError = (value: unknown): value is { error: string } =>
  typeof value === 'object' && value !== null && 'error' in value;

export async function status(ctx: Context): Promise<void> {
  const { facts } = ctx;
  const kube = await ctx.kube();
  const aws = await ctx.aws();
  const ns = facts.namespace;
  const workloads = await Promise.all(
    facts.workloads.map(async ({ name: workload, kind }) => {
      const [rollout, pods, hpa, pdb] = await Promise.all([
        read(async () =>
          kind === 'http'
            ? describeRollout(workload, await kube.getRollout(ns, workload))
            : describeDeployment(workload, await kube.getDeployment(ns, workload)),
        ),
        read(async () => {
          const list = await kube.listPods(ns, facts.podSelector(workload));
          return { ready: list.filter((p) => p.ready).length, total: list.length };
        }),
        read(() => kube.getHpa(ns, workload)),
        read(() => kube.getPdb(ns, workload)),
      ]);
      return {
        workload,
        rollout,
        pods,
        hpa: isError(hpa)
          ? hpa
          : {
              current: hpa.currentReplicas,
              desired: hpa.desiredReplicas,
              min: hpa.minReplicas,
              max: hpa.maxReplicas,
            },
        pdb: isError(pdb) ? pdb : { disruptionsAllowed: pdb.disruptionsAllowed },
      };
    }),
  );
  const [ingress, database, backup] = await Promise.all([
    read(async () => {
      const list = await kube.listIngresses(ns);
      return { address: (list.find((i) => i.name === facts.ingressName) ?? list[0])?.address ?? null };
    }),
    read(async () => {
      const db = await aws.api.describeDbInstance(facts.dbInstanceId);
      return {
        instance: facts.dbInstanceId,
        status: db?.status ?? 'missing',
        engineVersion: db?.engineVersion ?? null,
      };
    }),
    read(async () => {
      const dump = await latestDump(ctx, aws.api, aws.account);
      const at = dump?.lastModified ?? null;
      return {
        lastBackupAt: at?.toISOString() ?? null,
        ageHours: at ? Math.round(((ctx.deps.now().getTime() - at.getTime()) / 3_600_000) * 10) / 10 : null,
      };
    }),
  ]);
  const result = {
    stage: facts.stage,
    cluster: facts.clusterName,
    context: kube.context,
    namespace: ns,
    workloads,
    ingress,
    database,
    backup,
  };
  ctx.print(result, () => {
    const show = (value: unknown, pick: (v: never) => string) =>
      isError(value) ? `error: ${value.error}` : pick(value as never);
    const rows = workloads.map((t) => [
      t.workload,
      show(t.rollout, (r: { phase: string }) => r.phase),
      show(t.rollout, (r: { step: string }) => r.step),
      show(t.pods, (p: { ready: number; total: number }) => `${p.ready}/${p.total}`),
      show(t.hpa, (h: { current: number; desired: number }) => `${h.current}/${h.desired}`),
      show(t.pdb, (p: { disruptionsAllowed: number }) => String(p.disruptionsAllowed)),
      show(t.rollout, (r: { image: string | null }) => r.image ?? '-'),
    ]);
    return [
      `stage ${facts.stage} · cluster ${facts.clusterName} · context ${kube.context}`,
      format.table(
        ['workload', 'phase', 'step', 'pods ready', 'hpa cur/desired', 'pdb disruptions', 'image'],
        rows,
      ),
      `ingress:  ${show(ingress, (i: { address: string | null }) => i.address ?? 'pending')}`,
      `database: ${show(database, (d: { instance: string; status: string }) => `${d.instance} ${d.status}`)}`,
      `backup:   ${show(backup, (b: { lastBackupAt: string | null }) => (b.lastBackupAt ? `${format.age(new Date(b.lastBackupAt), ctx.deps.now())} ago (${b.lastBackupAt})` : 'none'))}`,
    ].join('\n');
  });
}
