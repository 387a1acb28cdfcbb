// `npm run bench`: seeds the fixed data set into a fresh real PostgreSQL, starts the production bundle of
// the API and a bare node:http ceiling, and measures four scenarios with autocannon at 50 connections.
// Loopback only; every run is bounded by BENCH_DURATION_S per scenario.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { freePort, startPostgres } from '@conduit/testing';
import autocannon from 'autocannon';
import pg from 'pg';
import { runMigrations } from '../src/db/migrate.js';
import { BENCH_SIZE, SEED_PASSWORD, seed } from '../src/db/seed.js';

const apiDir = fileURLToPath(new URL('..', import.meta.url));
const outDir = fileURLToPath(new URL('../../../.bench/', import.meta.url));
const duration = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = 50;
const GOAL_RATIO = 0.7;
const GOAL_P99_MS = 50;

interface Scenario {
  readonly name: string;
  readonly requests: autocannon.Request[];
}

interface Measured {
  readonly scenario: string;
  readonly target: string;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
}

async function waitReady(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const ok = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
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

async function measure(target: string, base: string, scenario: Scenario): Promise<Measured> {
  // A short warm-up so JIT and the pool are hot before the measured run.
  await autocannon({ url: base, connections: CONNECTIONS, duration: 2, requests: scenario.requests });
  const result = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration,
    requests: scenario.requests,
  });
  return {
    scenario: scenario.name,
    target,
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
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
await pool.end();

const apiPort = await freePort();
const barePort = await freePort();
const env = { PATH: process.env.PATH ?? '', DATABASE_URL: url };
const api = spawn(process.execPath, ['dist/server.js'], {
  cwd: apiDir,
  stdio: 'ignore',
  env: {
    ...env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    JWT_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'info',
    // The login scenario measures password verification, not the rate limiter.
    AUTH_RATE_LIMIT_MAX: '100000000',
  },
});
const bare = spawn(process.execPath, ['--import', 'tsx', 'bench/bare-server.ts'], {
  cwd: apiDir,
  stdio: 'ignore',
  env: { ...env, PORT: String(barePort) },
});

const results: Measured[] = [];
try {
  const apiBase = `http://127.0.0.1:${apiPort}`;
  const bareBase = `http://127.0.0.1:${barePort}`;
  await waitReady(`${apiBase}/readyz`);
  await waitReady(`${bareBase}/?limit=1`);

  const pages = Array.from(
    { length: BENCH_SIZE.articles / 10 },
    (_, n) => `/api/articles?limit=10&offset=${n * 10}`,
  );
  const scenarios: Scenario[] = [
    { name: '(a) GET /api/articles?limit=10&offset=N', requests: [cycling(pages)] },
    {
      name: '(b) GET /api/articles/:slug + /comments',
      requests: [
        cycling(slugs.flatMap(({ slug }) => [`/api/articles/${slug}`, `/api/articles/${slug}/comments`])),
      ],
    },
    { name: '(c) GET /api/tags', requests: [{ method: 'GET', path: '/api/tags' }] },
    {
      name: '(d) POST /api/users/login',
      requests: [
        {
          method: 'POST',
          path: '/api/users/login',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ user: { email: `${usernames[0]}@example.com`, password: SEED_PASSWORD } }),
        },
      ],
    },
  ];
  for (const scenario of scenarios) {
    process.stdout.write(`measuring ${scenario.name} for ${duration}s…\n`);
    results.push(await measure('api', apiBase, scenario));
  }
  process.stdout.write(`measuring the bare node:http + pg ceiling for ${duration}s…\n`);
  results.push(
    await measure('bare', bareBase, {
      name: '(a) GET /api/articles?limit=10&offset=N',
      requests: [cycling(pages.map((path) => path.replace('/api/articles', '/')))],
    }),
  );
} finally {
  await Promise.all([stop(api), stop(bare)]);
  await database.stop();
}

const listApi = results.find((r) => r.target === 'api' && r.scenario.startsWith('(a)'));
const listBare = results.find((r) => r.target === 'bare');
const ratio = listApi && listBare ? listApi.requestsPerSecond / listBare.requestsPerSecond : 0;

console.log('\nscenario                                    target      req/s    p50 ms    p99 ms   non-2xx');
for (const r of results) {
  console.log(
    `${r.scenario.padEnd(44)}${r.target.padEnd(8)}${String(r.requestsPerSecond).padStart(9)}${String(r.p50Ms).padStart(10)}${String(r.p99Ms).padStart(10)}${String(r.non2xx + r.errors).padStart(10)}`,
  );
}
const p99Ok = (listApi?.p99Ms ?? Number.POSITIVE_INFINITY) < GOAL_P99_MS;
console.log(
  `\nlist vs bare ceiling: ${(ratio * 100).toFixed(1)}% (goal ≥ ${GOAL_RATIO * 100}%: ${ratio >= GOAL_RATIO ? 'met' : 'NOT met'}); list p99 ${listApi?.p99Ms} ms (goal < ${GOAL_P99_MS} ms: ${p99Ok ? 'met' : 'NOT met'})`,
);

mkdirSync(outDir, { recursive: true });
const file = `${outDir}api-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
writeFileSync(
  file,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      node: process.version,
      cpus: availableParallelism(),
      connections: CONNECTIONS,
      durationSeconds: duration,
      dataSet: BENCH_SIZE,
      results,
      listRatioToBare: ratio,
    },
    null,
    2,
  )}\n`,
);
console.log(`results written to ${file}`);
if (results.some((r) => r.non2xx + r.errors > 0)) {
  console.error('some requests failed: the numbers above are not valid');
  process.exit(1);
}
