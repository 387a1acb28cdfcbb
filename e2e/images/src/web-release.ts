import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { CHROMIUM_ARGS, requireTool } from '@conduit/testing';
import { chromium } from 'playwright-core';
import { type RunningContainer, runContainer, waitForProbe } from './container.js';
import { type EdgeOptions, startEdge } from './edge-stand-in.js';
import type { RunPlan } from './pod-spec.js';

export interface WebReleaseOptions extends EdgeOptions {
  readonly plan: RunPlan;
  readonly from: string;
  readonly to: string;
  /** The hashed asset files the old image's own build made (its lazy chunks among them). */
  readonly oldAssets: readonly string[];
  /** Canary weight (percent) while both versions serve. @default 50 */
  readonly canaryWeight?: number;
  /** How long both versions serve. @default 4000 */
  readonly canaryMs?: number;
  /** Page loads under way at once. @default 8 */
  readonly concurrency?: number;
}

export interface WebReleaseResult {
  readonly pageLoads: number;
  readonly assetRequests: number;
  /** Old assets requested (as pages of the old version do) after its last container was gone. */
  readonly oldAssetRequestsAfter: number;
  readonly failures: readonly string[];
  /** The browser's page from the old version: the chunk of the page it opened after the release. */
  readonly lazyChunk: { readonly path: string; readonly status: number };
  readonly pageShown: boolean;
  /** The browser loaded the document afresh after the click (the app's answer to a chunk it cannot get). */
  readonly reloaded: boolean;
  readonly lines: readonly string[];
}

const ASSET_REF = /(?:src|href)="(\/assets\/[^"]+)"/g;
/** The chunk Vite names after the sign-in page's module (`features/auth/auth-page.tsx`). */
const SIGN_IN_CHUNK = /^\/assets\/auth-page-[\w-]+\.js$/;

/**
 * A GET as a browser sends it: over a kept-alive connection, retried once on a fresh one when a reused
 * connection closes before any answer (what browsers do for idempotent requests).
 */
function browserGet(agent: Agent, url: string): Promise<{ status: number; body: string }> {
  const once = () =>
    new Promise<{ status: number; body: string; reused: boolean }>((resolve, reject) => {
      const req = request(url, { agent, timeout: 5000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString(),
            reused: req.reusedSocket,
          }),
        );
      });
      req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
      req.on('error', (error) => reject(Object.assign(error, { reused: req.reusedSocket })));
      req.end();
    });
  return once().catch((error: Error & { reused?: boolean; code?: string }) => {
    if (error.reused && error.code === 'ECONNRESET') return once();
    throw error;
  });
}

/**
 * A web release the way a Rollout with the ALB router runs one, behind stand-ins of CloudFront and the ALB
 * (edge-stand-in.ts): the new pod ready, the canary at `canaryWeight` percent with the header route set, then
 * promotion (every request to the new pod, the header route gone), then the old pod stopped (SIGQUIT,
 * graceful). Load runs throughout: page loads (index.html and every asset it names), and requests for the old
 * version's own assets, which pages loaded before the release keep making. A real browser opens the home page
 * on the old version and, once no old container is left, navigates client-side to the sign-in page, whose
 * lazy chunk only the old build named.
 */
export async function webReleaseDrill(options: WebReleaseOptions): Promise<WebReleaseResult> {
  const { plan } = options;
  const upstream = (c: RunningContainer) => new URL(c.url(8080)).host;
  const ready = async (image: string) => {
    const c = await runContainer(image, plan);
    await waitForProbe(c, plan, plan.container.readinessProbe!);
    return c;
  };
  const old = await ready(options.from);
  let next: RunningContainer | undefined;
  const edge = await startEdge(
    { stable: [upstream(old)], canary: [], canaryWeight: 0, headerRoute: false },
    options,
  );
  const browser = await chromium.launch({
    executablePath: requireTool('chromium'),
    args: [...CHROMIUM_ARGS],
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const failures: string[] = [];
  let pageLoads = 0;
  let assetRequests = 0;
  let oldAssetRequestsAfter = 0;
  let oldGone = false;
  let running = true;
  const get = async (path: string) => {
    try {
      const { status, body } = await browserGet(agent, `${edge.url}${path}`);
      if (status !== 200) failures.push(`${path}: ${status}`);
      return body;
    } catch (error) {
      failures.push(`${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      return '';
    }
  };
  const oldPaths = options.oldAssets.filter((name) => !name.endsWith('.gz')).map((name) => `/assets/${name}`);
  const worker = async (index: number) => {
    while (running) {
      const html = await get('/');
      pageLoads += 1;
      const assets = [...html.matchAll(ASSET_REF)].map((m) => m[1]!);
      await Promise.all(assets.map((path) => get(path)));
      assetRequests += assets.length;
      // A page of the old version asks for one of its files.
      const after = oldGone;
      await get(oldPaths[(pageLoads + index) % oldPaths.length]!);
      assetRequests += 1;
      if (after) oldAssetRequestsAfter += 1;
    }
  };
  try {
    const context = await browser.newContext({ baseURL: edge.url });
    const page = await context.newPage();
    const assetStatus = new Map<string, { status: number; at: number }>();
    page.on('response', (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith('/assets/')) assetStatus.set(path, { status: r.status(), at: Date.now() });
    });
    await page.goto('/', { waitUntil: 'load' });
    const loadedBefore = new Set(assetStatus.keys());

    const workers = Array.from({ length: options.concurrency ?? 8 }, (_, i) => worker(i));
    await sleep(1000);
    next = await ready(options.to);
    const [o, n] = [upstream(old), upstream(next)];
    const weight = options.canaryWeight ?? 50;
    await edge.route({ stable: [o], canary: [n], canaryWeight: weight, headerRoute: true });
    await sleep(options.canaryMs ?? 4000);
    // Promotion: the stable Service selects the new pods; outside a release the canary Service does too.
    await edge.route({ stable: [n], canary: [n], canaryWeight: 0, headerRoute: false });
    await sleep(500);
    await old.stop();
    await old.remove();
    oldGone = true;
    const gone = Date.now();

    let documentLoads = 0;
    page.on('domcontentloaded', () => {
      documentLoads += 1;
    });
    await page.click('a.nav-link[href="/login"]');
    const pageShown = await page
      .getByRole('heading', { name: 'Sign in' })
      .waitFor({ timeout: 10_000 })
      .then(
        () => true,
        () => false,
      );
    const reloaded = documentLoads > 0;
    await sleep(1000);
    running = false;
    await Promise.all(workers);

    // The old build's chunk of the sign-in page, asked for after the old pods were gone and not before.
    const lazy = [...assetStatus].find(
      ([path, s]) =>
        SIGN_IN_CHUNK.test(path) && s.at >= gone && oldPaths.includes(path) && !loadedBefore.has(path),
    );
    const lazyChunk = lazy
      ? { path: lazy[0], status: lazy[1].status }
      : { path: '(none requested)', status: 0 };
    const lines = [
      `${options.from} -> ${options.to} (canary ${weight}% for ${options.canaryMs ?? 4000} ms, edge retry for assets ${options.assetFailover ? 'on' : 'off'}): ${pageLoads} page loads, ${assetRequests} asset requests, ${failures.length} failed`,
      `old assets requested after the last old container was gone: ${oldAssetRequestsAfter}`,
      `browser page loaded on the old version, sign-in opened after it was gone: chunk ${lazyChunk.path} ${lazyChunk.status}, page ${pageShown ? 'shown' : 'NOT shown'}${reloaded ? ' after a reload' : ' without a reload'}`,
      ...(failures.length ? [`first failures: ${[...new Set(failures)].slice(0, 5).join('; ')}`] : []),
    ];
    return {
      pageLoads,
      assetRequests,
      oldAssetRequestsAfter,
      failures,
      lazyChunk,
      pageShown,
      reloaded,
      lines,
    };
  } finally {
    running = false;
    agent.destroy();
    await browser.close().catch(() => {});
    await edge.stop();
    await old.remove();
    await next?.remove();
  }
}
