// `npm run bench -w @conduit/web`: the production build served by real nginx with the production
// nginx.conf, measured with autocannon as the API is: the app shell (`GET /`) and the largest hashed script
// index.html loads. Loopback only; every run is bounded by BENCH_DURATION_S per request.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { requireTool } from '@conduit/testing';
import autocannon from 'autocannon';
// The file format the report reads (.bench/web-*.json) is declared once, by the report.
import type { WebMeasurement } from '../../api/bench/report-content.ts';
import { startNginx } from '../test/nginx-server.js';
import { BUDGET, initialScripts, measureBundle } from './bundle-size.js';

const WEB = resolve(import.meta.dirname, '..');
const DIST = join(WEB, 'dist');
const OUT = resolve(WEB, '../../.bench');
const duration = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = 50;
// What a browser sends, so gzip_static answers with the precompressed file as it does in production.
const HEADERS = { 'accept-encoding': 'gzip' };

interface Target {
  readonly scenario: string;
  readonly path: string;
  /** The file nginx must send for the path, byte for byte. */
  readonly file: string;
}

/** A raw GET: unlike fetch it does not decompress, so the check sees the bytes nginx sent. */
function rawGet(url: string): Promise<{ status: number; encoding: string; body: Buffer }> {
  return new Promise((done, fail) => {
    const req = request(url, { headers: HEADERS }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        done({
          status: response.statusCode ?? 0,
          encoding: response.headers['content-encoding'] ?? 'identity',
          body: Buffer.concat(chunks),
        }),
      );
      response.on('error', fail);
    });
    req.on('error', fail);
    req.end();
  });
}

async function measure(base: string, target: Target): Promise<WebMeasurement> {
  const answer = await rawGet(`${base}${target.path}`);
  const expected = readFileSync(target.file);
  if (answer.status !== 200 || answer.encoding !== 'gzip' || !answer.body.equals(expected))
    throw new Error(
      `GET ${target.path} answered ${answer.status} ${answer.encoding} (${answer.body.length} bytes), not 200 gzip with ${target.file}`,
    );
  const options = { url: `${base}${target.path}`, connections: CONNECTIONS, headers: HEADERS };
  // A short warm-up so the page cache and nginx's open connections are hot before the measured run.
  await autocannon({ ...options, duration: 2 });
  const cpuBefore = process.cpuUsage();
  const result = await autocannon({ ...options, duration });
  const cpu = process.cpuUsage(cpuBefore);
  return {
    scenario: target.scenario,
    path: target.path,
    bytes: answer.body.length,
    contentEncoding: answer.encoding,
    requestsPerSecond: Math.round(result.requests.average),
    bytesPerSecond: Math.round(result.throughput.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    loadGeneratorCpu: (cpu.user + cpu.system) / 1e6 / duration,
  };
}

const loadBefore = loadavg();
const html = readFileSync(join(DIST, 'index.html'), 'utf8');
const largestScript = initialScripts(html)
  .map((path) => ({ path, size: statSync(join(DIST, path)).size }))
  .sort((a, b) => b.size - a.size)[0];
if (!largestScript) throw new Error(`${DIST}/index.html loads no script: run "npm run build" first`);
const targets: Target[] = [
  { scenario: 'app shell (index.html)', path: '/', file: join(DIST, 'index.html.gz') },
  {
    scenario: 'largest hashed script',
    path: largestScript.path,
    file: join(DIST, `${largestScript.path}.gz`),
  },
];

const nginxVersion = spawnSync(requireTool('nginx'), ['-v'], { encoding: 'utf8' });
const bundle = await measureBundle(DIST);
const nginx = await startNginx({ root: DIST });
const results: WebMeasurement[] = [];
try {
  for (const target of targets) {
    process.stdout.write(`measuring GET ${target.path} for ${duration}s…\n`);
    results.push(await measure(nginx.url, target));
  }
} finally {
  await nginx.stop();
}

console.log('\nrequest                           bytes     req/s    p50 ms    p99 ms   non-2xx');
for (const r of results) {
  console.log(
    `${r.path.padEnd(32)}${String(r.bytes).padStart(7)}${String(r.requestsPerSecond).padStart(10)}${String(r.p50Ms).padStart(10)}${String(r.p99Ms).padStart(10)}${String(r.non2xx + r.errors).padStart(10)}`,
  );
}

const date = new Date().toISOString();
const run = {
  date,
  node: process.version,
  nginx: /nginx\/(\S+)/.exec(nginxVersion.stderr)?.[1] ?? 'unknown',
  // worker_processes auto: one per core.
  nginxWorkers: availableParallelism(),
  autocannon: (createRequire(import.meta.url)('autocannon/package.json') as { version: string }).version,
  connections: CONNECTIONS,
  durationSeconds: duration,
  loadAverage: { before: loadBefore, after: loadavg() },
  bundle: {
    initialGzipBytes: bundle.initial,
    totalGzipBytes: bundle.total,
    initialBudgetBytes: BUDGET.initial,
    totalBudgetBytes: BUDGET.total,
  },
  results,
};
mkdirSync(OUT, { recursive: true });
const file = join(OUT, `web-${date.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify(run, null, 2)}\n`);
console.log(`results written to ${file}`);
if (results.some((r) => r.non2xx + r.errors > 0)) {
  console.error('some requests failed: the numbers above are not valid');
  process.exit(1);
}
