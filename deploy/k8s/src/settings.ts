/**
 * What the synthesizer renders one stage from: the platform model's stage and workloads (derived in
 * `stages/index.ts`), the images CI wrote, and the details of the router, database and secret modules that
 * only Kubernetes needs. Other option combinations are the model's scenarios (see test/objects.ts).
 */

import {
  imageRef,
  OPS_IMAGE,
  type StageImages,
  type StageName,
  validateStageImages,
  type Workload,
  type WorkloadSize,
} from '@conduit/platform';

/** How traffic reaches the pods and how the canary weight is applied (one module each: `routers/`). */
export type RouterSettings = AlbSettings | NginxSettings;

export interface AlbSettings {
  readonly kind: 'alb';
  /**
   * ACM certificate for the HTTPS listener.
   * @default discovered by the AWS Load Balancer Controller from the Ingress host (deploy/aws's edge
   * certificate names `origin.<domain>`)
   */
  readonly certificateArn?: string;
  /** ALB deregistration delay in seconds; must stay below the preStop sleep. */
  readonly deregistrationDelaySeconds: number;
  /**
   * CIDRs the ALB's ENIs live in (the VPC's public subnets, `publicSubnetCidrs` of the model), the only
   * addresses the HTTP workloads' ingress policies admit on their serving port. Never the whole VPC: with
   * the VPC CNI every pod has a VPC address.
   */
  readonly sourceCidrs: readonly string[];
  /** SSL policy of the HTTPS listener. @default ELBSecurityPolicy-TLS13-1-2-2021-06 */
  readonly sslPolicy?: string;
  /**
   * Name tag of the ALB's security group, which deploy/aws creates admitting HTTPS from CloudFront only
   * (`originSecurityGroupName`); the controller attaches it instead of a group open to the internet.
   */
  readonly securityGroup: string;
}

export interface NginxSettings {
  readonly kind: 'nginx';
  /** Namespace of the ingress-nginx controller pods (the network policies admit those pods only). */
  readonly controllerNamespace: string;
  /** cert-manager ClusterIssuer (ACME HTTP-01 through this controller) that signs the TLS certificate. */
  readonly clusterIssuer: string;
  /** ACME directory the issuer registers with. */
  readonly acmeServer: string;
  /**
   * Name tag of the NLB's security group on AWS, which deploy/aws creates admitting HTTPS from CloudFront
   * only (and port 80 for ACME). @default none: the controller makes a group open to the internet
   */
  readonly loadBalancerSecurityGroup?: string;
}

export interface DatabaseSettings {
  readonly kind: 'rds';
  /**
   * Secrets Manager name of the credentials deploy/aws attaches to the database and rotates
   * (`conduit/<stage>/db`: host, port, dbname, username, password, engine). The URL is built from it,
   * so no endpoint is copied into these settings.
   */
  readonly secretName: string;
  /** PostgreSQL port, for the egress network policy (deploy/aws keeps 5432). */
  readonly port: number;
  /** Private subnets of the database; the only PostgreSQL egress the pods get. */
  readonly subnetCidrs: readonly string[];
}

export interface SecretSettings {
  readonly kind: 'external-secrets';
  readonly region: string;
  /** Secrets Manager name of the JWT signing secret (a plain string). */
  readonly jwtSecretName: string;
}

/** How pods get AWS credentials (one module each: `identities/`). */
export type IdentitySettings =
  | { readonly kind: 'pod-identity' }
  /** The account whose `irsaRoleName` roles the service accounts are annotated with. */
  | { readonly kind: 'irsa'; readonly account: string };

/** A workload of the model that runs in the stage, with its size there. */
export interface DeployedWorkload {
  readonly workload: Workload;
  readonly size: WorkloadSize;
}

/** Cadence of one analysis metric; see README "Worst-case time to abort". */
export interface AnalysisCadence {
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

export interface RenderSettings {
  readonly name: StageName;
  readonly namespace: string;
  /** Public host name of the app. */
  readonly host: string;
  /** One image per image name, from `stages/images/<stage>.json` (written by CI, never by hand). */
  readonly images: StageImages;
  readonly router: RouterSettings;
  readonly database: DatabaseSettings;
  readonly secrets: SecretSettings;
  readonly identity: IdentitySettings;
  /** The workloads that run in the stage, in the model's order. */
  readonly workloads: readonly DeployedWorkload[];
  /** Pause after each canary weight (20%, 50%, 80%), in seconds. */
  readonly pauseSeconds: readonly [number, number, number];
  readonly analysis: AnalysisCadence;
  /** Scrape interval of the ServiceMonitors. */
  readonly scrapeIntervalSeconds: number;
  /** `DoNotSchedule` refuses to place a pod that would unbalance zones. */
  readonly zoneSpread: 'DoNotSchedule' | 'ScheduleAnyway';
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** OTLP endpoint of the collector; omitted disables tracing export. */
  readonly otlpEndpoint?: string;
  /** Namespace and pod labels of the Prometheus that scrapes us. */
  readonly prometheus: { readonly namespace: string; readonly podLabels: Readonly<Record<string, string>> };
  /** Git repository Argo CD syncs the rendered manifests from. */
  readonly gitRepo: string;
  readonly gitRevision: string;
  /** AWS account facts the add-ons need; absent on clusters without AWS. */
  readonly aws?: { readonly region: string; readonly clusterName: string };
}

/** Shutdown timeline shared with the API (DEVELOPERS.md): all values in seconds. */
export const SHUTDOWN = {
  preStopSeconds: 25,
  drainDelaySeconds: 5,
  shutdownTimeoutSeconds: 10,
  terminationGracePeriodSeconds: 45,
} as const;

/**
 * How a rotated database password reaches the pods (docs/operations.md, "Database password rotation"), in
 * seconds. External Secrets re-reads `conduit-db` every `refreshIntervalSeconds`; the kubelet then rewrites
 * the mounted file within its sync period (1 min by default) plus jitter, `kubeletSyncSeconds` at worst.
 * Until then PostgreSQL refuses the password the file holds, so a new connection waits up to `waitSeconds`
 * (DATABASE_PASSWORD_WAIT_MS), and connections are replaced every `maxLifetimeSeconds`.
 */
export const DATABASE_PASSWORD_SYNC = {
  refreshIntervalSeconds: 60,
  kubeletSyncSeconds: 90,
  waitSeconds: 180,
  maxLifetimeSeconds: 1800,
} as const;

export type PasswordSync = { readonly [K in keyof typeof DATABASE_PASSWORD_SYNC]: number };

/** Throws naming the field when a new connection could give up before the file can have caught up. */
export function validatePasswordSync(sync: PasswordSync): PasswordSync {
  const lag = sync.refreshIntervalSeconds + sync.kubeletSyncSeconds;
  if (sync.waitSeconds <= lag) {
    throw new Error(
      `database password sync: waitSeconds (${sync.waitSeconds}s) must exceed refreshIntervalSeconds + kubeletSyncSeconds (${lag}s), the longest the mounted file lags a rotation`,
    );
  }
  // Recycling faster than the file can catch up would retire working old-password connections only to wait.
  if (sync.maxLifetimeSeconds <= sync.waitSeconds) {
    throw new Error(
      `database password sync: maxLifetimeSeconds (${sync.maxLifetimeSeconds}s) must exceed waitSeconds (${sync.waitSeconds}s)`,
    );
  }
  return sync;
}

/**
 * Checks the rules no type can express; throws naming the field and the rule. Replicas and the analysis
 * cadence are checked where they are declared (the platform model).
 */
export function validateRenderSettings(s: RenderSettings): RenderSettings {
  const fail = (field: string, rule: string): never => {
    throw new Error(`stage ${s.name}: ${field} ${rule}`);
  };
  validateStageImages(`stage ${s.name}`, s.images, [
    ...s.workloads.map((w) => w.workload.image),
    OPS_IMAGE.image,
  ]);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s.namespace)) fail('namespace', 'must be a DNS label');
  validatePasswordSync(DATABASE_PASSWORD_SYNC);
  if (s.router.kind === 'alb') {
    const d = s.router.deregistrationDelaySeconds;
    if (d >= SHUTDOWN.preStopSeconds) {
      fail(
        'router.deregistrationDelaySeconds',
        `(${d}s) must be shorter than the preStop sleep (${SHUTDOWN.preStopSeconds}s)`,
      );
    }
    if (s.router.certificateArn !== undefined && !s.router.certificateArn.startsWith('arn:aws:acm:'))
      fail('router.certificateArn', 'must be an ACM certificate ARN');
  }
  return s;
}

/** The reference pods pull for one of the stage's images (`<repository>@sha256:…` or `<repository>:<sha>`). */
export function pinnedImage(s: Pick<RenderSettings, 'name' | 'images'>, image: string): string {
  const setting = s.images[image];
  if (!setting) throw new Error(`stage ${s.name}: images.${image} is missing`);
  return imageRef(setting);
}
