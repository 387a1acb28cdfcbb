import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, requireTool, startPostgres, type TestPostgres } from '@conduit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { stage } from '../stages/index.js';
import { type AnalysisOutcome, queryVector, runAnalysis } from './drill.js';
import { apiMetrics, type QueryArgs } from './metrics.js';

const API_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../../apps/api');
const cadence = stage('prod').analysis;
/** Prometheus scrapes every second here, so the analysis interval shrinks by the same factor (15 s → 1 s). */
const DRILL_INTERVAL_MS = Math.round((cadence.intervalSeconds * 1000) / 15);
const LOAD_SECONDS = 45;

const children: ChildProcess[] = [];
let stopLoad = false;

function startProcess(
  command: string,
  args: string[],
  env: Record<string, string>,
  cwd?: string,
): ChildProcess {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = `${stderr}${d.toString()}`.slice(-4000);
  });
  child.on('exit', (code) => {
    if (code && !stopLoad) console.error(`${command} exited ${code}: ${stderr}`);
  });
  children.push(child);
  return child;
}

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms`);
}

async function startApi(databaseUrl: string, faults: Record<string, string>): Promise<number> {
  const port = await freePort();
  startProcess(
    process.execPath,
    ['--import', 'tsx', join(API_DIR, 'src/server.ts')],
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      JWT_SECRET: 'drill-secret-drill-secret-drill-secret-0123',
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      ...faults,
    },
    API_DIR,
  );
  return port;
}

/** Bounded load: a few concurrent loops per instance until `stopLoad` or the time limit. */
async function load(port: number, concurrency: number): Promise<void> {
  const until = Date.now() + LOAD_SECONDS * 1000;
  const paths = ['/api/articles', '/api/tags', '/api/articles?limit=5'];
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = worker; !stopLoad && Date.now() < until; i++) {
        await fetch(`http://127.0.0.1:${port}${paths[i % paths.length]}`, {
          signal: AbortSignal.timeout(5000),
        })
          .then((r) => r.arrayBuffer())
          .catch(() => undefined);
      }
    }),
  );
}

describe('end-to-end analysis drill: real Prometheus scraping a stable and a canary API under load', () => {
  let pg: TestPostgres;
  let dir: string;
  let prometheusUrl: string;
  let loadDone: Promise<unknown>;
  const good: QueryArgs = { namespace: 'drill-good', rollout: 'api', canaryHash: 'good' };
  const bad: QueryArgs = { namespace: 'drill-bad', rollout: 'api', canaryHash: 'bad' };

  beforeAll(async () => {
    const prometheus = requireTool('prometheus', 'prometheus');
    pg = await startPostgres();
    const databaseUrl = await pg.createDatabase('drill');
    dir = await mkdtemp(join(tmpdir(), 'conduit-k8s-drill-'));
    // The stable instance migrates first; the canaries find the schema current.
    const stable = await startApi(databaseUrl, {});
    await waitFor(`http://127.0.0.1:${stable}/readyz`, 60_000);
    const [badCanary, goodCanary] = await Promise.all([
      startApi(databaseUrl, { FAULT_ERROR_RATE: '0.5', FAULT_LATENCY_MS: '400' }),
      startApi(databaseUrl, {}),
    ]);
    await Promise.all([badCanary, goodCanary].map((p) => waitFor(`http://127.0.0.1:${p}/readyz`, 60_000)));

    // Two namespaces, as two releases: each has the stable instance and one canary. The ServiceMonitor's
    // `track` relabeling is reproduced from the target address.
    const job = (ns: string, canaryPort: number) => ({
      job_name: ns,
      scrape_interval: '1s',
      static_configs: [
        { targets: [`127.0.0.1:${stable}`, `127.0.0.1:${canaryPort}`], labels: { namespace: ns } },
      ],
      relabel_configs: [
        {
          source_labels: ['__address__'],
          regex: `127\\.0\\.0\\.1:${canaryPort}`,
          target_label: 'track',
          replacement: 'canary',
        },
        {
          source_labels: ['__address__'],
          regex: `127\\.0\\.0\\.1:${stable}`,
          target_label: 'track',
          replacement: 'stable',
        },
        { source_labels: ['track'], target_label: 'pod', replacement: 'api-$1' },
      ],
    });
    await writeFile(
      join(dir, 'prometheus.yml'),
      stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        scrape_configs: [job('drill-bad', badCanary), job('drill-good', goodCanary)],
      }),
    );
    const promPort = await freePort();
    prometheusUrl = `http://127.0.0.1:${promPort}`;
    startProcess(
      prometheus,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--log.level=warn',
      ],
      {},
    );
    await waitFor(`${prometheusUrl}/-/ready`, 30_000);
    loadDone = Promise.all([load(stable, 4), load(badCanary, 4), load(goodCanary, 4)]);
    // The background analysis' initial delay, scaled: once every track of both releases has been
    // scraped with traffic, two more scrapes so that rates have two samples.
    const deadline = Date.now() + 30_000;
    while (
      (await queryVector(prometheusUrl, 'count(count by (namespace, track) (http_requests_total))'))[0] !== 4
    ) {
      if (Date.now() > deadline)
        throw new Error('Prometheus did not see traffic on all four targets within 30 s');
      await new Promise((r) => setTimeout(r, 250));
    }
    await new Promise((r) => setTimeout(r, 2000));
  }, 150_000);

  afterAll(async () => {
    stopLoad = true;
    await loadDone;
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(
      children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined)),
    );
    await pg?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  const analyse = (args: QueryArgs) =>
    Promise.all(
      apiMetrics.map((m) => runAnalysis(prometheusUrl, m, m.query(args), cadence, DRILL_INTERVAL_MS)),
    );
  const report = (label: string, outcomes: AnalysisOutcome[]) =>
    console.log(
      `${label}: ${outcomes.map((o, i) => `${apiMetrics[i]!.name}=${o.phase} after ${o.measurements.length} measurement(s), ${o.elapsedMs} ms [${o.measurements.map((x) => x.value.map((v) => v.toFixed(3)).join('|')).join(', ')}]`).join('; ')}`,
    );

  it('the bad canary (50% errors, +400 ms) fails both API metrics within failureLimit + 1 measurements', async () => {
    const outcomes = await analyse(bad);
    report('bad canary', outcomes);
    for (const o of outcomes) {
      expect(o.phase).toBe('Failed');
      expect(o.measurements.filter((m) => m.verdict === 'Failed')).toHaveLength(cadence.failureLimit + 1);
      expect(o.measurements.length).toBeLessThanOrEqual(cadence.failureLimit + 1 + cadence.inconclusiveLimit);
    }
  }, 60_000);

  it('the good canary (fault injection off) passes every measurement of a step', async () => {
    const outcomes = await analyse(good);
    report('good canary', outcomes);
    for (const o of outcomes) {
      expect(o.phase).toBe('Successful');
      expect(o.measurements.length).toBe(cadence.stepCount);
      expect(o.measurements.every((m) => m.verdict === 'Successful')).toBe(true);
    }
  }, 60_000);

  it('a namespace without traffic is inconclusive, never a pass', async () => {
    const outcomes = await analyse({ namespace: 'drill-idle', rollout: 'api', canaryHash: 'idle' });
    for (const o of outcomes) expect(o.phase).toBe('Inconclusive');
  }, 60_000);
});
