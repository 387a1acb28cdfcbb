/** Typed settings of one stage: the only input of the synthesizer besides the code. */

import { IMAGE_TIERS, type ImageTier } from './constructs/security.js';

export type StageName = 'dev' | 'staging' | 'prod';

/** How traffic reaches the pods and how the canary weight is applied. */
export type RouterSettings =
  | {
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
       * `pingPong`: the ALB always points at two fixed Services and Argo Rollouts swaps their selectors, so the
       * final promotion never sends traffic to a target group that is still registering.
       * `verify`: stable/canary Services plus the controller's `--aws-verify-target-group`.
       */
      readonly canaryServices: 'pingPong' | 'verify';
      /** CIDRs the ALB's ENIs live in (the VPC), allowed through the network policies. */
      readonly sourceCidrs: readonly string[];
      /** SSL policy of the HTTPS listener. @default ELBSecurityPolicy-TLS13-1-2-2021-06 */
      readonly sslPolicy?: string;
    }
  | {
      readonly kind: 'nginx';
      /** Namespace of the ingress-nginx controller pods (the network policies admit it). */
      readonly controllerNamespace: string;
      /** cert-manager ClusterIssuer that signs the TLS certificate. */
      readonly clusterIssuer: string;
    }
  | {
      readonly kind: 'istio';
      /** `namespace/name` of the Istio Gateway the VirtualService binds to. */
      readonly gateway: string;
      /** Namespace of the ingress gateway pods (the network policies admit it). */
      readonly gatewayNamespace: string;
    };

export type DatabaseSettings =
  | {
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
  | {
      readonly kind: 'cnpg';
      readonly instances: number;
      readonly storageSize: string;
      /** Object store for base backups and WAL (`s3://bucket/prefix`). */
      readonly backupDestination: string;
      /** Secret (created out of band) with ACCESS_KEY_ID / ACCESS_SECRET_KEY for the object store. */
      readonly backupCredentialsSecret: string;
      readonly backupRetention: string;
    };

export type SecretSettings =
  | {
      readonly kind: 'external-secrets';
      readonly region: string;
      /** `pod-identity` needs no annotation; `irsa` annotates the controller's ServiceAccount. */
      readonly identity:
        | { readonly kind: 'pod-identity' }
        | { readonly kind: 'irsa'; readonly roleArn: string };
      /** Secrets Manager name of the JWT signing secret (a plain string). */
      readonly jwtSecretName: string;
    }
  | {
      /** Secrets created out of band (`kubectl create secret`); the manifests only reference them. */
      readonly kind: 'plain';
    };

/**
 * Where one tier's image comes from: `<account>.dkr.ecr.<region>.amazonaws.com/conduit/<tier>` and either
 * the digest CI pushed (what release.yml and promote.yml write) or an immutable git-SHA tag.
 */
export interface ImageSetting {
  readonly repository: string;
  /** `sha256:<64 hex>`; wins over `tag` when both are set. */
  readonly digest?: string;
  /** The full git SHA the image was built from (ECR refuses to overwrite it). */
  readonly tag?: string;
}

export type StageImages = Readonly<Record<ImageTier, ImageSetting>>;

export interface WorkloadSettings {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly cpuRequest: string;
  readonly cpuLimit: string;
  readonly memoryRequest: string;
  readonly memoryLimit: string;
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

export interface StageSettings {
  readonly name: StageName;
  readonly namespace: string;
  /** Public host name of the app. */
  readonly host: string;
  /** One image per tier, from `stages/images/<stage>.json` (written by CI, never by hand). */
  readonly images: StageImages;
  readonly router: RouterSettings;
  readonly database: DatabaseSettings;
  readonly secrets: SecretSettings;
  readonly api: WorkloadSettings;
  readonly web: WorkloadSettings;
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

const DIGEST = /^sha256:[a-f0-9]{64}$/;
/** A full git SHA: the only tag CI pushes, and immutable in ECR. */
const GIT_SHA_TAG = /^[0-9a-f]{40}$/;
const REPOSITORY = /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+$/;

/** Checks one tier's image setting; throws naming the field (`images.api.digest`). */
export function validateImages(stage: string, images: StageImages): StageImages {
  for (const tier of IMAGE_TIERS) {
    const field = `images.${tier}`;
    const fail = (name: string, rule: string): never => {
      throw new Error(`stage ${stage}: ${field}${name} ${rule}`);
    };
    const image = images[tier];
    if (!image) fail('', 'is missing');
    if (!REPOSITORY.test(image.repository) || !image.repository.endsWith(`/conduit/${tier}`)) {
      fail('.repository', `(${image.repository}) must be <registry>/conduit/${tier}, without tag or digest`);
    }
    if (image.digest === undefined && image.tag === undefined) fail('', 'needs a digest or a tag');
    if (image.digest !== undefined && !DIGEST.test(image.digest)) {
      fail('.digest', `(${image.digest}) must be sha256:<64 hex>`);
    }
    if (image.tag === 'latest') fail('.tag', 'must be an immutable git SHA, never "latest"');
    if (image.tag !== undefined && !GIT_SHA_TAG.test(image.tag)) {
      fail('.tag', `(${image.tag}) must be a full 40-hex git SHA (immutable in ECR)`);
    }
  }
  return images;
}

/** Checks the rules no type can express; throws naming the field and the rule. */
export function validateStage(s: StageSettings): StageSettings {
  const fail = (field: string, rule: string): never => {
    throw new Error(`stage ${s.name}: ${field} ${rule}`);
  };
  validateImages(s.name, s.images);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s.namespace)) fail('namespace', 'must be a DNS label');
  for (const tier of ['api', 'web'] as const) {
    const w = s[tier];
    if (w.minReplicas < 2)
      fail(`${tier}.minReplicas`, `(${w.minReplicas}) must be at least 2 so a PDB can allow one disruption`);
    if (w.maxReplicas < w.minReplicas)
      fail(`${tier}.maxReplicas`, `(${w.maxReplicas}) must be >= minReplicas (${w.minReplicas})`);
  }
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
  if (s.pauseSeconds.some((p) => p < 0)) fail('pauseSeconds', 'must not be negative');
  const a = s.analysis;
  if (a.intervalSeconds < s.scrapeIntervalSeconds) {
    fail(
      'analysis.intervalSeconds',
      `(${a.intervalSeconds}s) must be >= scrapeIntervalSeconds (${s.scrapeIntervalSeconds}s)`,
    );
  }
  if (worstCaseAbortSeconds(s) > 120) {
    fail(
      'analysis',
      `lets a bad canary run ${worstCaseAbortSeconds(s)}s after its first step; the limit is 120s`,
    );
  }
  return s;
}

/**
 * Worst case from the canary's first weight to the abort, for a canary that is bad from its first request:
 * the background run waits `initialDelay`, then needs `failureLimit + 1` failed measurements `interval` apart;
 * the signal itself lags by up to two scrapes (a rate needs two samples).
 */
export function worstCaseAbortSeconds(s: StageSettings): number {
  const a = s.analysis;
  return a.initialDelaySeconds + a.failureLimit * a.intervalSeconds + 2 * s.scrapeIntervalSeconds;
}

/** `<repository>@sha256:<digest>` or `<repository>:<git sha>`, from the tier's image setting. */
export function imageRef(s: StageSettings, tier: ImageTier): string {
  const image = s.images[tier];
  return image.digest ? `${image.repository}@${image.digest}` : `${image.repository}:${image.tag}`;
}
