import { readFile } from 'node:fs/promises';
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
  /** Named build contexts (`--build-context name=dir`), as release.yml gives `previous-assets`. */
  readonly contexts?: Readonly<Record<string, string>>;
}

/**
 * Builds `apps/<tier>/Dockerfile` as it is, from the repository root, with NODE_BASE and RUNTIME_BASE set to
 * the stand-ins: the only difference to a production build. Returns the image reference.
 */
export async function buildImage(tier: Tier, bases: StandIns, options: BuildOptions = {}): Promise<string> {
  const version = options.version ?? '1.0.0';
  const tag = options.tag ?? `localhost/conduit/${tier}:${version}`;
  const dockerfile = options.dockerfile ?? join(repoRoot, 'apps', tier, 'Dockerfile');
  // buildah 1.28 keys its layer cache on the unexpanded instruction, so a second build with another
  // APP_VERSION reuses the first one's LABEL and ENV layers and reports the old version. The version's label,
  // and its ENV where the Dockerfile sets one, are therefore given again on the command line: the values the
  // Dockerfile gives them, which BuildKit gets right by itself.
  // An ENV instruction, with its continuation lines, that sets APP_VERSION from the build argument.
  const setsVersionEnv = /^ENV (?:.*\\\n)*.*APP_VERSION=\$\{APP_VERSION\}/m.test(
    await readFile(dockerfile, 'utf8'),
  );
  await podman([
    'build',
    '--pull=never',
    // Docker's image format keeps HEALTHCHECK (OCI's has no field for it), as docker buildx does.
    '--format=docker',
    '--file',
    dockerfile,
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
    '--label',
    `org.opencontainers.image.version=${version}`,
    ...(setsVersionEnv ? ['--env', `APP_VERSION=${version}`] : []),
    ...Object.entries(options.contexts ?? {}).flatMap(([name, dir]) => ['--build-context', `${name}=${dir}`]),
    '--tag',
    tag,
    repoRoot,
  ]);
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
