import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  CHROMIUM_ARGS,
  freePort,
  GENEROUS_LIMITS,
  requireTool,
  startPostgres,
  type TestPostgres,
} from '@conduit/testing';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

const WEB = resolve(import.meta.dirname, '..');
const API = resolve(WEB, '../api');
export const DIST = join(WEB, 'dist');
export const REPORTS = join(WEB, '.reports');

export interface Stack {
  /** The one origin: the SPA and `/api`, as `npm start` serves them. */
  readonly baseUrl: string;
  readonly browser: Browser;
  /** A fresh browser profile (own localStorage) on the app. */
  newPage(): Promise<{ context: BrowserContext; page: Page }>;
  apiLog(): string;
  stop(): Promise<void>;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, alive: () => boolean) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`${what}: the process exited`);
    if (await check().catch(() => false)) return;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`${what}: not ready within ${timeoutMs} ms`);
}

export interface ApiProcess {
  readonly baseUrl: string;
  log(): string;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL and the real API process (`node --import tsx apps/api/src/server.ts`), ready when
 * `/readyz` answers 200. With `webRoot` the API also serves the built SPA on the same origin (`npm start`).
 */
export async function startApi(options: { webRoot?: string } = {}): Promise<ApiProcess> {
  let postgres: TestPostgres | undefined;
  let api: ChildProcess | undefined;
  let log = '';
  const stop = async () => {
    if (api && api.exitCode === null) {
      const exited = new Promise((done) => api?.once('exit', done));
      api.kill('SIGTERM');
      await Promise.race([exited, new Promise((done) => setTimeout(done, 8_000))]);
      if (api.exitCode === null) api.kill('SIGKILL');
    }
    await postgres?.stop().catch(() => {});
  };
  try {
    postgres = await startPostgres();
    const databaseUrl = await postgres.createDatabase('web_e2e');
    const port = await freePort();
    api = spawn(process.execPath, ['--import', 'tsx', join(API, 'src/server.ts')], {
      cwd: API,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: databaseUrl,
        ...(options.webRoot ? { WEB_ROOT: options.webRoot } : {}),
        JWT_SECRET: randomBytes(32).toString('hex'),
        NODE_ENV: 'test',
        // Every test signs up its own users and writes fast; the limits are tested in the API tier.
        ...GENEROUS_LIMITS,
        SHUTDOWN_DRAIN_DELAY_MS: '0',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-20_000);
    };
    api.stdout?.on('data', keep);
    api.stderr?.on('data', keep);
    const baseUrl = `http://127.0.0.1:${port}`;
    const child = api;
    await waitFor(
      'API /readyz',
      async () => (await fetch(`${baseUrl}/readyz`)).status === 200,
      60_000,
      () => child.exitCode === null,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${log}`);
    });
    return { baseUrl, log: () => log, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The `npm start` topology as real processes: PostgreSQL, the API serving the built SPA from WEB_ROOT,
 * and Debian's Chromium driven by playwright-core.
 */
export async function startStack(): Promise<Stack> {
  if (!existsSync(join(DIST, 'index.html')))
    throw new Error(`no build in ${DIST}: run "npm run build -w @conduit/web"`);
  const chromiumPath = requireTool('chromium');
  const api = await startApi({ webRoot: DIST });
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close().catch(() => {});
    await api.stop();
  };
  try {
    await mkdir(REPORTS, { recursive: true });
    // playwright-core gives every launch a fresh temporary profile (user-data-dir) and deletes it on close.
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: [...CHROMIUM_ARGS],
    });
    const launched = browser;
    const baseUrl = api.baseUrl;
    return {
      baseUrl,
      browser: launched,
      async newPage() {
        const context = await launched.newContext({
          baseURL: baseUrl,
          viewport: { width: 1280, height: 900 },
        });
        context.setDefaultTimeout(10_000);
        const page = await context.newPage();
        return { context, page };
      },
      apiLog: api.log,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
