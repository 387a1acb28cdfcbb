import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { requireTools } from '@conduit/testing';

const run = promisify(execFile);

/** The workspace's git-ignored cache: podman's configuration and storage, stand-in build contexts. */
export const cacheDir = fileURLToPath(new URL('../.cache/', import.meta.url));
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Machine tools the suite runs (their Debian packages are in `SYSTEM_TOOLS`): podman with runc (crun fails
 * here on rlimits with hybrid cgroups), slirp4netns (each container gets its own network namespace that can
 * reach the host's loopback, where the test PostgreSQL listens), catatonit (the init of the pause image of
 * each `podman kube play` pod) and debootstrap for the stand-in roots.
 */
export const TOOLS = ['podman', 'runc', 'debootstrap', 'slirp4netns', 'catatonit'] as const;

// Default ulimits the kernel here accepts, runc as the runtime, and logs in files (`podman logs` reads them;
// the default, journald, needs systemd, which a CI container does not run); cgroups by path for the same
// reason (container.ts places them by path). Storage lives in the cache folder, not
// in the machine's /var/lib/containers, so the suite shares nothing with other podman users.
const CONTAINERS_CONF = `[containers]
default_ulimits=["nofile=1024:1024","nproc=1024:1024"]
log_driver="k8s-file"
[engine]
runtime="runc"
cgroup_manager="cgroupfs"
`;
const storageConf = (dir: string) => `[storage]
driver="overlay"
graphroot="${join(dir, 'storage')}"
runroot="${join(dir, 'run')}"
`;

let environment: Promise<NodeJS.ProcessEnv> | undefined;

/** Checks the tools and writes podman's configuration once; the environment every podman call runs with. */
export function podmanEnv(): Promise<NodeJS.ProcessEnv> {
  environment ??= (async () => {
    requireTools(TOOLS);
    const dir = join(cacheDir, 'podman');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'containers.conf'), CONTAINERS_CONF);
    await writeFile(join(dir, 'storage.conf'), storageConf(dir));
    // Podman keeps build cache mounts (`RUN --mount=type=cache`) under TMPDIR: in the cache folder too.
    await mkdir(join(dir, 'tmp'), { recursive: true });
    return {
      ...process.env,
      TMPDIR: join(dir, 'tmp'),
      CONTAINERS_CONF: join(dir, 'containers.conf'),
      CONTAINERS_STORAGE_CONF: join(dir, 'storage.conf'),
    };
  })();
  return environment;
}

/** Runs `podman <args>` and resolves with its stdout; rejects with a PodmanError carrying its output. */
export async function podman(
  args: readonly string[],
  { timeoutMs }: { readonly timeoutMs?: number } = {},
): Promise<string> {
  const env = await podmanEnv();
  try {
    const { stdout } = await run('podman', args, {
      env,
      maxBuffer: 64 * 1024 * 1024,
      // Killed (SIGTERM) when it takes longer: a hung podman fails the test instead of the whole run.
      ...(timeoutMs ? { timeout: timeoutMs } : {}),
    });
    return stdout.trim();
  } catch (error) {
    const { stdout = '', stderr = '', code } = error as { stdout?: string; stderr?: string; code?: number };
    throw new PodmanError(args, code ?? null, `${stdout}\n${stderr}`.trim());
  }
}

/** A podman command that exited non-zero, with what it printed (the negative tests read it). */
export class PodmanError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly output: string,
  ) {
    // Environment values may be (test) secrets: the message names the variables only.
    const shown = args.map((arg) => arg.replace(/^(--env=[^=]+)=.*$/s, '$1=…'));
    super(`podman ${shown.join(' ')} exited ${exitCode}:\n${output.slice(-4000)}`);
  }
}

/** A container's log: what it wrote to stdout and stderr (podman logs splits them the same way). */
export async function podmanLogs(name: string): Promise<string> {
  const { stdout, stderr } = await run('podman', ['logs', name], {
    env: await podmanEnv(),
    maxBuffer: 64 * 1024 * 1024,
  });
  return `${stdout}${stderr}`;
}

export async function imageExists(ref: string): Promise<boolean> {
  return podman(['image', 'exists', ref]).then(
    () => true,
    () => false,
  );
}
