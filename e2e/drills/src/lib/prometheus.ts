import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, requireTool } from '@conduit/testing';
import { stringify } from 'yaml';

/** One release as Prometheus sees it in the cluster: a namespace with a stable and a canary pod. */
export interface ScrapedRelease {
  readonly namespace: string;
  readonly stable: string;
  readonly canary: string;
  /** `rollouts-pod-template-hash` of the canary: canary pods are named `api-<hash>-…`. */
  readonly canaryHash: string;
}

export interface Prometheus {
  readonly url: string;
  /** Instant query; the values of the resulting vector. */
  query(promql: string): Promise<number[]>;
  /**
   * Resolves once this many targets were scraped successfully (discovery starts scraping a few s late);
   * `selector` narrows the targets counted (`up{track="stable"}`).
   */
  waitForTargets(count: number, selector?: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Real Prometheus scraping API instances. The labels the ServiceMonitor's relabeling gives in the cluster
 * (`namespace`, `pod`, `track`) are set per target here, so the rendered queries select the same series.
 */
export async function startPrometheus(
  releases: readonly ScrapedRelease[],
  scrapeSeconds: number,
  /** `host:port` of exporters whose own labels are kept (kube-state-metrics and cAdvisor stand-ins). */
  exporters: readonly string[] = [],
): Promise<Prometheus> {
  const binary = requireTool('prometheus');
  const dir = await mkdtemp(join(tmpdir(), 'conduit-drill-prom-'));
  const target = (address: string, labels: Record<string, string>) => ({ targets: [address], labels });
  await writeFile(
    join(dir, 'prometheus.yml'),
    stringify({
      global: { scrape_interval: `${scrapeSeconds}s`, evaluation_interval: `${scrapeSeconds}s` },
      scrape_configs: [
        ...releases.map((r) => ({
          job_name: r.namespace,
          static_configs: [
            target(r.stable, { namespace: r.namespace, track: 'stable', pod: 'api-stable-0' }),
            target(r.canary, { namespace: r.namespace, track: 'canary', pod: `api-${r.canaryHash}-0` }),
          ],
        })),
        // As kube-prometheus-stack scrapes kube-state-metrics: the namespace and pod labels are the
        // exporter's, not the target's.
        ...(exporters.length
          ? [{ job_name: 'kube-state-metrics', honor_labels: true, static_configs: [{ targets: exporters }] }]
          : []),
      ],
    }),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: 'ignore' },
  );
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  while (
    !(await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error('prometheus did not become ready within 30 s');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const prometheus: Prometheus = {
    url,
    async waitForTargets(count, selector = 'up') {
      const until = Date.now() + 30_000;
      while ((await prometheus.query(`count(${selector} == 1)`))[0] !== count) {
        if (Date.now() > until) throw new Error(`prometheus did not scrape ${count} targets within 30 s`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async query(promql) {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`, {
        signal: AbortSignal.timeout(5000),
      });
      const body = (await response.json()) as {
        status: string;
        error?: string;
        data?: { resultType: string; result: { value: [number, string] }[] };
      };
      if (body.status !== 'success' || !body.data)
        throw new Error(`query failed: ${body.error ?? response.status}`);
      if (body.data.resultType !== 'vector')
        throw new Error(`expected a vector, got ${body.data.resultType}`);
      return body.data.result.map((r) => Number(r.value[1]));
    },
    stop,
  };
  return prometheus;
}
