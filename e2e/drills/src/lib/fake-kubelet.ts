import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { type ApiProcess, freePort, startApiProcess } from '@conduit/testing';

/**
 * Fake kubelet + kube-state-metrics + cAdvisor for one pod: the Kubernetes side of the pod-health analysis,
 * which this machine has no cluster for. It runs the real API as the pod's container on a fixed port (so
 * the load balancer keeps its upstream), restarts it with the kubelet's doubling back-off when it exits
 * (CrashLoopBackOff), kills it with SIGKILL when its resident memory passes the limit (what the cgroup's
 * OOM killer does; the reason is then `OOMKilled`), and exposes the series the rendered pod-health
 * queries read, under the names and labels the real exporters use.
 */
export interface FakePodOptions {
  readonly namespace: string;
  /** Pod name: canary pods are `<rollout>-<canaryHash>-<suffix>`, which the queries select on. */
  readonly pod: string;
  readonly env: Record<string, string>;
  readonly memoryLimitBytes: number;
  readonly cpuLimitCores: number;
  /** The kubelet's back-off (10 s, doubling, at most 5 min) runs this many times faster, as the drill does. */
  readonly timeScale: number;
}

export interface FakePod {
  /** `host:port` of the container, stable across restarts. */
  readonly address: string;
  /** `host:port` of the exporter Prometheus scrapes with `honor_labels`. */
  readonly metricsAddress: string;
  restarts(): number;
  /** Resolves once the container answers `/readyz` (throws after `timeoutMs`). */
  waitReady(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

const TICK_MS = 200;
const CLOCK_TICKS_PER_SECOND = 100;

/** Resident memory (the working set's stand-in) and CPU seconds of a process, from /proc. */
async function usage(pid: number): Promise<{ rssBytes: number; cpuSeconds: number } | undefined> {
  try {
    const [status, stat] = await Promise.all([
      readFile(`/proc/${pid}/status`, 'utf8'),
      readFile(`/proc/${pid}/stat`, 'utf8'),
    ]);
    const rssKiB = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { rssBytes: rssKiB * 1024, cpuSeconds: ticks / CLOCK_TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

export async function startFakePod(options: FakePodOptions): Promise<FakePod> {
  const port = await freePort();
  const metricsPort = await freePort();
  const state = {
    restarts: 0,
    ready: false,
    lastReason: undefined as 'OOMKilled' | 'Error' | 'Completed' | undefined,
    cpuSecondsBefore: 0,
    current: { rssBytes: 0, cpuSeconds: 0 },
    stopped: false,
  };
  let container: ApiProcess | undefined;
  let backoffMs = 10_000;
  let oomKilled = false;

  const start = async () => {
    oomKilled = false;
    const started = await startApiProcess({
      env: { ...options.env, PORT: String(port) },
      waitFor: 'nothing',
    });
    container = started;
    void started.exited().then((code) => {
      if (state.stopped) return;
      state.ready = false;
      state.restarts += 1;
      state.lastReason = oomKilled ? 'OOMKilled' : code === 0 ? 'Completed' : 'Error';
      state.cpuSecondsBefore += state.current.cpuSeconds;
      state.current = { rssBytes: 0, cpuSeconds: 0 };
      container = undefined;
      const delay = backoffMs / options.timeScale;
      backoffMs = Math.min(backoffMs * 2, 300_000);
      setTimeout(() => {
        if (!state.stopped) void start();
      }, delay);
    });
  };

  const tick = setInterval(async () => {
    const running = container;
    if (!running?.child.pid) return;
    const now = await usage(running.child.pid);
    if (!now || running !== container) return;
    state.current = now;
    if (now.rssBytes > options.memoryLimitBytes && !oomKilled) {
      oomKilled = true;
      running.child.kill('SIGKILL');
      return;
    }
    state.ready = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.ok,
      () => false,
    );
  }, TICK_MS);

  const labels = `namespace="${options.namespace}", pod="${options.pod}"`;
  const container_ = `${labels}, container="api"`;
  const exposition = () =>
    [
      `kube_pod_container_status_restarts_total{${container_}} ${state.restarts}`,
      `kube_pod_status_ready{${labels}, condition="true"} ${state.ready ? 1 : 0}`,
      `kube_pod_status_ready{${labels}, condition="false"} ${state.ready ? 0 : 1}`,
      // kube-state-metrics exposes the last termination's reason as a series of value 1.
      ...(state.lastReason
        ? [`kube_pod_container_status_last_terminated_reason{${container_}, reason="${state.lastReason}"} 1`]
        : []),
      `kube_pod_container_resource_limits{${container_}, resource="cpu", unit="core"} ${options.cpuLimitCores}`,
      `kube_pod_container_resource_limits{${container_}, resource="memory", unit="byte"} ${options.memoryLimitBytes}`,
      `container_cpu_usage_seconds_total{${container_}} ${state.cpuSecondsBefore + state.current.cpuSeconds}`,
      `container_memory_working_set_bytes{${container_}} ${state.current.rssBytes}`,
      '',
    ].join('\n');

  const server: Server = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(exposition());
  });
  server.listen(metricsPort, '127.0.0.1');
  await once(server, 'listening');
  await start();

  return {
    address: `127.0.0.1:${port}`,
    metricsAddress: `127.0.0.1:${metricsPort}`,
    restarts: () => state.restarts,
    async waitReady(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!state.ready) {
        if (Date.now() > deadline) throw new Error(`pod ${options.pod} not ready within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, TICK_MS));
      }
    },
    async stop() {
      state.stopped = true;
      clearInterval(tick);
      await container?.stop('SIGKILL');
      // Prometheus keeps its scrape connection open; close it rather than wait for its idle timeout.
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
