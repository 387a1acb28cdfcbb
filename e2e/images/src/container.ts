import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@conduit/testing';
import { type HttpProbe, probePort, type RunPlan } from './pod-spec.js';
import { podman, podmanLogs } from './podman.js';

/**
 * Each container gets its own network namespace (slirp4netns), as a pod does; the host's loopback, where the
 * test PostgreSQL listens, is reachable from inside at this address.
 */
export const HOST_FROM_CONTAINER = '10.0.2.2';
const NETWORK = '--network=slirp4netns:allow_host_loopback=true';
/**
 * Each container's cgroup sits at the root of the hierarchy, beside the machine's processes, instead of under
 * podman's default `libpod_parent`. There, every container of a run shares the one CPU weight of that parent,
 * which equals a single process's: beside a busy neighbour process, the two API containers of the release drill
 * got together what one process gets, and queued requests for seconds (p50 126 to 1,218 ms in the drill's
 * first 8 s, five runs). At the root each container weighs what one process does, as each API process does in the
 * process drills; its CPU quota and memory limit (the pod spec's limits) apply as before.
 */
const CGROUP_PARENT = '--cgroup-parent=/';

export interface RunningContainer {
  readonly name: string;
  /** `http://127.0.0.1:<published port>` of a container port. */
  url(containerPort: number): string;
  logs(): Promise<string>;
  /** `podman stop` (the image's STOPSIGNAL, SIGKILL after the pod's grace period); the exit code. */
  stop(): Promise<number>;
  /** Waits for the container to end by itself; its exit code. */
  exited(): Promise<number>;
  remove(): Promise<void>;
}

export interface RunOptions {
  /** Environment on top of the pod spec's (fault injection for the drain test, never secrets). */
  readonly env?: Readonly<Record<string, string>>;
  readonly name?: string;
}

/** `podman run` arguments for the plan, each container port published on a free loopback port. */
export async function runArguments(
  image: string,
  plan: RunPlan,
  options: RunOptions & { readonly name: string },
): Promise<{ args: string[]; published: Map<number, number> }> {
  const published = new Map<number, number>();
  for (const port of new Set(plan.ports.values())) published.set(port, await freePort());
  const args = [
    'run',
    `--name=${options.name}`,
    NETWORK,
    CGROUP_PARENT,
    ...[...published].map(([container, host]) => `--publish=127.0.0.1:${host}:${container}`),
    ...plan.flags,
    ...Object.entries(options.env ?? {}).map(([key, value]) => `--env=${key}=${value}`),
    image,
    ...plan.args,
  ];
  return { args, published };
}

/** Starts the image as the plan (a rendered pod spec) runs it, in the background. */
export async function runContainer(
  image: string,
  plan: RunPlan,
  options: RunOptions = {},
): Promise<RunningContainer> {
  const name = options.name ?? `conduit-e2e-${randomBytes(4).toString('hex')}`;
  const { args, published } = await runArguments(image, plan, { ...options, name });
  await podman([args[0]!, '--detach', ...args.slice(1)]);
  const exitCode = async () =>
    Number(await podman(['container', 'inspect', '--format={{.State.ExitCode}}', name]));
  return {
    name,
    url(containerPort) {
      const host = published.get(containerPort);
      if (host === undefined)
        throw new Error(`container port ${containerPort} is not declared by the pod spec`);
      return `http://127.0.0.1:${host}`;
    },
    logs: () => podmanLogs(name),
    async stop() {
      await podman(['stop', `--time=${plan.pod.terminationGracePeriodSeconds ?? 30}`, name]);
      return exitCode();
    },
    async exited() {
      await podman(['wait', name]);
      return exitCode();
    },
    async remove() {
      await podman(['rm', '--force', '--time=0', name]).catch(() => {});
    },
  };
}

/** What the probes need of a container: its published ports and its logs. */
export type Probed = Pick<RunningContainer, 'url' | 'logs'>;

/** GET of a probe's path through the published port: the HTTP status, 0 when nothing answers. */
export async function probe(
  container: Probed,
  plan: Pick<RunPlan, 'ports'>,
  spec: HttpProbe,
): Promise<number> {
  const timeout = (spec.timeoutSeconds ?? 1) * 1000;
  return fetch(`${container.url(probePort(plan, spec))}${spec.httpGet.path}`, {
    signal: AbortSignal.timeout(timeout),
  }).then(
    (response) => response.status,
    () => 0,
  );
}

/**
 * Polls a probe at its period until it answers 200 within the kubelet's budget for it
 * (failureThreshold × periodSeconds); resolves with the milliseconds it took.
 */
export async function waitForProbe(
  container: Probed,
  plan: Pick<RunPlan, 'ports'>,
  spec: HttpProbe,
): Promise<number> {
  const started = Date.now();
  const budget = (spec.failureThreshold ?? 3) * (spec.periodSeconds ?? 10) * 1000;
  while (Date.now() - started < budget) {
    if ((await probe(container, plan, spec)) === 200) return Date.now() - started;
    await sleep(100);
  }
  throw new Error(
    `${spec.httpGet.path} did not answer 200 within ${budget} ms (the kubelet's budget); logs:\n${(await container.logs()).slice(-3000)}`,
  );
}
