import { startPostgres, type TestPostgres } from '@conduit/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runMigrateJob } from './api-container.js';
import {
  HOST_FROM_CONTAINER,
  probe,
  type RunningContainer,
  runContainer,
  waitForProbe,
} from './container.js';
import { inspectImage } from './images.js';
import {
  databaseSecrets,
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

describe(`the notifier image, run as the ${STAGE} notifier Deployment runs it`, () => {
  let postgres: TestPostgres;
  let objects: K8sObject[];
  let plan: RunPlan;
  const started: RunningContainer[] = [];

  beforeAll(async () => {
    let apiUser: string;
    let user: string;
    [postgres, objects, { user: apiUser }, { user }] = await Promise.all([
      startPostgres(),
      renderedObjects(STAGE),
      inspectImage(images.api),
      inspectImage(images.notifier),
    ]);
    const url = new URL(await postgres.createDatabase('notifier'));
    url.hostname = HOST_FROM_CONTAINER;
    const secrets = databaseSecrets(url.toString());
    // The queue table comes from the API's migrations, which the api-migrate Job applies.
    await runMigrateJob(objects, images.api, apiUser, url.toString());
    plan = podmanPlan(objects, podSpecOf(findObject(objects, 'Deployment', 'notifier')), 'notifier', {
      imageUser: user,
      secrets,
    });
  });
  afterAll(async () => {
    await Promise.all(started.map((c) => c.remove()));
    await postgres?.stop();
  });

  it('passes its startup, readiness and liveness probes, serves its metrics and passes its HEALTHCHECK', async () => {
    const notifier = await runContainer(images.notifier, plan);
    started.push(notifier);
    const { startupProbe, readinessProbe, livenessProbe } = plan.container;
    await waitForProbe(notifier, plan, startupProbe!);
    await waitForProbe(notifier, plan, readinessProbe!);
    expect(await probe(notifier, plan, livenessProbe!)).toBe(200);
    const metrics = await (await fetch(`${notifier.url(9464)}/metrics`)).text();
    expect(metrics).toMatch(/^notifier_queue_depth \d+$/m);
    await podman(['healthcheck', 'run', notifier.name]);
  });

  it('seeded defect: against a database the migrate Job never ran on, it lives but never turns ready', async () => {
    const unmigrated = new URL(await postgres.createDatabase('unmigrated'));
    unmigrated.hostname = HOST_FROM_CONTAINER;
    const p = podmanPlan(objects, podSpecOf(findObject(objects, 'Deployment', 'notifier')), 'notifier', {
      imageUser: (await inspectImage(images.notifier)).user,
      secrets: databaseSecrets(unmigrated.toString()),
    });
    const notifier = await runContainer(images.notifier, p);
    started.push(notifier);
    await waitForProbe(notifier, p, p.container.startupProbe!);
    expect(await probe(notifier, p, p.container.livenessProbe!)).toBe(200);
    await expect(waitForProbe(notifier, p, p.container.readinessProbe!)).rejects.toThrow(
      /\/readyz did not answer 200 within 10000 ms/,
    );
  });

  it('on SIGTERM (podman stop) it drains and node exits 0, well inside terminationGracePeriodSeconds', async () => {
    const notifier = await runContainer(images.notifier, plan);
    started.push(notifier);
    await waitForProbe(notifier, plan, plan.container.readinessProbe!);
    const grace = (plan.pod.terminationGracePeriodSeconds ?? 30) * 1000;
    const t0 = Date.now();
    const code = await notifier.stop();
    const logs = await notifier.logs();
    expect(code, logs).toBe(0);
    expect(logs).toContain('draining: finishing the in-flight batch');
    expect(Date.now() - t0).toBeLessThan(grace / 2);
  });
});
