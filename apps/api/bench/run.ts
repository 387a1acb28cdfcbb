// `npm run bench -w @conduit/api`: seeds the fixed data set into a fresh real PostgreSQL, starts the
// production bundle of the API and the bare node:http ceilings, once as a single process and once as a
// cluster of one process per core, and measures four scenarios with autocannon at 50 connections, in
// BENCH_ROUNDS rounds, each read scenario's ceiling right after it in every round.
// Loopback only; every run is bounded by BENCH_DURATION_S per scenario.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, get } from 'node:http';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { freePort, startPostgres } from '@conduit/testing';
import autocannon from 'autocannon';
import pg from 'pg';
import { runMigrations } from '../src/db/migrate.js';
import { BENCH_SIZE, SEED_PASSWORD, seed } from '../src/db/seed.js';
import {
  type ApiBenchRun,
  type ApiMeasurement,
  ARTICLE_SCENARIO,
  apiGoals,
  CEILING_GOALS,
  featureCosts,
  LIST_SCENARIO,
  LOGIN_SCENARIO,
  type Mode,
  summarize,
  TAGS_SCENARIO,
} from './report-content.js';

const apiDir = fileURLToPath(new URL('..', import.meta.url));
const outDir = fileURLToPath(new URL('../../../.bench/', import.meta.url));
const duration = Number(process.env.BENCH_DURATION_S ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
for (const [name, value] of [
  ['BENCH_DURATION_S', duration],
  ['BENCH_ROUNDS', rounds],
] as const) {
  if (!Number.isInteger(value) || value < 1) {
    console.error(`bench: ${name} must be a whole number of at least 1 (got "${process.env[name]}")`);
    process.exit(1);
  }
}
const CONNECTIONS = 50;
const loadBefore = loadavg();

interface Scenario {
  readonly name: string;
  readonly requests: autocannon.Request[];
}

interface Target {
  readonly base: string;
  readonly mode: Mode;
  readonly processes: number;
  readonly child: ChildProcess;
}

function status(url: string): Promise<number> {
  return new Promise((resolve) => {
    // A new connection per request (no agent): the cluster hands each one to the next worker.
    get(url, { agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    }).on('error', () => resolve(0));
  });
}

/** Ready once every process behind the port answers: twice as many 200s in a row as there are processes. */
async function waitReady(url: string, processes: number, pollMs = 100): Promise<void> {
  const deadline = Date.now() + 30_000;
  let inARow = 0;
  while (Date.now() < deadline) {
    if ((await status(url)) === 200) {
      inARow += 1;
      if (inARow >= processes * 2) return;
      continue;
    }
    inARow = 0;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  throw new Error(`${url} did not become ready`);
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function measure(
  target: ApiMeasurement['target'],
  { base, mode, processes }: Target,
  scenario: Scenario,
  round: number,
): Promise<ApiMeasurement> {
  // A short warm-up so JIT and the pool are hot before the measured run.
  await autocannon({ url: base, connections: CONNECTIONS, duration: 2, requests: scenario.requests });
  const cpuBefore = process.cpuUsage();
  const result = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration,
    requests: scenario.requests,
  });
  const cpu = process.cpuUsage(cpuBefore);
  return {
    scenario: scenario.name,
    target,
    mode,
    processes,
    round,
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    loadGeneratorCpu: (cpu.user + cpu.system) / 1e6 / duration,
  };
}

function cycling(paths: readonly string[]): autocannon.Request {
  let next = 0;
  return {
    method: 'GET',
    setupRequest: (request) => {
      const path = paths[next++ % paths.length] as string;
      return { ...request, path };
    },
  };
}

const build = spawnSync(process.execPath, ['build.mjs'], { cwd: apiDir, stdio: 'inherit' });
if (build.status !== 0) throw new Error('API build failed');

const database = await startPostgres();
const url = await database.createDatabase('bench');
const pool = new pg.Pool({ connectionString: url, max: 2 });
await runMigrations(pool);
const usernames = await seed(pool, BENCH_SIZE);
const { rows: slugs } = await pool.query<{ slug: string }>(
  'SELECT slug FROM articles ORDER BY random() LIMIT 50',
);
const { rows: version } = await pool.query<{ server_version: string }>('SHOW server_version');
await pool.end();

const env = { PATH: process.env.PATH ?? '', DATABASE_URL: url };
const apiEnv = {
  ...env,
  NODE_ENV: 'production',
  HOST: '127.0.0.1',
  JWT_SECRET: randomBytes(32).toString('hex'),
  LOG_LEVEL: 'info',
  // The login scenario measures password verification, not the rate limiter.
  AUTH_RATE_LIMIT_MAX: '100000000',
  // No load balancer to wait for: stop as soon as the measurements are done.
  SHUTDOWN_DRAIN_DELAY_MS: '0',
};
const clusterSize = availableParallelism();

async function startTarget(
  mode: Mode,
  script: string,
  targetEnv: Record<string, string>,
  readyPath: string,
): Promise<Target> {
  const port = await freePort();
  const args = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(
    process.execPath,
    mode === 'single' ? [...args, script] : ['--import', 'tsx', 'bench/cluster.ts', script],
    {
      cwd: apiDir,
      // Logs are still written (their cost is part of serving) but dropped; errors stay visible.
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...targetEnv, PORT: String(port) },
    },
  );
  const target = {
    base: `http://127.0.0.1:${port}`,
    mode,
    processes: mode === 'single' ? 1 : clusterSize,
    child,
  };
  await waitReady(`${target.base}${readyPath}`, target.processes);
  return target;
}

const pages = Array.from(
  { length: BENCH_SIZE.articles / 10 },
  (_, n) => `/api/articles?limit=10&offset=${n * 10}`,
);
const scenarios: Scenario[] = [
  { name: LIST_SCENARIO, requests: [cycling(pages)] },
  {
    name: ARTICLE_SCENARIO,
    requests: [
      cycling(slugs.flatMap(({ slug }) => [`/api/articles/${slug}`, `/api/articles/${slug}/comments`])),
    ],
  },
  { name: TAGS_SCENARIO, requests: [{ method: 'GET', path: '/api/tags' }] },
  {
    name: LOGIN_SCENARIO,
    // Every seeded user in turn, as many people signing in: one account's budget counts attempts in flight
    // (routes.ts says why), so 50 connections on a single account would measure that budget's 429s.
    requests: [
      {
        method: 'POST',
        path: '/api/users/login',
        headers: { 'content-type': 'application/json' },
        setupRequest: (() => {
          let next = 0;
          return (request: autocannon.Request) => {
            const email = `${usernames[next++ % usernames.length]}@example.com`;
            return { ...request, body: JSON.stringify({ user: { email, password: SEED_PASSWORD } }) };
          };
        })(),
      },
    ],
  },
];

// A loopback OTLP/HTTP endpoint for the tracing variant: it takes every export and answers 200 (an empty
// protobuf body is a complete ExportTraceServiceResponse), so the API pays for spans and their export.
const otlpSink = createServer((request, response) => {
  request.resume();
  request.on('end', () => response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
});
const otlpPort = await freePort();
await new Promise<void>((resolve) => otlpSink.listen(otlpPort, '127.0.0.1', resolve));

/** The API as deployed, started from its source: the baseline of the features `without` leaves out. */
const FROM_SOURCE = 'the same API started from source (bench/variant-server.ts) instead of the bundle';

/**
 * The operational features, each measured as a second API on a single instance with that one feature
 * switched, in every round beside the API as deployed. The access log and tracing have settings; metrics,
 * request ids and security headers have none (the contract needs them), so bench/variant-server.ts builds
 * the app without the one named, and they are measured against that entry with nothing left out. The rate
 * limiter is not among them: it acts on sign-in, registration and writes only (the modules call it there),
 * and no read scenario reaches it.
 */
const VARIANTS: readonly {
  feature: string;
  featureOn: boolean;
  env: Record<string, string>;
  script?: string;
  against?: string;
}[] = [
  { feature: 'access log (LOG_LEVEL=warn drops it)', featureOn: false, env: { LOG_LEVEL: 'warn' } },
  {
    feature: 'tracing (OTEL_EXPORTER_OTLP_ENDPOINT, a loopback sink)',
    featureOn: true,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpPort}` },
  },
  { feature: FROM_SOURCE, featureOn: true, env: {}, script: 'bench/variant-server.ts' },
  ...(
    [
      ['metrics', 'metrics (prom-client: request counter, latency histogram, default metrics)'],
      ['request-id', 'request ids (X-Request-Id read or a UUID, and the response header)'],
      ['security-headers', 'security headers (@fastify/helmet)'],
    ] as const
  ).map(([name, feature]) => ({
    feature,
    featureOn: false,
    env: { BENCH_WITHOUT: name },
    script: 'bench/variant-server.ts',
    against: FROM_SOURCE,
  })),
];

/**
 * A process's resident memory (Linux /proc), as the container's memory limit counts it: `VmRSS` now, or
 * `VmHWM`, its highest so far.
 */
function residentBytes(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const kib = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(
    readFileSync(`/proc/${pid}/status`, 'utf8'),
  )?.[1];
  if (!kib) throw new Error(`no ${field} for process ${pid}`);
  return Number(kib) * 1024;
}

/** CPU seconds (user and system) a process has used, from /proc/<pid>/stat (fields 14 and 15, in ticks). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: count the fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * Resolves once the process has finished the requests it accepted before the load generator stopped: it
 * used less than 5% of a core over 200 ms. autocannon stops at the end of its duration with up to 50 requests
 * still on the server (50 logins are about 0.3 s of hashing); memory read before they finish counts
 * work in flight rather than what the process keeps.
 */
async function settled(pid: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  let before = cpuSeconds(pid);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const now = cpuSeconds(pid);
    if (now - before < 0.01) return;
    before = now;
  }
  throw new Error(`process ${pid} was still busy 10 s after the load stopped`);
}

/**
 * Start to ready on the migrated, seeded database, as a new pod of a rollout starts: milliseconds from
 * spawning the production bundle to its first 200 on /readyz (polled every 10 ms), three starts.
 */
async function startToReady(): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const started = performance.now();
    const child = spawn(process.execPath, ['dist/server.js'], {
      cwd: apiDir,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...apiEnv, PORT: String(port) },
    });
    try {
      await waitReady(`http://127.0.0.1:${port}/readyz`, 1, 10);
      times.push(Math.round(performance.now() - started));
    } finally {
      await stop(child);
    }
  }
  process.stdout.write(`start to ready: ${times.join(', ')} ms\n`);
  return times;
}

const readyMs: number[] = [];
let rssAfterLoadBytes: number | undefined;
let rssPeakBytes: number | undefined;
const results: ApiMeasurement[] = [];
try {
  for (const mode of ['single', 'cluster'] as const) {
    const started: Target[] = [];
    try {
      const api = await startTarget(mode, 'dist/server.js', apiEnv, '/readyz');
      started.push(api);
      const bare = await startTarget(mode, 'bench/bare-server.ts', env, '/api/tags');
      started.push(bare);
      const variants: { variant: (typeof VARIANTS)[number]; target: Target }[] = [];
      if (mode === 'single') {
        for (const variant of VARIANTS) {
          const script = variant.script ?? 'dist/server.js';
          const target = await startTarget(mode, script, { ...apiEnv, ...variant.env }, '/readyz');
          started.push(target);
          variants.push({ variant, target });
        }
      }
      if (mode === 'single') readyMs.push(...(await startToReady()));
      for (let round = 1; round <= rounds; round++) {
        for (const scenario of scenarios) {
          process.stdout.write(`${mode}, round ${round}/${rounds}: ${scenario.name}, ${duration}s…\n`);
          results.push(await measure('api', api, scenario, round));
          if (!(scenario.name in CEILING_GOALS)) continue;
          process.stdout.write(`${mode}, round ${round}/${rounds}: its bare ceiling, ${duration}s…\n`);
          results.push(await measure('bare', bare, scenario, round));
          for (const { variant, target } of variants) {
            process.stdout.write(`${mode}, round ${round}/${rounds}: ${variant.feature}, ${duration}s…\n`);
            const { feature, featureOn, against } = variant;
            results.push({
              ...(await measure('api', target, scenario, round)),
              variant: { feature, featureOn, ...(against ? { against } : {}) },
            });
          }
        }
      }
      if (mode === 'single' && api.child.pid) {
        await settled(api.child.pid);
        rssAfterLoadBytes = residentBytes(api.child.pid);
        rssPeakBytes = residentBytes(api.child.pid, 'VmHWM');
      }
    } finally {
      await Promise.all(started.map(({ child }) => stop(child)));
    }
  }
} finally {
  otlpSink.close();
  await database.stop();
}

console.log(
  '\nmedians over the rounds:\nscenario                                    target  mode        req/s    p50 ms    p99 ms',
);
for (const r of summarize(results)) {
  console.log(
    `${r.scenario.padEnd(44)}${(r.variant ? r.variant.feature.split(' ')[0]! : r.target).padEnd(8)}${r.mode.padEnd(8)}${String(r.requestsPerSecond).padStart(9)}${String(r.p50Ms).padStart(10)}${String(r.p99Ms).padStart(10)}`,
  );
}
for (const cost of featureCosts(results)) {
  console.log(
    `${cost.scenario.slice(0, 3)} ${cost.feature}: ${cost.withoutRps} → ${cost.withRps} req/s, ${cost.microsPerRequest.toFixed(0)} µs per request`,
  );
}
for (const mode of ['single', 'cluster'] as const) {
  for (const goal of apiGoals(results, mode)) {
    const measured = goal.kind === 'p99' ? `${goal.measured} ms` : `${(goal.measured * 100).toFixed(1)}%`;
    const wanted = goal.kind === 'p99' ? `< ${goal.goal} ms` : `≥ ${goal.goal * 100}%`;
    console.log(
      `${mode}: ${goal.scenario.slice(0, 3)} ${goal.kind} ${measured} (goal ${wanted}: ${goal.met ? 'met' : 'NOT met'})`,
    );
  }
}

const run: ApiBenchRun = {
  date: new Date().toISOString(),
  node: process.version,
  postgres: version[0]?.server_version ?? 'unknown',
  autocannon: (createRequire(import.meta.url)('autocannon/package.json') as { version: string }).version,
  connections: CONNECTIONS,
  durationSeconds: duration,
  rounds,
  dataSet: BENCH_SIZE,
  loadAverage: { before: loadBefore, after: loadavg() },
  results,
  startToReadyMs: readyMs,
  ...(rssAfterLoadBytes === undefined ? {} : { rssAfterLoadBytes }),
  ...(rssPeakBytes === undefined ? {} : { rssPeakBytes }),
};
mkdirSync(outDir, { recursive: true });
const file = `${outDir}api-${run.date.replace(/[:.]/g, '-')}.json`;
writeFileSync(file, `${JSON.stringify(run, null, 2)}\n`);
console.log(`results written to ${file}`);
if (results.some((r) => r.non2xx + r.errors > 0)) {
  console.error('some requests failed: the numbers above are not valid');
  process.exit(1);
}
