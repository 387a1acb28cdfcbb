import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { probe, type RunningContainer, runContainer, waitForProbe } from './container.js';
import { inspectImage } from './images.js';
import { findObject, podmanPlan, podSpecOf, type RunPlan, renderedObjects } from './pod-spec.js';
import { podman } from './podman.js';

const STAGE = 'dev';
const images = inject('images');

describe(`the web image, run as the ${STAGE} web Rollout runs its web container`, () => {
  let plan: RunPlan;
  let web: RunningContainer;
  let base: string;

  beforeAll(async () => {
    const [objects, { user }] = await Promise.all([renderedObjects(STAGE), inspectImage(images.web)]);
    plan = podmanPlan(objects, podSpecOf(findObject(objects, 'Rollout', 'web')), 'web', { imageUser: user });
    web = await runContainer(images.web, plan);
    await waitForProbe(web, plan, plan.container.startupProbe!);
    base = web.url(8080);
  });
  afterAll(() => web?.remove());

  it('answers its readiness and liveness probes and its own HEALTHCHECK', async () => {
    expect(await probe(web, plan, plan.container.readinessProbe!)).toBe(200);
    expect(await probe(web, plan, plan.container.livenessProbe!)).toBe(200);
    expect(await (await fetch(`${base}/healthz`)).text()).toBe('ok\n');
    await podman(['healthcheck', 'run', web.name]);
  });

  it('serves the SPA shell on / and on client-side routes, and hashed assets as immutable', async () => {
    for (const path of ['/', '/article/some-slug', '/profile/someone']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toMatch(/^text\/html/);
      expect(await response.text(), path).toContain('<div id="root"></div>');
    }
    const shell = await (await fetch(`${base}/`)).text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(shell)?.[1];
    expect(asset).toBeDefined();
    const script = await fetch(`${base}${asset}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('proxies nothing: /api is not forwarded anywhere, and the exporter status stays on the pod loopback', async () => {
    const api = await fetch(`${base}/api/tags`);
    expect(api.status).toBe(404);
    expect(await api.json()).toEqual({ errors: { api: ['is served by the API tier, not the web tier'] } });
    expect((await fetch(`${base}/stub_status`)).status).toBe(403);
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
  });

  it('stops on its STOPSIGNAL (SIGQUIT, the graceful stop of nginx): the answer being read completes, exit 0', async () => {
    const { stopSignal } = await inspectImage(images.web);
    expect(stopSignal).toBe('SIGQUIT');
    const other = await runContainer(images.web, plan);
    try {
      await waitForProbe(other, plan, plan.container.startupProbe!);
      // A slow reader: the response is still being sent when the stop signal arrives.
      const inFlight = fetch(`${other.url(8080)}/`).then(async (r) => {
        await sleep(500);
        return { status: r.status, body: await r.text() };
      });
      const code = await other.stop();
      const answered = await inFlight;
      expect(answered.status).toBe(200);
      expect(answered.body).toContain('<div id="root"></div>');
      expect(code, await other.logs()).toBe(0);
    } finally {
      await other.remove();
    }
  });
});
