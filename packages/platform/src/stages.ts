import { fail, isDnsLabel } from './check.js';
import { OPTION_VALUES, type OptionField, type StageOptions } from './options.js';

/** The stages in promotion order: an image reaches a stage only after the one before it ran it. */
export const STAGE_NAMES = ['dev', 'staging', 'prod'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** The GitHub repository that owns the platform; CI roles trust only it and Argo CD pulls from it. */
export const GITHUB_REPOSITORY = { owner: 'conduit-platform', name: 'conduit' } as const;

/** Where Alertmanager mails warnings, and the sender it uses (deploy/observability). */
export const ALERT_EMAIL = { to: 'conduit-oncall@example.com', from: 'alertmanager@example.com' } as const;

export interface NetworkFacts {
  /**
   * The VPC of the stage. With the VPC CNI every pod has an address in it, so no network policy admits it
   * whole: the HTTP workloads admit only `publicSubnetCidrs(network)`, where the ALB lives.
   */
  readonly vpcCidr: string;
  /** Availability zones used (2 in dev to halve NAT and endpoint cost). */
  readonly azCount: 2 | 3;
  /** NAT gateways: one per AZ in prod, one shared in dev and staging. */
  readonly natGateways: number;
  /** Flow-log retention in days. */
  readonly flowLogRetentionDays: number;
  /**
   * The database subnets deploy/aws carves out of the VPC (one /24 per AZ after the public /24s and the
   * private /19s); the only PostgreSQL egress the pods get. deploy/aws checks its VPC produces them.
   */
  readonly databaseSubnetCidrs: readonly string[];
}

export interface NodeGroupFacts {
  readonly instanceType: string;
  readonly minSize: number;
  readonly desiredSize: number;
  readonly maxSize: number;
}

export interface ClusterFacts {
  /** Kubernetes minor version; the kubectl layer package must match (lambda-layer-kubectl-v35). */
  readonly kubernetesVersion: '1.35';
  /** `private`: the API is reachable only from inside the VPC (prod). */
  readonly endpointAccess: 'private' | 'public-and-private';
  /**
   * The only ranges that reach a public endpoint: the operators' VPN or office egress. Never `/0` (the model
   * refuses it) and empty for a private endpoint. `ENDPOINT_RANGE_PLACEHOLDER` is a documentation range
   * (TEST-NET-3) that reaches nothing: replace it with your own before the first deploy.
   */
  readonly publicAccessCidrs: readonly string[];
  /** IAM role names (in the stage's account) that get cluster-admin access entries. */
  readonly adminRoleNames: readonly string[];
  /** IAM role names that get read-only access to the app namespace. */
  readonly viewerRoleNames: readonly string[];
  /** The managed node group for system pods (CoreDNS, Karpenter, Argo CD). */
  readonly systemNodes: NodeGroupFacts;
  /** Upper bound of the vCPUs Karpenter may launch for app capacity. */
  readonly karpenterCpuLimit: number;
  /** Karpenter capacity types for app nodes. */
  readonly karpenterCapacityTypes: readonly ('spot' | 'on-demand')[];
  /** Retention of the EKS control-plane log group, in days. */
  readonly logRetentionDays: number;
  /** Retention of the container log group Fluent Bit writes to (CDK owns the group). */
  readonly containerLogRetentionDays: 7 | 30 | 90;
}

export interface DatabaseFacts {
  readonly instanceType: string;
  readonly allocatedStorageGiB: number;
  readonly maxAllocatedStorageGiB: number;
  readonly multiAz: boolean;
  readonly backupRetentionDays: number;
  /** Deletion protection plus snapshot-on-delete. */
  readonly protect: boolean;
  /** PostgreSQL port (the egress network policy opens it). */
  readonly port: number;
}

export interface EdgeFacts {
  /** The public name of the app; the hosted zone is created for it, the Ingress serves `origin.<domain>`. */
  readonly domainName: string;
  /** Requests per 5 minutes per client IP before WAF blocks. */
  readonly rateLimitPer5Min: number;
  readonly priceClass: 'PriceClass_100' | 'PriceClass_All';
}

export interface BackupFacts {
  /** Object lock (governance mode) on the backup bucket. */
  readonly objectLock: boolean;
  /** Days backups are kept (bucket lifecycle, AWS Backup, and what `conduit backup run` prunes). */
  readonly retentionDays: number;
  /** Copy AWS Backup recovery points to the stage's `backupCopyRegion`. */
  readonly crossRegionCopy: boolean;
}

export interface GitOpsFacts {
  /** The repository Argo CD pulls the rendered manifests from. */
  readonly repoUrl: string;
  readonly targetRevision: string;
}

/** Cadence of the canary: pauses between weights and the analysis runs; see deploy/k8s README. */
export interface CanaryFacts {
  /** Pause after each canary weight (20%, 50%, 80%), in seconds. */
  readonly pauseSeconds: readonly [number, number, number];
  /** Seconds between measurements. */
  readonly intervalSeconds: number;
  /** Delay before the first background measurement, so the rate windows hold canary samples. */
  readonly initialDelaySeconds: number;
  /** The run fails once more than this many measurements failed. */
  readonly failureLimit: number;
  /** The run turns Inconclusive (rollout pauses for a human) once more than this many were inconclusive. */
  readonly inconclusiveLimit: number;
  /** Measurements per inline analysis step. */
  readonly stepCount: number;
}

/** Everything the platform knows about one stage. */
export interface Stage {
  readonly name: StageName;
  /** The AWS account the stage runs in (12 digits). */
  readonly account: string;
  /** Always us-east-1: CloudFront accepts ACM certificates and WAF web ACLs only from there. */
  readonly region: string;
  /** Region of the disaster-recovery backup vault; set exactly when `backup.crossRegionCopy` is on. */
  readonly backupCopyRegion?: string;
  readonly options: StageOptions;
  readonly network: NetworkFacts;
  readonly cluster: ClusterFacts;
  readonly database: DatabaseFacts;
  readonly edge: EdgeFacts;
  readonly backup: BackupFacts;
  readonly gitops: GitOpsFacts;
  readonly canary: CanaryFacts;
  /** Prometheus scrape interval of the app's ServiceMonitors, in seconds. */
  readonly scrapeIntervalSeconds: number;
  /** `DoNotSchedule` refuses to place a pod that would unbalance zones. */
  readonly zoneSpread: 'DoNotSchedule' | 'ScheduleAnyway';
  /** Log level of our Node workloads. */
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
}

/**
 * A placeholder for `cluster.publicAccessCidrs`: TEST-NET-3 (RFC 5737) is routed nowhere, so a cluster
 * deployed with it has a public endpoint nobody reaches until the operator puts their VPN's range here.
 */
export const ENDPOINT_RANGE_PLACEHOLDER = '203.0.113.0/24';

const repoUrl = `https://github.com/${GITHUB_REPOSITORY.owner}/${GITHUB_REPOSITORY.name}.git`;
const VPC_CIDR = '10.0.0.0/16';
const awsModules: StageOptions = {
  router: 'alb',
  database: 'rds',
  secretStore: 'external-secrets',
  workloadIdentity: 'pod-identity',
};
const cluster = {
  kubernetesVersion: '1.35',
  adminRoleNames: ['conduit-platform-admin'],
  viewerRoleNames: ['conduit-developer'],
} as const;

const DEV: Stage = {
  name: 'dev',
  account: '111111111111',
  region: 'us-east-1',
  options: awsModules,
  network: {
    vpcCidr: VPC_CIDR,
    azCount: 2,
    natGateways: 1,
    flowLogRetentionDays: 30,
    databaseSubnetCidrs: ['10.0.96.0/24', '10.0.97.0/24'],
  },
  cluster: {
    ...cluster,
    endpointAccess: 'public-and-private',
    publicAccessCidrs: [ENDPOINT_RANGE_PLACEHOLDER],
    systemNodes: { instanceType: 't3.large', minSize: 2, desiredSize: 2, maxSize: 3 },
    karpenterCpuLimit: 16,
    karpenterCapacityTypes: ['spot', 'on-demand'],
    logRetentionDays: 30,
    containerLogRetentionDays: 7,
  },
  database: {
    instanceType: 't4g.micro',
    allocatedStorageGiB: 20,
    maxAllocatedStorageGiB: 50,
    multiAz: false,
    backupRetentionDays: 7,
    protect: false,
    port: 5432,
  },
  edge: { domainName: 'dev.conduit.example.com', rateLimitPer5Min: 2000, priceClass: 'PriceClass_100' },
  backup: { objectLock: false, retentionDays: 14, crossRegionCopy: false },
  gitops: { repoUrl, targetRevision: 'main' },
  canary: {
    pauseSeconds: [30, 30, 30],
    intervalSeconds: 20,
    initialDelaySeconds: 30,
    failureLimit: 1,
    inconclusiveLimit: 3,
    stepCount: 3,
  },
  scrapeIntervalSeconds: 15,
  zoneSpread: 'ScheduleAnyway',
  logLevel: 'debug',
};

const STAGING: Stage = {
  name: 'staging',
  account: '222222222222',
  region: 'us-east-1',
  options: awsModules,
  network: {
    vpcCidr: VPC_CIDR,
    azCount: 3,
    natGateways: 1,
    flowLogRetentionDays: 90,
    databaseSubnetCidrs: ['10.0.128.0/24', '10.0.129.0/24', '10.0.130.0/24'],
  },
  cluster: {
    ...cluster,
    endpointAccess: 'public-and-private',
    publicAccessCidrs: [ENDPOINT_RANGE_PLACEHOLDER],
    systemNodes: { instanceType: 'm6i.large', minSize: 2, desiredSize: 2, maxSize: 3 },
    karpenterCpuLimit: 32,
    karpenterCapacityTypes: ['spot', 'on-demand'],
    logRetentionDays: 90,
    containerLogRetentionDays: 30,
  },
  database: {
    instanceType: 't4g.medium',
    allocatedStorageGiB: 50,
    maxAllocatedStorageGiB: 200,
    multiAz: false,
    backupRetentionDays: 7,
    protect: false,
    port: 5432,
  },
  edge: { domainName: 'staging.conduit.example.com', rateLimitPer5Min: 2000, priceClass: 'PriceClass_100' },
  backup: { objectLock: false, retentionDays: 30, crossRegionCopy: false },
  gitops: { repoUrl, targetRevision: 'main' },
  canary: {
    pauseSeconds: [120, 120, 120],
    intervalSeconds: 30,
    initialDelaySeconds: 30,
    failureLimit: 1,
    inconclusiveLimit: 2,
    stepCount: 4,
  },
  scrapeIntervalSeconds: 15,
  zoneSpread: 'ScheduleAnyway',
  logLevel: 'info',
};

const PROD: Stage = {
  name: 'prod',
  account: '333333333333',
  region: 'us-east-1',
  backupCopyRegion: 'us-west-2',
  options: awsModules,
  network: {
    vpcCidr: VPC_CIDR,
    azCount: 3,
    natGateways: 3,
    flowLogRetentionDays: 365,
    databaseSubnetCidrs: ['10.0.128.0/24', '10.0.129.0/24', '10.0.130.0/24'],
  },
  cluster: {
    ...cluster,
    endpointAccess: 'private',
    publicAccessCidrs: [],
    systemNodes: { instanceType: 'm6i.large', minSize: 3, desiredSize: 3, maxSize: 6 },
    karpenterCpuLimit: 128,
    karpenterCapacityTypes: ['on-demand'],
    logRetentionDays: 365,
    containerLogRetentionDays: 90,
  },
  database: {
    instanceType: 'm7g.large',
    allocatedStorageGiB: 100,
    maxAllocatedStorageGiB: 1000,
    multiAz: true,
    backupRetentionDays: 14,
    protect: true,
    port: 5432,
  },
  edge: { domainName: 'conduit.example.com', rateLimitPer5Min: 2000, priceClass: 'PriceClass_All' },
  backup: { objectLock: true, retentionDays: 35, crossRegionCopy: true },
  gitops: { repoUrl, targetRevision: 'main' },
  canary: {
    pauseSeconds: [300, 300, 300],
    intervalSeconds: 30,
    initialDelaySeconds: 30,
    failureLimit: 1,
    inconclusiveLimit: 2,
    stepCount: 4,
  },
  scrapeIntervalSeconds: 15,
  zoneSpread: 'DoNotSchedule',
  logLevel: 'info',
};

/** The worst the canary analysis may let a bad version run after its first weight, in seconds. */
export const MAX_ABORT_SECONDS = 120;

/**
 * Worst case from the canary's first weight to the abort, for a canary that is bad from its first request:
 * the background run waits `initialDelay`, then needs `failureLimit + 1` failed measurements `interval` apart;
 * the signal itself lags by up to two scrapes (a rate needs two samples).
 */
export function worstCaseAbortSeconds(stage: Pick<Stage, 'canary' | 'scrapeIntervalSeconds'>): number {
  const c = stage.canary;
  return c.initialDelaySeconds + c.failureLimit * c.intervalSeconds + 2 * stage.scrapeIntervalSeconds;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * The public subnets deploy/aws carves first out of the VPC: one /24 per AZ from the VPC's base address
 * (then the private /19s, then `databaseSubnetCidrs`). The ALB (target type ip) connects to the pods, health
 * checks included, from its ENIs in them, so they are all the HTTP workloads' ingress policies admit.
 * deploy/aws's network test checks its VPC produces exactly these.
 */
export function publicSubnetCidrs(network: Pick<NetworkFacts, 'vpcCidr' | 'azCount'>): string[] {
  const m = CIDR.exec(network.vpcCidr);
  if (!m) throw new Error(`network.vpcCidr (${network.vpcCidr}) must be an IPv4 CIDR`);
  const base = m.slice(1, 5).reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const prefix = Number(m[5]);
  if (prefix > 24 - Math.ceil(Math.log2(network.azCount))) {
    throw new Error(`network.vpcCidr (${network.vpcCidr}) is too small for ${network.azCount} public /24s`);
  }
  return Array.from({ length: network.azCount }, (_, i) => `${ipv4(base + i * 256)}/24`);
}

function ipv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** Whether a CIDR admits every address (`/0`), whatever its address part says. */
export function isAnyAddress(cidr: string): boolean {
  return /\/0$/.test(cidr.trim());
}

/** Checks the rules no type can express; throws naming the stage, the field and the rule. */
export function validateStage(s: Stage): Stage {
  const where = `stage ${s.name}`;
  if (!(STAGE_NAMES as readonly string[]).includes(s.name)) {
    fail(where, 'name', `must be one of ${STAGE_NAMES.join(', ')}`);
  }
  if (!/^\d{12}$/.test(s.account)) fail(where, 'account', `(${s.account}) must be a 12-digit AWS account id`);
  if (s.region !== 'us-east-1') {
    fail(where, 'region', `(${s.region}) must be us-east-1 (CloudFront certificates and WAF live there)`);
  }
  for (const field of Object.keys(OPTION_VALUES) as OptionField[]) {
    const known: readonly string[] = OPTION_VALUES[field];
    if (!known.includes(s.options[field])) {
      fail(where, `options.${field}`, `(${s.options[field]}) must be one of ${known.join(', ')}`);
    }
  }
  if (s.backup.crossRegionCopy !== (s.backupCopyRegion !== undefined)) {
    fail(where, 'backupCopyRegion', 'must be set exactly when backup.crossRegionCopy is on');
  }
  if (s.backupCopyRegion === s.region) {
    fail(where, 'backupCopyRegion', `must differ from region (${s.region})`);
  }
  const n = s.network;
  for (const [field, cidr] of [
    ['network.vpcCidr', n.vpcCidr],
    ...n.databaseSubnetCidrs.map((c, i) => [`network.databaseSubnetCidrs[${i}]`, c] as const),
  ] as const) {
    if (!CIDR.test(cidr)) fail(where, field, `(${cidr}) must be an IPv4 CIDR`);
  }
  if (n.databaseSubnetCidrs.length !== n.azCount) {
    fail(
      where,
      'network.databaseSubnetCidrs',
      `lists ${n.databaseSubnetCidrs.length} subnets; azCount needs ${n.azCount}`,
    );
  }
  if (n.natGateways < 1 || n.natGateways > n.azCount) {
    fail(where, 'network.natGateways', `(${n.natGateways}) must be between 1 and azCount (${n.azCount})`);
  }
  const c = s.cluster;
  if (c.endpointAccess === 'public-and-private' && c.publicAccessCidrs.length === 0) {
    fail(where, 'cluster.publicAccessCidrs', 'must list at least one range for a public endpoint');
  }
  if (c.endpointAccess === 'private' && c.publicAccessCidrs.length > 0) {
    fail(where, 'cluster.publicAccessCidrs', 'must be empty for a private endpoint (it would be ignored)');
  }
  for (const [i, cidr] of c.publicAccessCidrs.entries()) {
    const field = `cluster.publicAccessCidrs[${i}]`;
    if (!CIDR.test(cidr)) fail(where, field, `(${cidr}) must be an IPv4 CIDR`);
    // A /0 opens the Kubernetes API to the whole internet; only the operators' ranges may reach it.
    if (isAnyAddress(cidr)) {
      fail(
        where,
        field,
        `(${cidr}) must not admit every address: list your VPN/office ranges or set cluster.endpointAccess to private`,
      );
    }
  }
  const nodes = s.cluster.systemNodes;
  if (!(nodes.minSize <= nodes.desiredSize && nodes.desiredSize <= nodes.maxSize)) {
    fail(where, 'cluster.systemNodes', 'must have minSize <= desiredSize <= maxSize');
  }
  if (!isDnsName(s.edge.domainName))
    fail(where, 'edge.domainName', `(${s.edge.domainName}) must be a DNS name`);
  if (s.backup.retentionDays < 1) fail(where, 'backup.retentionDays', 'must be at least 1');
  if (s.canary.pauseSeconds.some((p) => p < 0)) fail(where, 'canary.pauseSeconds', 'must not be negative');
  if (s.canary.intervalSeconds < s.scrapeIntervalSeconds) {
    fail(
      where,
      'canary.intervalSeconds',
      `(${s.canary.intervalSeconds}s) must be >= scrapeIntervalSeconds (${s.scrapeIntervalSeconds}s)`,
    );
  }
  const worst = worstCaseAbortSeconds(s);
  if (worst > MAX_ABORT_SECONDS) {
    fail(
      where,
      'canary',
      `lets a bad canary run ${worst}s after its first step; the limit is ${MAX_ABORT_SECONDS}s`,
    );
  }
  return s;
}

function isDnsName(name: string): boolean {
  return name.split('.').every(isDnsLabel) && name.includes('.');
}

/** Checks the stage table itself: one entry per stage, keyed by its name, in promotion order. */
export function validateStages(stages: Readonly<Record<string, Stage>>): Readonly<Record<StageName, Stage>> {
  const names = Object.keys(stages);
  if (names.join() !== STAGE_NAMES.join()) {
    fail('stages', 'order', `(${names.join(', ')}) must be the promotion order ${STAGE_NAMES.join(', ')}`);
  }
  for (const [key, s] of Object.entries(stages)) {
    if (s.name !== key) fail(`stages.${key}`, 'name', `(${s.name}) must equal its key`);
    validateStage(s);
  }
  return stages as Readonly<Record<StageName, Stage>>;
}

/** Every stage, keyed by name in promotion order, validated once when the model is loaded. */
export const STAGES = validateStages({ dev: DEV, staging: STAGING, prod: PROD });

export function isStageName(value: string): value is StageName {
  return (STAGE_NAMES as readonly string[]).includes(value);
}

/** The stage called `name`; an unknown name throws listing the known ones. */
export function stage(name: string): Stage {
  const found = isStageName(name) ? STAGES[name] : undefined;
  if (!found) throw new Error(`unknown stage "${name}" (known: ${STAGE_NAMES.join(', ')})`);
  return found;
}

/** The stage a target is promoted from; the first stage is fed by the release workflow, never promoted into. */
export function promotionSource(target: StageName): StageName {
  const source = STAGE_NAMES[STAGE_NAMES.indexOf(target) - 1];
  if (source === undefined) throw new Error(`stage "${target}" is released by release.yml, not promoted`);
  return source;
}
