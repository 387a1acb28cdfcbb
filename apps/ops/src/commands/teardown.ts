import {
  ARGOCD_NAMESPACE,
  argoApplicationNames,
  databaseSnapshotPrefix,
  EXTERNAL_DNS_OWNER,
  type RetainedResource,
  retainedResources,
  STAGES,
  type StageStack,
  stackName,
  teardownOrder,
} from '@conduit/platform';
import type { AwsApi, RecordSet, TagFilter } from '../lib/aws-api.js';
import type { Action, Context } from '../lib/context.js';
import { CliError, refusedError, usageError } from '../lib/errors.js';
import type { KubeApi } from '../lib/kube-api.js';

/** The AWS Load Balancer Controller tags every load balancer and target group it makes with the cluster. */
export const LB_CLUSTER_TAG = 'elbv2.k8s.aws/cluster';
/** Karpenter tags its instances with their NodePool and, like every node, with the cluster's ownership tag. */
export const KARPENTER_NODEPOOL_TAG = 'karpenter.sh/nodepool';
/** Argo CD deletes an Application's resources before the Application while this finalizer is on it. */
export const ARGOCD_CASCADE_FINALIZER = 'resources-finalizer.argocd.argoproj.io';
/** CloudFormation tags every resource with its stack; the VPC is found by the Network stack's name. */
const STACK_NAME_TAG = 'aws:cloudformation:stack-name';

export const DEFAULT_CLEANUP_TIMEOUT = '15m';
const CLEANUP_POLL_MS = 15_000;
const STACK_POLL_MS = 30_000;
// EKS control planes and RDS Multi-AZ instances take 15-25 minutes each to delete; an hour is a stuck stack.
const STACK_TIMEOUT_MS = 60 * 60_000;

export interface TeardownOptions {
  /** How long to wait for the controllers' cleanup, e.g. `15m`, `900s`, `1h`. */
  readonly timeout: string;
}

/** `15m`, `90s`, `1h` to milliseconds; anything else is a usage error naming the flag. */
export function parseDuration(value: string): number {
  const match = /^(\d+)(s|m|h)$/.exec(value.trim());
  if (!match || Number(match[1]) === 0) {
    throw usageError(`--timeout "${value}" must be a positive duration such as 90s, 15m or 1h`);
  }
  return Number(match[1]) * { s: 1_000, m: 60_000, h: 3_600_000 }[match[2] as 's' | 'm' | 'h'];
}

const human = (ms: number) =>
  ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`;

/** Something a controller created that must be gone from AWS before the stacks can be deleted. */
interface Probe {
  /** Singular noun for messages: "load balancer", "target group", ... */
  readonly kind: string;
  list(): Promise<string[]>;
}

/**
 * Polls the probes until every list is empty, printing one progress line per poll on stderr; at the deadline
 * it fails naming every leftover, so the operator knows what blocks the VPC and no stack is touched.
 */
async function waitUntilGone(ctx: Context, what: string, probes: readonly Probe[], timeoutMs: number) {
  const started = ctx.deps.now().getTime();
  for (;;) {
    const left: string[] = [];
    for (const probe of probes) for (const name of await probe.list()) left.push(`${probe.kind} ${name}`);
    if (left.length === 0) return;
    const elapsed = ctx.deps.now().getTime() - started;
    if (elapsed >= timeoutMs) {
      throw new CliError(
        `timed out after ${human(timeoutMs)} waiting for ${what}; still there: ${left.join(', ')}; no stack was deleted (delete them, or fix their controller, then run teardown again)`,
      );
    }
    ctx.deps.stderr(
      `teardown: waiting for ${what}: ${left.length} left (${left.join(', ')}) [${Math.round(elapsed / 1000)}s of ${human(timeoutMs)}]`,
    );
    await ctx.deps.sleep(CLEANUP_POLL_MS);
  }
}

const OWNERSHIP = `heritage=external-dns,external-dns/owner=${EXTERNAL_DNS_OWNER}`;

/**
 * The record sets external-dns created in the zone: its ownership TXT records (value names our owner id) and
 * the A/AAAA/CNAME records they describe — the same name, or with the registry's `a-`/`aaaa-`/`cname-`
 * prefix taken off the first label. Records another owner or a stack created stay.
 */
export function externalDnsRecords(sets: readonly RecordSet[]): RecordSet[] {
  const isOwnership = (r: RecordSet) =>
    r.type === 'TXT' && r.values.some((v) => v.replace(/^"|"$/g, '').startsWith(OWNERSHIP));
  const owned = new Set<string>();
  for (const txt of sets.filter(isOwnership)) {
    owned.add(txt.name);
    owned.add(txt.name.replace(/^(a|aaaa|cname)-/, ''));
  }
  return sets.filter((r) => isOwnership(r) || (['A', 'AAAA', 'CNAME'].includes(r.type) && owned.has(r.name)));
}

/** One stack deleted and awaited; DELETE_FAILED stops the teardown with CloudFormation's reason. */
async function deleteStack(ctx: Context, api: AwsApi, stack: StageStack): Promise<void> {
  await api.deleteStack(stack.region, stack.name);
  const started = ctx.deps.now().getTime();
  for (;;) {
    const state = await api.describeStack(stack.region, stack.name);
    if (!state) return;
    if (state.status === 'DELETE_FAILED') {
      throw new CliError(
        `stack ${stack.name} DELETE_FAILED: ${state.reason ?? 'no reason given'}; the stacks it depends on were not deleted (fix it, then run teardown again)`,
      );
    }
    const elapsed = ctx.deps.now().getTime() - started;
    if (elapsed >= STACK_TIMEOUT_MS) {
      throw new CliError(
        `stack ${stack.name} still ${state.status} after ${human(STACK_TIMEOUT_MS)}; see its events in the CloudFormation console`,
      );
    }
    ctx.deps.stderr(`teardown: ${stack.name} ${state.status} [${Math.round(elapsed / 1000)}s]`);
    await ctx.deps.sleep(STACK_POLL_MS);
  }
}

/** The changes inside the cluster, in the order that keeps controllers from undoing or orphaning them. */
async function clusterActions(ctx: Context, kube: KubeApi): Promise<Action[]> {
  const stage = ctx.facts.stage;
  const actions: Action[] = [];
  // Argo CD first: with self-heal on it re-creates every Ingress and Service we delete. Deleting the root
  // Application with its cascade finalizer on would have Argo CD delete everything it manages, in an order
  // of its own; without the finalizer the deletion stays ours and in the order below.
  const applications = await kube.listApplications(ARGOCD_NAMESPACE);
  for (const app of applications) {
    if (!app.automated && !app.finalizers.includes(ARGOCD_CASCADE_FINALIZER)) continue;
    actions.push({
      description: `turn off automated sync and the cascade finalizer of Argo CD Application ${app.name}`,
      run: () =>
        kube.patchApplication(ARGOCD_NAMESPACE, app.name, {
          metadata: { finalizers: app.finalizers.filter((f) => f !== ARGOCD_CASCADE_FINALIZER) },
          spec: { syncPolicy: { automated: null } },
        }),
    });
  }
  const root = applications.find((a) => a.name === argoApplicationNames.root(stage));
  if (root) {
    actions.push({
      description: `delete Argo CD Application ${root.name} (the app of apps; its children stay, synced no more)`,
      run: () => kube.deleteApplication(ARGOCD_NAMESPACE, root.name),
    });
  }
  // The AWS Load Balancer Controller deletes an Ingress's ALB and a LoadBalancer Service's NLB (the nginx
  // router's controller Service) with their target groups when the object goes.
  for (const ing of await kube.listAllIngresses()) {
    actions.push({
      description: `delete Ingress ${ing.namespace}/${ing.name} (its load balancer goes with it)`,
      run: () => kube.deleteIngress(ing.namespace, ing.name),
    });
  }
  for (const svc of await kube.listLoadBalancerServices()) {
    actions.push({
      description: `delete LoadBalancer Service ${svc.namespace}/${svc.name} (its load balancer goes with it)`,
      run: () => kube.deleteService(svc.namespace, svc.name),
    });
  }
  // Karpenter terminates the instances of a deleted NodePool's NodeClaims; its own pods run on the managed
  // node group, which the Cluster stack deletes only after these instances are gone.
  for (const pool of await kube.listNodePools()) {
    actions.push({
      description: `delete Karpenter NodePool ${pool.name} (Karpenter terminates its nodes)`,
      run: () => kube.deleteNodePool(pool.name),
    });
  }
  const claims = await kube.listNodeClaims();
  if (claims.length > 0) {
    actions.push({
      description: `delete ${claims.length} Karpenter NodeClaim(s)`,
      run: async () => {
        // A pool's deletion may already have taken some of them.
        const still = new Set(await kube.listNodeClaims());
        for (const claim of claims) if (still.has(claim)) await kube.deleteNodeClaim(claim);
      },
    });
  }
  return actions;
}

/** What the controllers made in AWS, found by the tags they put on it. */
function controllerProbes(api: AwsApi, cluster: string, vpcId: string | null): Probe[] {
  const lbTag: TagFilter[] = [{ key: LB_CLUSTER_TAG, value: cluster }];
  const probes: Probe[] = [
    { kind: 'load balancer', list: () => api.listLoadBalancers(lbTag) },
    { kind: 'target group', list: () => api.listTargetGroups(lbTag) },
    {
      kind: 'instance',
      list: async () =>
        (
          await api.listInstances([
            { key: KARPENTER_NODEPOOL_TAG, value: null },
            { key: `kubernetes.io/cluster/${cluster}`, value: 'owned' },
          ])
        ).map((i) => `${i.id} (${i.state})`),
    },
  ];
  if (vpcId) {
    probes.push({
      kind: 'network interface',
      // The load balancers' interfaces outlive them by a minute or two, and the VPC CNI leaves unattached
      // `aws-K8S-` interfaces behind when a node dies abruptly; either keeps a subnet from being deleted.
      list: async () =>
        (await api.listNetworkInterfaces(vpcId))
          .filter(
            (eni) =>
              /^ELB (app|net)\/k8s-/.test(eni.description) ||
              (eni.status === 'available' && eni.description.startsWith('aws-K8S-')),
          )
          .map((eni) => `${eni.id} (${eni.description})`),
    });
  }
  return probes;
}

/** Deletes a stage: what the controllers made, then its stacks; prints what deploy/aws keeps by design. */
export async function teardown(ctx: Context, opts: TeardownOptions): Promise<void> {
  const { facts, options } = ctx;
  const model = STAGES[facts.stage];
  const timeoutMs = parseDuration(opts.timeout);
  // Refused before any API call: nothing about prod is even read without the flag.
  if (facts.stage === 'prod' && !options.yes && !options.dryRun) {
    throw refusedError('refusing to tear down prod without --yes and the stage name typed on stdin');
  }
  const { api } = await ctx.aws();

  const present: StageStack[] = [];
  for (const stack of teardownOrder(model)) {
    if (await api.describeStack(stack.region, stack.name)) present.push(stack);
  }
  const has = (id: StageStack['id']) => present.some((s) => s.id === id);
  // Without the Cluster stack there is no cluster to clean (a second run after a partial teardown).
  const kube = has('Cluster') ? await ctx.kube() : null;
  const vpcId = has('Network')
    ? await api.findVpc([{ key: STACK_NAME_TAG, value: stackName(facts.stage, 'Network') }])
    : null;
  const zoneId = has('Network') ? await api.findHostedZone(model.edge.domainName) : null;

  const actions: Action[] = kube ? await clusterActions(ctx, kube) : [];
  const probes = controllerProbes(api, facts.clusterName, vpcId);
  actions.push({
    description: `wait up to ${human(timeoutMs)} until AWS shows the controllers' load balancers, target groups, Karpenter instances and their network interfaces gone`,
    run: () => waitUntilGone(ctx, "the controllers' cleanup", probes, timeoutMs),
  });
  if (zoneId) {
    const planned = externalDnsRecords(await api.listRecordSets(zoneId));
    if (planned.length > 0) {
      actions.push({
        // external-dns runs with policy upsert-only (deploy/k8s add-ons), so it never deletes a record; after
        // the wait no Ingress is left for it to write the records back from.
        description: `delete the ${planned.length} record(s) external-dns owns in zone ${model.edge.domainName} (${[...new Set(planned.map((r) => r.name))].join(', ')})`,
        run: async () => {
          await api.deleteRecordSets(zoneId, externalDnsRecords(await api.listRecordSets(zoneId)));
          await waitUntilGone(
            ctx,
            `external-dns's records in ${model.edge.domainName}`,
            [
              {
                kind: 'record',
                list: async () =>
                  externalDnsRecords(await api.listRecordSets(zoneId)).map((r) => `${r.name} ${r.type}`),
              },
            ],
            timeoutMs,
          );
        },
      });
    }
  }
  for (const stack of present) {
    if (stack.id === 'Data' && model.database.protect) {
      const db = await api.describeDbInstance(facts.dbInstanceId);
      if (db) {
        actions.push({
          description: `turn off deletion protection of RDS instance ${db.id} (DeletionPolicy Snapshot still takes a final snapshot)`,
          run: () => api.disableDbDeletionProtection(db.id),
        });
      }
    }
    actions.push({
      description: `delete stack ${stack.name} (${stack.region}) and wait`,
      run: () => deleteStack(ctx, api, stack),
    });
  }

  const kept = retainedResources(model);
  if (!options.dryRun) await confirmTeardown(ctx, actions, kept);
  const done = await ctx.apply(actions);
  printResult(ctx, done, kept);
}

/** Prod: --yes and the stage name typed on stdin. Elsewhere: y/N unless --yes. The plan is shown first. */
async function confirmTeardown(ctx: Context, actions: readonly Action[], kept: readonly RetainedResource[]) {
  const { stage } = ctx.facts;
  const question = `tear down ${stage} (${actions.length} steps above, every stack deleted, ${kept.length} resources kept by design)`;
  if (stage !== 'prod') {
    if (!ctx.options.yes) for (const a of actions) ctx.deps.stderr(`  - ${a.description}`);
    return ctx.confirm(question, { prodNeedsYes: false });
  }
  for (const a of actions) ctx.deps.stderr(`  - ${a.description}`);
  const typed = await ctx.deps.ask(`${question}? Type the stage name (${stage}) to go on: `);
  if (typed === null) {
    throw refusedError(`refusing to tear down ${stage}: no typed confirmation on stdin (type "${stage}")`);
  }
  if (typed !== stage) throw refusedError(`refusing to tear down ${stage}: typed "${typed}", not "${stage}"`);
}

function printResult(ctx: Context, actions: readonly string[], kept: readonly RetainedResource[]) {
  const { stage } = ctx.facts;
  const outside = `manual RDS snapshots ${databaseSnapshotPrefix(stage)}* taken by conduit backup (outside any stack)`;
  ctx.print(
    {
      command: 'teardown',
      stage,
      dryRun: ctx.options.dryRun,
      actions,
      keptByDesign: [
        ...kept.map((k) => ({ stack: k.stack, what: k.what, removeWith: k.removeWith })),
        { stack: null, what: outside, removeWith: 'conduit backup list, then aws rds delete-db-snapshot' },
      ],
    },
    () =>
      [
        ctx.options.dryRun ? `teardown ${stage}: dry run, nothing changed` : `teardown ${stage}: done`,
        ...actions.map((a) => `  - ${a}`),
        `kept by design: ${[...kept.map((k) => k.what), outside].join('; ')}`,
        'to remove them by hand: docs/operations.md#teardown',
      ].join('\n'),
  );
}
