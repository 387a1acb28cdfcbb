import { join } from 'node:path';
import { podman, repoRoot } from './podman.js';
import type { StandIns } from './stand-ins.js';

export type Tier = 'api' | 'web' | 'ops' | 'notifier';
export const TIERS: readonly Tier[] = ['api', 'web', 'ops', 'notifier'];

/** Build-time facts the images carry into /version and their labels; fixed so layers stay cached. */
export const GIT_SHA = '0123456789abcdef0123456789abcdef01234567';
export const BUILD_TIME = '2026-01-01T00:00:00Z';

/** The stand-in for each Dockerfile's RUNTIME_BASE. */
export function runtimeBase(tier: Tier, bases: StandIns): string {
  return {
    api: bases.distrolessNode,
    web: bases.nginx,
    ops: bases.opsRuntime,
    notifier: bases.distrolessNode,
  }[tier];
}

export interface BuildOptions {
  /** APP_VERSION (default 1.0.0). */
  readonly version?: string;
  /** Another Dockerfile (a modified copy, for the negative tests); the context stays the repository root. */
  readonly dockerfile?: string;
  readonly tag?: string;
}

/**
 * Builds `apps/<tier>/Dockerfile` as it is, from the repository root, with NODE_BASE and RUNTIME_BASE set to
 * the stand-ins: the only difference to a production build. Returns the image reference.
 */
export async function buildImage(tier: Tier, bases: StandIns, options: BuildOptions = {}): Promise<string> {
  const version = options.version ?? '1.0.0';
  const tag = options.tag ?? `localhost/conduit/${tier}:${version}`;
  await podman([
    'build',
    '--pull=never',
    // Docker's image format keeps HEALTHCHECK (OCI's has no field for it), as docker buildx does.
    '--format=docker',
    '--file',
    options.dockerfile ?? join(repoRoot, 'apps', tier, 'Dockerfile'),
    '--build-arg',
    `NODE_BASE=${bases.nodeSlim}`,
    '--build-arg',
    `RUNTIME_BASE=${runtimeBase(tier, bases)}`,
    '--build-arg',
    `APP_VERSION=${version}`,
    '--build-arg',
    `GIT_SHA=${GIT_SHA}`,
    '--build-arg',
    `BUILD_TIME=${BUILD_TIME}`,
    '--tag',
    tag,
    repoRoot,
  ]);
  // buildah 1.28 keys its layer cache on the instructions, not on the build arguments' values: a second
  // build with another APP_VERSION reuses the first one's runtime layers (label and ENV of the old version).
  const [built] = JSON.parse(await podman(['image', 'inspect', tag])) as {
    Config: { Labels?: Record<string, string> };
  }[];
  const labelled = built?.Config.Labels?.['org.opencontainers.image.version'];
  if (labelled !== version) {
    throw new Error(
      `${tag} is labelled version ${labelled}, not ${version}: buildah reused layers cached for another APP_VERSION`,
    );
  }
  return tag;
}

export interface ImageConfig {
  readonly user: string;
  readonly stopSignal: string;
  readonly entrypoint: readonly string[];
  readonly healthcheck: readonly string[];
  readonly size: number;
}

/** What `podman image inspect` says about an image. */
export async function inspectImage(ref: string): Promise<ImageConfig> {
  const [info] = JSON.parse(await podman(['image', 'inspect', ref])) as {
    Size: number;
    Config: { User?: string; StopSignal?: string; Entrypoint?: string[] };
    HealthCheck?: { Test?: string[] };
  }[];
  if (!info) throw new Error(`no image ${ref}`);
  return {
    user: info.Config.User ?? '',
    stopSignal: info.Config.StopSignal ?? 'SIGTERM',
    entrypoint: info.Config.Entrypoint ?? [],
    healthcheck: info.HealthCheck?.Test ?? [],
    size: info.Size,
  };
}
