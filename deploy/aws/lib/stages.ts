/**
 * Typed per-stage settings. Everything that differs between dev, staging and prod lives here, so a
 * reviewer sees the whole difference in one file; where an AWS account and region come from is in
 * cdk.json (`conduit:environments`), because those differ per company and not per code version.
 */

export const STAGE_NAMES = ['dev', 'staging', 'prod'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** The GitHub repository that owns this infrastructure; CI roles trust only it. */
export const GITHUB_REPOSITORY = { owner: 'conduit-platform', name: 'conduit' } as const;

export interface NetworkSettings {
  /** Availability zones used (2 in dev to halve NAT and endpoint cost). */
  readonly azCount: 2 | 3;
  /** NAT gateways: one per AZ in prod, one shared in dev and staging. */
  readonly natGateways: number;
  /** Flow-log retention in days. */
  readonly flowLogRetentionDays: number;
}

export interface NodeGroupSettings {
  readonly instanceType: string;
  readonly minSize: number;
  readonly desiredSize: number;
  readonly maxSize: number;
}

export interface ClusterSettings {
  /** Kubernetes minor version; the kubectl layer package must match (lambda-layer-kubectl-v35). */
  readonly kubernetesVersion: '1.35';
  /** `private`: the API is reachable only from inside the VPC (prod). */
  readonly endpointAccess: 'private' | 'public-and-private';
  /** CIDRs allowed to reach a public endpoint (ignored for a private one). */
  readonly publicAccessCidrs: readonly string[];
  /** IAM role names (in the stage's account) that get cluster-admin access entries. */
  readonly adminRoleNames: readonly string[];
  /** IAM role names that get read-only access to the `conduit` namespace. */
  readonly viewerRoleNames: readonly string[];
  /** The managed node group for system pods (CoreDNS, Karpenter, Argo CD). */
  readonly systemNodes: NodeGroupSettings;
  /** Upper bound of the vCPUs Karpenter may launch for app capacity. */
  readonly karpenterCpuLimit: number;
  /** Karpenter capacity types for app nodes. */
  readonly karpenterCapacityTypes: readonly ('spot' | 'on-demand')[];
  /** How workloads get AWS credentials: EKS Pod Identity, or IRSA as the fallback. */
  readonly workloadIdentity: 'pod-identity' | 'irsa';
  /** Retention of the EKS control-plane log group, in days. */
  readonly logRetentionDays: number;
  /**
   * Retention of `/conduit/<stage>/containers`, the group Fluent Bit writes every container's logs to.
   * CDK owns the group; Fluent Bit only writes streams into it.
   */
  readonly containerLogRetentionDays: 7 | 30 | 90;
}

export interface DatabaseSettings {
  /** `aurora` adds a reader for seed parity with prod-like read scaling. @default 'instance' */
  readonly engine: 'instance' | 'aurora';
  readonly instanceType: string;
  readonly allocatedStorageGiB: number;
  readonly maxAllocatedStorageGiB: number;
  readonly multiAz: boolean;
  readonly backupRetentionDays: number;
  /** Deletion protection plus snapshot-on-delete. */
  readonly protect: boolean;
}

export interface EdgeSettings {
  /** The public name of the app; the hosted zone is created for it. */
  readonly domainName: string;
  /** Requests per 5 minutes per client IP before WAF blocks. */
  readonly rateLimitPer5Min: number;
  readonly priceClass: 'PriceClass_100' | 'PriceClass_All';
}

export interface BackupSettings {
  /** Object lock (governance mode) on the backup bucket. */
  readonly objectLock: boolean;
  /** Days backups are kept (bucket objects and AWS Backup recovery points). */
  readonly retentionDays: number;
  /** Copy AWS Backup recovery points to the environment's `backupCopyRegion`. */
  readonly crossRegionCopy: boolean;
}

export interface GitOpsSettings {
  /** The repository Argo CD pulls the app-of-apps from. */
  readonly repoUrl: string;
  readonly targetRevision: string;
}

export interface StageSettings {
  readonly name: StageName;
  readonly network: NetworkSettings;
  readonly cluster: ClusterSettings;
  readonly database: DatabaseSettings;
  readonly edge: EdgeSettings;
  readonly backup: BackupSettings;
  readonly gitops: GitOpsSettings;
}

const repoUrl = `https://github.com/${GITHUB_REPOSITORY.owner}/${GITHUB_REPOSITORY.name}.git`;

export const STAGES: Readonly<Record<StageName, StageSettings>> = {
  dev: {
    name: 'dev',
    network: { azCount: 2, natGateways: 1, flowLogRetentionDays: 30 },
    cluster: {
      kubernetesVersion: '1.35',
      endpointAccess: 'public-and-private',
      publicAccessCidrs: ['0.0.0.0/0'],
      adminRoleNames: ['conduit-platform-admin'],
      viewerRoleNames: ['conduit-developer'],
      systemNodes: { instanceType: 't3.large', minSize: 2, desiredSize: 2, maxSize: 3 },
      karpenterCpuLimit: 16,
      karpenterCapacityTypes: ['spot', 'on-demand'],
      workloadIdentity: 'pod-identity',
      logRetentionDays: 30,
      containerLogRetentionDays: 7,
    },
    database: {
      engine: 'instance',
      instanceType: 't4g.micro',
      allocatedStorageGiB: 20,
      maxAllocatedStorageGiB: 50,
      multiAz: false,
      backupRetentionDays: 7,
      protect: false,
    },
    edge: { domainName: 'dev.conduit.example.com', rateLimitPer5Min: 2000, priceClass: 'PriceClass_100' },
    backup: { objectLock: false, retentionDays: 14, crossRegionCopy: false },
    gitops: { repoUrl, targetRevision: 'main' },
  },
  staging: {
    name: 'staging',
    network: { azCount: 3, natGateways: 1, flowLogRetentionDays: 90 },
    cluster: {
      kubernetesVersion: '1.35',
      endpointAccess: 'public-and-private',
      publicAccessCidrs: ['0.0.0.0/0'],
      adminRoleNames: ['conduit-platform-admin'],
      viewerRoleNames: ['conduit-developer'],
      systemNodes: { instanceType: 'm6i.large', minSize: 2, desiredSize: 2, maxSize: 3 },
      karpenterCpuLimit: 32,
      karpenterCapacityTypes: ['spot', 'on-demand'],
      workloadIdentity: 'pod-identity',
      logRetentionDays: 90,
      containerLogRetentionDays: 30,
    },
    database: {
      engine: 'instance',
      instanceType: 't4g.medium',
      allocatedStorageGiB: 50,
      maxAllocatedStorageGiB: 200,
      multiAz: false,
      backupRetentionDays: 7,
      protect: false,
    },
    edge: {
      domainName: 'staging.conduit.example.com',
      rateLimitPer5Min: 2000,
      priceClass: 'PriceClass_100',
    },
    backup: { objectLock: false, retentionDays: 30, crossRegionCopy: false },
    gitops: { repoUrl, targetRevision: 'main' },
  },
  prod: {
    name: 'prod',
    network: { azCount: 3, natGateways: 3, flowLogRetentionDays: 365 },
    cluster: {
      kubernetesVersion: '1.35',
      endpointAccess: 'private',
      publicAccessCidrs: [],
      adminRoleNames: ['conduit-platform-admin'],
      viewerRoleNames: ['conduit-developer'],
      systemNodes: { instanceType: 'm6i.large', minSize: 3, desiredSize: 3, maxSize: 6 },
      karpenterCpuLimit: 128,
      karpenterCapacityTypes: ['on-demand'],
      workloadIdentity: 'pod-identity',
      logRetentionDays: 365,
      containerLogRetentionDays: 90,
    },
    database: {
      engine: 'instance',
      instanceType: 'm7g.large',
      allocatedStorageGiB: 100,
      maxAllocatedStorageGiB: 1000,
      multiAz: true,
      backupRetentionDays: 14,
      protect: true,
    },
    edge: { domainName: 'conduit.example.com', rateLimitPer5Min: 2000, priceClass: 'PriceClass_All' },
    backup: { objectLock: true, retentionDays: 35, crossRegionCopy: true },
    gitops: { repoUrl, targetRevision: 'main' },
  },
};

/** Where a stage is deployed; read from cdk.json so synth never looks anything up. */
export interface StageEnvironment {
  readonly account: string;
  readonly region: string;
  readonly availabilityZones: readonly string[];
  /** Region of the disaster-recovery backup vault; required when backup.crossRegionCopy is on. */
  readonly backupCopyRegion?: string;
}

export interface ContextReader {
  tryGetContext(key: string): unknown;
}

/** Reads and checks a stage's environment from the CDK context; errors name the context key. */
export function resolveEnvironment(context: ContextReader, settings: StageSettings): StageEnvironment {
  const all = context.tryGetContext('conduit:environments');
  if (typeof all !== 'object' || all === null) {
    throw new Error('cdk.json context "conduit:environments" is missing: it maps each stage to its account');
  }
  const field = `conduit:environments.${settings.name}`;
  const raw = (all as Record<string, unknown>)[settings.name] as Record<string, unknown> | undefined;
  if (!raw) throw new Error(`${field} is missing`);
  const { account, region, backupCopyRegion } = raw;
  if (typeof account !== 'string' || !/^\d{12}$/.test(account)) {
    throw new Error(`${field}.account must be a 12-digit AWS account id`);
  }
  if (region !== 'us-east-1') {
    // CloudFront accepts ACM certificates and WAF web ACLs only from us-east-1; keeping the whole stage
    // there avoids cross-region references between the edge stack and the rest.
    throw new Error(`${field}.region must be us-east-1 (CloudFront certificates and WAF live there)`);
  }
  if (settings.backup.crossRegionCopy) {
    if (typeof backupCopyRegion !== 'string' || backupCopyRegion === region) {
      throw new Error(
        `${field}.backupCopyRegion must name a region other than ${region} (cross-region copy)`,
      );
    }
  }
  const availabilityZones = readAzs(context, account, region);
  if (availabilityZones.length < settings.network.azCount) {
    throw new Error(
      `context "availability-zones:account=${account}:region=${region}" lists ${availabilityZones.length} zones; network.azCount needs ${settings.network.azCount}`,
    );
  }
  return {
    account,
    region,
    availabilityZones: availabilityZones.slice(0, settings.network.azCount),
    ...(settings.backup.crossRegionCopy ? { backupCopyRegion: backupCopyRegion as string } : {}),
  };
}

function readAzs(context: ContextReader, account: string, region: string): string[] {
  const key = `availability-zones:account=${account}:region=${region}`;
  const azs = context.tryGetContext(key);
  if (!Array.isArray(azs) || azs.some((az) => typeof az !== 'string' || !az.startsWith(region))) {
    throw new Error(`cdk.json context "${key}" must list the region's zones: synth never looks them up`);
  }
  return azs as string[];
}

export function isStageName(value: string): value is StageName {
  return (STAGE_NAMES as readonly string[]).includes(value);
}
