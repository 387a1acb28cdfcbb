import {
  CI_ROLES,
  CLUSTER_RUNNER_VARIABLE,
  ciRoleName,
  ciRoleOutput,
  ciRoleSubjects,
  ciRolesOf,
  ciRoleVariable,
} from './ci.js';
import {
  APP_NAMESPACE,
  argoApplicationNames,
  backupBucketName,
  CRON_JOBS,
  clusterName,
  containerLogGroupName,
  databaseIdentifier,
  databaseSecretName,
  dumpPrefix,
  ecrRepositoryName,
  gitopsPath,
  INGRESS_NAME,
  jwtSecretName,
  migrateJobName,
} from './names.js';
import { OPTION_DOCS, OPTION_VALUES, type OptionField } from './options.js';
import { SCENARIOS, scenarioStage } from './scenarios.js';
import { createSecretCommand, grafanaAdminSecretName, PERSON_CREATED_SECRETS } from './secrets.js';
import { retainedResources, STACK_IDS, stackName, teardownOrder } from './stacks.js';
import { publicSubnetCidrs, STAGE_NAMES, STAGES, type Stage, type StageName } from './stages.js';
import { images, WORKLOADS, type Workload, workloadsIn } from './workloads.js';

/**
 * Markdown tables that restate the model, generated so they cannot drift: `npm run docs -w @conduit/platform`
 * rewrites each between its markers, and docs.test.ts fails while a committed copy differs.
 */

/** A Markdown table laid out the way the repository's formatter (Biome) lays it out. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const code = (value: string | number) => `\`${value}\``;
const perStage = (fact: string, value: (s: Stage) => string): string[] => [
  fact,
  ...STAGE_NAMES.map((name) => value(STAGES[name])),
];
const header = ['fact', ...STAGE_NAMES];
const onOff = (on: boolean) => (on ? 'yes' : 'no');

/** deploy/aws/README.md: what each stage's stacks are built from. */
export function awsStageTable(): string {
  return table(header, [
    perStage('account / region', (s) => `${s.account} / ${s.region}`),
    perStage('domain', (s) => code(s.edge.domainName)),
    perStage('AZs / NAT gateways', (s) => `${s.network.azCount} / ${s.network.natGateways}`),
    perStage('EKS endpoint (public ranges)', (s) =>
      s.cluster.endpointAccess === 'private'
        ? 'private'
        : `public-and-private (${s.cluster.publicAccessCidrs.map(code).join(' ')})`,
    ),
    perStage('system nodes (min/desired/max)', (s) => {
      const n = s.cluster.systemNodes;
      return `${n.minSize}/${n.desiredSize}/${n.maxSize} ${n.instanceType}`;
    }),
    perStage(
      'Karpenter vCPU limit, capacity',
      (s) => `${s.cluster.karpenterCpuLimit}, ${s.cluster.karpenterCapacityTypes.join('+')}`,
    ),
    perStage('workload identity', (s) => s.options.workloadIdentity),
    perStage('RDS', (s) => {
      const d = s.database;
      return `${d.instanceType}, ${d.allocatedStorageGiB}-${d.maxAllocatedStorageGiB} GiB${d.multiAz ? ', Multi-AZ' : ''}`;
    }),
    perStage(
      'RDS backups (days), protected',
      (s) => `${s.database.backupRetentionDays}, ${onOff(s.database.protect)}`,
    ),
    perStage(
      'backup retention (days), object lock',
      (s) => `${s.backup.retentionDays}, ${onOff(s.backup.objectLock)}`,
    ),
    perStage('cross-region backup copy', (s) => s.backupCopyRegion ?? 'no'),
    perStage('log retention (days): control plane, containers, flow logs', (s) =>
      [s.cluster.logRetentionDays, s.cluster.containerLogRetentionDays, s.network.flowLogRetentionDays].join(
        ', ',
      ),
    ),
    perStage(
      'CloudFront price class, WAF rate limit / 5 min',
      (s) => `${s.edge.priceClass}, ${s.edge.rateLimitPer5Min}`,
    ),
  ]);
}

const size = (w: Workload, stage: StageName) => {
  const s = w.stages[stage];
  if (!s) return 'off';
  return `${s.minReplicas}-${s.maxReplicas} (CPU ${s.targetCpuPercent}%), ${s.cpuRequest}/${s.cpuLimit} CPU, ${s.memoryRequest}/${s.memoryLimit}`;
};

/** deploy/k8s/README.md: what each stage renders. */
export function k8sStageTable(): string {
  return table(header, [
    perStage('host (Ingress)', (s) => code(`origin.${s.edge.domainName}`)),
    perStage(
      'router, database, secret store',
      (s) => `${s.options.router}, ${s.options.database}, ${s.options.secretStore}`,
    ),
    perStage('load balancer subnets (ALB ingress policy)', (s) => publicSubnetCidrs(s.network).join(' ')),
    perStage('database subnets (egress policy)', (s) => s.network.databaseSubnetCidrs.join(' ')),
    ...WORKLOADS.map((w) => [
      `${code(w.name)} replicas (HPA), requests/limits`,
      ...STAGE_NAMES.map((name) => size(w, name)),
    ]),
    perStage('canary pauses at 20/50/80 % (s)', (s) => s.canary.pauseSeconds.join(', ')),
    perStage(
      'analysis interval / initial delay (s)',
      (s) => `${s.canary.intervalSeconds} / ${s.canary.initialDelaySeconds}`,
    ),
    perStage(
      'analysis failure / inconclusive limit, step count',
      (s) => `${s.canary.failureLimit} / ${s.canary.inconclusiveLimit}, ${s.canary.stepCount}`,
    ),
    perStage('scrape interval (s)', (s) => String(s.scrapeIntervalSeconds)),
    perStage('zone spread', (s) => s.zoneSpread),
    perStage('log level', (s) => s.logLevel),
  ]);
}

/** deploy/k8s/README.md: every option value, who runs it, the scenarios CI renders it in, what it changes. */
export function optionsTable(): string {
  const rows = (Object.keys(OPTION_VALUES) as OptionField[]).flatMap((field) =>
    OPTION_VALUES[field].map((value) => {
      const doc = (OPTION_DOCS[field] as Record<string, { purpose: string; changes: string }>)[value]!;
      const stages = STAGE_NAMES.filter((name) => STAGES[name].options[field] === value);
      const scenarios = SCENARIOS.filter((s) => scenarioStage(s).options[field] === value).map((s) => s.name);
      return [
        `${code(field)}: ${code(value)}`,
        stages.join(', ') || 'none',
        scenarios.join(', '),
        doc.purpose,
        doc.changes,
      ];
    }),
  );
  return table(['option', 'stages', 'scenarios (CI)', 'for', 'what changes'], rows);
}

/** docs/operations.md: the names the ops CLI finds resources by. */
export function namesTable(): string {
  // The names are patterns here: every stage's name is the same function of it.
  const stage = '<stage>' as StageName;
  const workloads = (s: StageName) => workloadsIn(s).map((w) => code(w.workload.name));
  const migrator = WORKLOADS.find((w) => w.migrations);
  return table(
    ['resource', 'name', 'created by'],
    [
      ['EKS cluster', code(clusterName(stage)), 'deploy/aws'],
      ['namespace', code(APP_NAMESPACE), 'deploy/k8s'],
      ['Rollout, HPA, PDB, Service', [...new Set(STAGE_NAMES.flatMap(workloads))].join(', '), 'deploy/k8s'],
      ['Ingress', code(INGRESS_NAME), 'deploy/k8s'],
      ...(migrator
        ? [['migrate Job (Argo CD PreSync)', code(migrateJobName(migrator.name)), 'deploy/k8s']]
        : []),
      ['backup CronJobs', `${code(CRON_JOBS.backup)}, ${code(CRON_JOBS.restoreDrill)}`, 'deploy/k8s'],
      [
        'Argo CD Applications',
        `${code(argoApplicationNames.root(stage))}, ${code(argoApplicationNames.platform(stage))}, ${code(argoApplicationNames.app(stage))}`,
        'deploy/k8s',
      ],
      [
        'RDS instance',
        `${code(databaseIdentifier(stage))}; manual snapshots ${code(`${databaseIdentifier(stage)}-YYYYMMDD-HHMMSS`)}`,
        'deploy/aws',
      ],
      [
        'secrets',
        [databaseSecretName(stage), jwtSecretName(stage), grafanaAdminSecretName(stage)].map(code).join(', '),
        'deploy/aws',
      ],
      ['container log group', code(containerLogGroupName(stage)), 'deploy/aws'],
      [
        'ECR repositories',
        images()
          .map((i) => code(ecrRepositoryName(i)))
          .join(', '),
        'deploy/aws',
      ],
      [
        'backup bucket',
        `${code(backupBucketName({ name: stage, account: '<account>' }))}, dumps under ${code(dumpPrefix(stage))}`,
        'deploy/aws',
      ],
      [
        'retention (prune)',
        STAGE_NAMES.map((s) => `${s} ${STAGES[s].backup.retentionDays} days`).join(', '),
        'deploy/aws',
      ],
      ['rendered manifests', code(gitopsPath(stage)), 'deploy/k8s'],
      ['CloudFormation stacks', STACK_IDS.map((id) => code(stackName(stage, id))).join(', '), 'deploy/aws'],
    ],
  );
}

/** docs/operations.md: the order `conduit teardown` deletes stacks in and what their deletion keeps. */
export function teardownTable(): string {
  // A stage with every optional stack and protection, written as patterns; the rows say where each applies.
  const pattern = {
    name: '<stage>' as StageName,
    account: '<account>',
    region: '<region>',
    backupCopyRegion: '<copy region>',
    database: { protect: true },
  } as Pick<Stage, 'name' | 'account' | 'region' | 'backupCopyRegion' | 'database'>;
  const onlyWhere = (id: string, policy: string) =>
    id === 'BackupCopy'
      ? STAGE_NAMES.filter((n) => STAGES[n].backupCopyRegion).join(', ')
      : policy === 'Snapshot'
        ? STAGE_NAMES.filter((n) => STAGES[n].database.protect).join(', ')
        : 'all';
  const order = teardownOrder(pattern).map((s) => s.id);
  const rows = retainedResources(pattern)
    .sort((a, b) => order.indexOf(a.stack) - order.indexOf(b.stack))
    .map((r) => [
      `${order.indexOf(r.stack) + 1}. ${r.stack}`,
      r.what,
      `${r.policy}`,
      onlyWhere(r.stack, r.policy),
      code(r.removeWith),
    ]);
  return table(['deleted (order)', 'kept', 'policy', 'stages', 'remove by hand with'], rows);
}

/**
 * docs/operations.md: the secrets a person creates before a stage's first sync (deploy/aws creates the rest),
 * each with the exact command; External Secrets reports `SecretSyncedError` until they exist.
 */
export function personSecretsTable(): string {
  return table(
    ['secret', 'for', 'keys', 'create it with'],
    PERSON_CREATED_SECRETS.flatMap((s) =>
      STAGE_NAMES.map((name) => [
        code(s.name(name)),
        s.purpose,
        Object.entries(s.keys)
          .map(([k, what]) => `${code(k)}: ${what}`)
          .join('; '),
        code(createSecretCommand(s, STAGES[name])),
      ]),
    ),
  );
}

/**
 * .github/workflows/README.md: every variable a workflow reads, where it is set and the stack output that
 * gives its value; deploy/system checks each workflow's `role-to-assume` against this table and the templates.
 */
export function ciVariablesTable(): string {
  const rows: string[][] = [];
  for (const role of CI_ROLES) {
    for (const stage of STAGE_NAMES) {
      if (!ciRolesOf(stage).includes(role)) continue;
      rows.push([
        code(ciRoleVariable(stage, role.id)),
        role.scope === 'environment' ? `environment \`${stage}\`` : 'repository',
        `\`conduit-${stage}-ci-identity\` \`${ciRoleOutput(role.id)}\``,
        code(ciRoleName(stage, role.id)),
        ciRoleSubjects(stage, role.id)
          .map((s) => code(s.replace(/^repo:[^:]+:/, '')))
          .join(', '),
      ]);
    }
  }
  for (const stage of STAGE_NAMES) {
    rows.push([
      code('EKS_CLUSTER_NAME'),
      `environment \`${stage}\``,
      `\`conduit-${stage}-cluster\` \`ClusterName\``,
      '',
      '',
    ]);
  }
  rows.push([
    code(CLUSTER_RUNNER_VARIABLE),
    'repository',
    "runner labels (JSON) of a runner whose egress the stages' `cluster.publicAccessCidrs` list (not a stack output)",
    '',
    '',
  ]);
  return table(['variable', 'set on', 'value: stack output', 'role', 'trusted OIDC subject'], rows);
}

/** Each generated section: the file it lives in (from the repository root) and its content. */
export const GENERATED_SECTIONS = [
  { file: 'deploy/aws/README.md', name: 'stages', render: awsStageTable },
  { file: 'deploy/k8s/README.md', name: 'stages', render: k8sStageTable },
  { file: 'deploy/k8s/README.md', name: 'options', render: optionsTable },
  { file: 'docs/operations.md', name: 'names', render: namesTable },
  { file: 'docs/operations.md', name: 'teardown', render: teardownTable },
  { file: 'docs/operations.md', name: 'person-created secrets', render: personSecretsTable },
  { file: '.github/workflows/README.md', name: 'ci-variables', render: ciVariablesTable },
] as const;

const begin = (name: string) =>
  `<!-- generated from packages/platform (npm run docs -w @conduit/platform): ${name} -->`;
const end = (name: string) => `<!-- end of generated ${name} -->`;

/** `text` with the section between the markers of `name` replaced; throws when the markers are missing. */
export function withSection(text: string, file: string, name: string, content: string): string {
  const start = text.indexOf(begin(name));
  const stop = text.indexOf(end(name));
  if (start < 0 || stop < start) {
    throw new Error(
      `${file}: missing the markers of the generated section "${name}" (${begin(name)} ... ${end(name)})`,
    );
  }
  return `${text.slice(0, start)}${begin(name)}\n\n${content}\n\n${text.slice(stop)}`;
}
