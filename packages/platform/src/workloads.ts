import { fail, isDnsLabel } from './check.js';
import { STAGE_NAMES, type StageName } from './stages.js';

/** `http`: serves requests behind the router (Rollout canary, Service, route). `worker`: no inbound traffic. */
export type WorkloadKind = 'http' | 'worker';

/**
 * What the container is, which decides the layer details no entry should repeat: `node` images run our
 * Node apps (the API's settings contract, metrics on the app port); `nginx` images serve static files
 * (writable nginx cache, the nginx exporter beside them for metrics).
 */
export type WorkloadRuntime = 'node' | 'nginx';

/**
 * The node binary of our `node` runtime images, which are distroless: no shell and no PATH lookup, so a
 * command that runs node (the migration hook) names it. deploy/pipeline checks their ENTRYPOINT starts with it.
 */
export const DISTROLESS_NODE = '/nodejs/bin/node';

/**
 * Where an `nginx` runtime image keeps its hashed assets, and the list of those its own build made. Each
 * release carries into its image the assets of the images the stages run (deploy/pipeline `stage-image
 * previous-assets`), so a page loaded before a release finds its lazy chunks after it.
 */
export const STATIC_ASSETS = {
  /** The URL path they are served under (the edge caches it for a year). */
  path: '/assets/',
  dir: '/usr/share/nginx/html/assets',
  ownList: '/usr/share/nginx/release-assets.txt',
} as const;

/** Canary analyses a workload is judged by (deploy/k8s renders the AnalysisTemplates). */
export type CanaryAnalysis = 'pod-health' | 'http';

/** One IAM statement a workload's pods may use; `{account}`, `{region}` and `{stage}` are filled per stage. */
export interface AwsStatement {
  readonly actions: readonly string[];
  readonly resources: readonly string[];
}

export interface ImageUser {
  readonly uid: number;
  readonly gid: number;
}

/** Replicas, autoscaling and resources of a workload in one stage. */
export interface WorkloadSize {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** HPA target of average CPU utilisation (percent of the request). */
  readonly targetCpuPercent: number;
  readonly cpuRequest: string;
  readonly cpuLimit: string;
  readonly memoryRequest: string;
  readonly memoryLimit: string;
}

export interface Workload {
  /** Runs through everything: Rollout, Service, labels, ServiceAccount, dashboards (`apps/<name>`). */
  readonly name: string;
  readonly kind: WorkloadKind;
  readonly runtime: WorkloadRuntime;
  /** Image repository name: `conduit/<image>` in ECR, built from `apps/<image>/Dockerfile`. */
  readonly image: string;
  /**
   * The numeric USER of the image's Dockerfile (the kubelet cannot check a name). Pods run as the same ids,
   * so files the image owns stay readable; deploy/pipeline checks the Dockerfile against it.
   */
  readonly user: ImageUser;
  /** Container port of the app (the Service port of an HTTP service; probes and metrics of a worker). */
  readonly port: number;
  /** Port Prometheus scrapes `/metrics` on. @default port */
  readonly metricsPort?: number;
  /** Liveness and readiness paths on `port`. */
  readonly probes: { readonly liveness: string; readonly readiness: string };
  /** Public path prefixes the router sends to this workload (HTTP services only; the longest match wins). */
  readonly routes: readonly string[];
  /**
   * What the pods reach besides DNS: the database (its URL secret), the JWT secret, the trace collector, and
   * e-mail, which they send through the Amazon SES API with their own role (so `aws.statements` must grant
   * `ses:SendEmail`; the egress is the AWS APIs' HTTPS, no SMTP port opens).
   */
  readonly uses: {
    readonly database: boolean;
    readonly jwtSecret: boolean;
    readonly tracing: boolean;
    /** @default false */
    readonly email?: boolean;
  };
  /** Its image carries the database migrations, run once per release before the pods change. */
  readonly migrations: boolean;
  /** AWS APIs the pods call, through a Pod Identity role of their own. @default none: no role */
  readonly aws?: { readonly statements: readonly AwsStatement[] };
  readonly canary: { readonly analyses: readonly CanaryAnalysis[] };
  /**
   * A worker's backlog: the gauge (on its metrics port) of how long its oldest waiting item has waited; the
   * alerts page once it exceeds `maxAgeSeconds`, the dashboard plots it. @default none: no backlog alert
   */
  readonly queue?: { readonly ageMetric: string; readonly maxAgeSeconds: number };
  /** The stages it runs in, with its size there; a stage not listed does not run it. */
  readonly stages: Readonly<Partial<Record<StageName, WorkloadSize>>>;
}

/**
 * The image of the ops CLI, which runs as CronJobs (backup, restore drill) rather than as a workload; it is
 * built, scanned, pushed and promoted like the workloads' images. node:24-bookworm-slim's `node` user.
 */
export const OPS_IMAGE = { image: 'ops', user: { uid: 1000, gid: 1000 } } as const;

const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|Mi|Gi|Ki)?$/;
const PATH = /^\/([a-z0-9._~-]+(\/[a-z0-9._~-]+)*)?$/;

/** Checks one workload; throws naming the workload, the field and the rule. */
export function validateWorkload(w: Workload): Workload {
  const where = `workload ${w.name}`;
  if (!isDnsLabel(w.name)) fail(where, 'name', 'must be a DNS label');
  if (!isDnsLabel(w.image)) fail(where, 'image', `(${w.image}) must be a DNS label (conduit/<image> in ECR)`);
  if (w.user.uid === 0 || w.user.gid === 0) fail(where, 'user', 'must not be root (uid/gid 0)');
  for (const [field, port] of [
    ['port', w.port],
    ['metricsPort', w.metricsPort ?? w.port],
  ] as const) {
    if (!Number.isInteger(port) || port < 1024 || port > 65535) {
      fail(where, field, `(${port}) must be an unprivileged port (1024-65535): the pods run as non-root`);
    }
  }
  for (const [field, path] of Object.entries(w.probes)) {
    if (!PATH.test(path)) fail(where, `probes.${field}`, `(${path}) must be an absolute path`);
  }
  if (w.kind === 'http' && w.routes.length === 0)
    fail(where, 'routes', 'must list a path for an HTTP service');
  if (w.kind === 'worker' && w.routes.length > 0) fail(where, 'routes', 'must be empty for a worker');
  for (const [i, route] of w.routes.entries()) {
    if (!PATH.test(route)) fail(where, `routes[${i}]`, `(${route}) must be a path prefix like /api`);
  }
  if (w.migrations && !w.uses.database) fail(where, 'migrations', 'needs uses.database');
  if (w.canary.analyses.includes('http') && w.kind !== 'http') {
    fail(where, 'canary.analyses', 'may include http only for an HTTP service');
  }
  if (w.uses.email && !w.aws?.statements.some((s) => s.actions.includes('ses:SendEmail'))) {
    fail(
      where,
      'uses.email',
      'needs an aws.statements entry granting ses:SendEmail (the pods send through SES)',
    );
  }
  if (w.queue && !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(w.queue.ageMetric)) {
    fail(where, 'queue.ageMetric', `(${w.queue.ageMetric}) must be a Prometheus metric name`);
  }
  if (w.queue && !(w.queue.maxAgeSeconds > 0)) fail(where, 'queue.maxAgeSeconds', 'must be positive');
  for (const [i, s] of (w.aws?.statements ?? []).entries()) {
    if (s.actions.length === 0 || s.resources.length === 0) {
      fail(where, `aws.statements[${i}]`, 'needs actions and resources');
    }
    if (s.actions.some((a) => a === '*' || a.endsWith(':*'))) {
      fail(where, `aws.statements[${i}].actions`, 'must name actions, not wildcards (least privilege)');
    }
  }
  const stages = Object.entries(w.stages) as [StageName, WorkloadSize][];
  if (stages.length === 0) fail(where, 'stages', 'must enable the workload in at least one stage');
  for (const [stage, size] of stages) {
    const field = (name: string) => `stages.${stage}.${name}`;
    if (!(STAGE_NAMES as readonly string[]).includes(stage)) {
      fail(where, `stages.${stage}`, `is not a stage (${STAGE_NAMES.join(', ')})`);
    }
    // A PDB of maxUnavailable 1 needs a spare pod, or a node drain would take the workload down.
    if (size.minReplicas < 2) {
      fail(
        where,
        field('minReplicas'),
        `(${size.minReplicas}) must be at least 2 so a PDB can allow one disruption`,
      );
    }
    if (size.maxReplicas < size.minReplicas) {
      fail(where, field('maxReplicas'), `(${size.maxReplicas}) must be >= minReplicas (${size.minReplicas})`);
    }
    if (size.targetCpuPercent < 10 || size.targetCpuPercent > 95) {
      fail(where, field('targetCpuPercent'), `(${size.targetCpuPercent}) must be between 10 and 95`);
    }
    for (const q of ['cpuRequest', 'cpuLimit', 'memoryRequest', 'memoryLimit'] as const) {
      if (!QUANTITY.test(size[q])) fail(where, field(q), `(${size[q]}) is not a Kubernetes quantity`);
    }
  }
  return w;
}

/** Checks the list: each name, image and route once. */
export function validateWorkloads(workloads: readonly Workload[]): readonly Workload[] {
  const seen = {
    name: new Set<string>(),
    image: new Set<string>([OPS_IMAGE.image]),
    route: new Set<string>(),
  };
  for (const w of workloads) {
    validateWorkload(w);
    const once = (set: Set<string>, value: string, field: string) => {
      if (set.has(value)) fail(`workload ${w.name}`, field, `(${value}) is already used by another workload`);
      set.add(value);
    };
    once(seen.name, w.name, 'name');
    once(seen.image, w.image, 'image');
    for (const r of w.routes) once(seen.route, r, 'routes');
  }
  const migrators = workloads.filter((w) => w.migrations).map((w) => w.name);
  if (migrators.length > 1) {
    // One database schema has one owner; two migration hooks would race each other at every release.
    fail('workloads', 'migrations', `may be carried by one workload only (${migrators.join(', ')})`);
  }
  return workloads;
}

const API: Workload = {
  name: 'api',
  kind: 'http',
  runtime: 'node',
  image: 'api',
  // distroless `nonroot`
  user: { uid: 65532, gid: 65532 },
  port: 3000,
  probes: { liveness: '/healthz', readiness: '/readyz' },
  routes: ['/api'],
  uses: { database: true, jwtSecret: true, tracing: true },
  migrations: true,
  canary: { analyses: ['pod-health', 'http'] },
  stages: {
    dev: { minReplicas: 2, maxReplicas: 3, targetCpuPercent: 70, ...size('100m', '500m', '128Mi', '256Mi') },
    staging: { minReplicas: 2, maxReplicas: 4, targetCpuPercent: 70, ...size('250m', '1', '256Mi', '512Mi') },
    prod: { minReplicas: 2, maxReplicas: 6, targetCpuPercent: 70, ...size('500m', '1', '384Mi', '768Mi') },
  },
};

const WEB: Workload = {
  name: 'web',
  kind: 'http',
  runtime: 'nginx',
  image: 'web',
  // nginx-unprivileged's `nginx`
  user: { uid: 101, gid: 101 },
  port: 8080,
  metricsPort: 9113,
  probes: { liveness: '/healthz', readiness: '/readyz' },
  routes: ['/'],
  uses: { database: false, jwtSecret: false, tracing: false },
  migrations: false,
  canary: { analyses: ['pod-health'] },
  stages: {
    dev: { minReplicas: 2, maxReplicas: 3, targetCpuPercent: 70, ...size('50m', '200m', '32Mi', '64Mi') },
    staging: { minReplicas: 2, maxReplicas: 4, targetCpuPercent: 70, ...size('50m', '250m', '32Mi', '64Mi') },
    prod: { minReplicas: 2, maxReplicas: 6, targetCpuPercent: 70, ...size('100m', '250m', '32Mi', '64Mi') },
  },
};

const NOTIFIER: Workload = {
  name: 'notifier',
  kind: 'worker',
  runtime: 'node',
  image: 'notifier',
  // distroless `nonroot`
  user: { uid: 65532, gid: 65532 },
  // Health and metrics only: a worker takes no traffic.
  port: 9464,
  probes: { liveness: '/healthz', readiness: '/readyz' },
  routes: [],
  uses: { database: true, jwtSecret: false, tracing: false, email: true },
  migrations: false,
  aws: {
    // Sending only, and only from identities (the stage's domain) verified in the stage's own account.
    statements: [{ actions: ['ses:SendEmail'], resources: ['arn:aws:ses:{region}:{account}:identity/*'] }],
  },
  canary: { analyses: ['pod-health'] },
  // Comment e-mails are worth little after a quarter of an hour.
  queue: { ageMetric: 'notifier_queue_oldest_age_seconds', maxAgeSeconds: 900 },
  // Dev only at first: staging and prod get it by adding their sizes here.
  stages: {
    dev: { minReplicas: 2, maxReplicas: 3, targetCpuPercent: 70, ...size('50m', '200m', '64Mi', '128Mi') },
  },
};

function size(cpuRequest: string, cpuLimit: string, memoryRequest: string, memoryLimit: string) {
  return { cpuRequest, cpuLimit, memoryRequest, memoryLimit };
}

/** Every workload of the platform, validated once when the model is loaded. Adding one is one entry. */
export const WORKLOADS: readonly Workload[] = validateWorkloads([API, WEB, NOTIFIER]);

/** The workloads that run in a stage, with their size there. */
export function workloadsIn(
  stage: StageName,
  workloads: readonly Workload[] = WORKLOADS,
): { readonly workload: Workload; readonly size: WorkloadSize }[] {
  return workloads.flatMap((workload) => {
    const size = workload.stages[stage];
    return size ? [{ workload, size }] : [];
  });
}

/** The workload called `name`; an unknown name throws listing the known ones. */
export function workload(name: string, workloads: readonly Workload[] = WORKLOADS): Workload {
  const found = workloads.find((w) => w.name === name);
  if (!found)
    throw new Error(`unknown workload "${name}" (known: ${workloads.map((w) => w.name).join(', ')})`);
  return found;
}

/** Every image CI builds and promotes, in release order: the workloads' images, then the ops image. */
export function images(workloads: readonly Workload[] = WORKLOADS): readonly string[] {
  return [...workloads.map((w) => w.image), OPS_IMAGE.image];
}

/** Whether an image serves hashed static assets (an `nginx` runtime workload's); false for the ops image. */
export function servesStaticAssets(image: string, workloads: readonly Workload[] = WORKLOADS): boolean {
  if (image !== OPS_IMAGE.image && !images(workloads).includes(image))
    throw new Error(`unknown image "${image}" (known: ${images(workloads).join(', ')})`);
  return workloads.some((w) => w.image === image && w.runtime === 'nginx');
}

/** The user an image runs as; throws for an image no workload builds. */
export function imageUser(image: string, workloads: readonly Workload[] = WORKLOADS): ImageUser {
  if (image === OPS_IMAGE.image) return OPS_IMAGE.user;
  const found = workloads.find((w) => w.image === image);
  if (!found) throw new Error(`unknown image "${image}" (known: ${images(workloads).join(', ')})`);
  return found.user;
}
