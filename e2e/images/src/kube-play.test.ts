import { randomBytes } from 'node:crypto';
import { startPostgres, type TestPostgres } from '@conduit/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runMigrateJob } from './api-container.js';
import { HOST_FROM_CONTAINER, probe, waitForProbe } from './container.js';
import { inspectImage } from './images.js';
import { type Play, type PlayedContainer, play, type Rehearsal, rehearsal } from './kube-play.js';
import { databaseSecrets, findObject, type K8sObject, podSpecOf, renderedObjects } from './pod-spec.js';
import { PodmanError, podman } from './podman.js';

const STAGE = 'dev';
const images = inject('images');

/** The startup probe (or readiness, without one), then readiness and liveness, each within its budget. */
async function passesProbes(played: PlayedContainer): Promise<void> {
  const { startupProbe, readinessProbe, livenessProbe } = played.container;
  if (startupProbe) await waitForProbe(played, played, startupProbe);
  await waitForProbe(played, played, readinessProbe!);
  expect(await probe(played, played, livenessProbe!), played.name).toBe(200);
}

/** Replaces one string in one workload's pod template of a copy of the rendered objects. */
function seeded(
  objects: readonly K8sObject[],
  kind: string,
  name: string,
  from: string,
  to: string,
): K8sObject[] {
  return objects.map((o) => {
    if (o.kind !== kind || o.metadata.name !== name) return o;
    const text = JSON.stringify(o);
    expect(text).toContain(from);
    return JSON.parse(text.replace(from, to)) as K8sObject;
  });
}

describe(`podman kube play of the ${STAGE} manifests (Kubernetes faked by podman: Rollouts played as Deployments)`, () => {
  let postgres: TestPostgres;
  let objects: K8sObject[];
  let secrets: Record<string, string>;
  const local = () => ({
    'conduit/api': images.api,
    'conduit/web': images.web,
    'conduit/notifier': images.notifier,
  });

  beforeAll(async () => {
    let apiUser: string;
    [postgres, objects, { user: apiUser }] = await Promise.all([
      startPostgres(),
      renderedObjects(STAGE),
      inspectImage(images.api),
    ]);
    const url = new URL(await postgres.createDatabase('play'));
    url.hostname = HOST_FROM_CONTAINER;
    secrets = {
      ...databaseSecrets(url.toString()),
      'conduit-jwt/JWT_SECRET': randomBytes(32).toString('hex'),
    };
    // Argo CD runs the PreSync migrate Job before it syncs the workloads; podman 4.3 plays no Jobs.
    await runMigrateJob(objects, images.api, apiUser, url.toString());
  });
  afterAll(() => postgres?.stop());

  describe('the whole stage', () => {
    let rehearsed: Rehearsal;
    let played: Play | undefined;
    beforeAll(async () => {
      rehearsed = await rehearsal(objects, { images: local(), secrets });
      played = await play(rehearsed);
    });
    afterAll(() => played?.down());

    it('plays the api, web and notifier pods and leaves out, by name, what podman cannot play', () => {
      expect(rehearsed.containers.map((c) => c.name).sort()).toEqual([
        'api-pod-0-api',
        'notifier-pod-0-notifier',
        'web-pod-0-web',
      ]);
      expect(rehearsed.dropped).toContain('Rollout/api: played as a Deployment of the same pod template');
      expect(rehearsed.dropped).toContainEqual(
        expect.stringMatching(/^Job\/api-migrate: podman 4\.3 plays no Jobs/),
      );
      expect(rehearsed.dropped).toContainEqual(
        expect.stringMatching(/^Rollout\/web container nginx-exporter \(nginx\/nginx-prometheus-exporter:/),
      );
      console.log(`podman kube play: left out\n  ${rehearsed.dropped.join('\n  ')}`);
    });

    it('each container runs as its pod spec says: user, read-only root, no capabilities, ConfigMap and Secret in its environment', async () => {
      for (const c of rehearsed.containers) {
        const [info] = JSON.parse(await podman(['container', 'inspect', c.name])) as {
          State: { Status: string };
          Config: { User: string; Env: string[] };
          HostConfig: { ReadonlyRootfs: boolean; CapAdd: string[] | null };
        }[];
        const pod = podSpecOf(
          objects.find((o) => o.metadata.name === c.workload && ['Rollout', 'Deployment'].includes(o.kind))!,
        );
        const { runAsUser, runAsGroup } = pod.securityContext ?? {};
        expect(info?.State.Status, c.name).toBe('running');
        expect(info?.Config.User, c.name).toBe(`${runAsUser}:${runAsGroup}`);
        expect(info?.HostConfig.ReadonlyRootfs, c.name).toBe(true);
        expect(info?.HostConfig.CapAdd ?? [], c.name).toEqual([]);
        for (const from of c.container.envFrom ?? []) {
          const data = findObject(objects, 'ConfigMap', from.configMapRef!.name).data ?? {};
          for (const [key, value] of Object.entries(data))
            expect(info?.Config.Env, c.name).toContain(`${key}=${value}`);
        }
      }
      const api = rehearsed.containers.find((c) => c.workload === 'api')!;
      const [info] = JSON.parse(await podman(['container', 'inspect', api.name])) as {
        Config: { Env: string[] };
      }[];
      expect(info?.Config.Env).toContain(`JWT_SECRET=${secrets['conduit-jwt/JWT_SECRET']}`);
    });

    it('the api, web and notifier pods pass their startup, readiness and liveness probes (run from the host: podman 4.3 runs none)', async () => {
      for (const c of rehearsed.containers) await passesProbes(c);
      const web = rehearsed.containers.find((c) => c.workload === 'web')!;
      expect(await (await fetch(`${web.url(8080)}/`)).text()).toContain('<div id="root"></div>');
    });
  });

  describe('seeded defects', () => {
    it('a volumeMount whose name has a typo fails the play', async () => {
      const broken = seeded(
        objects,
        'Rollout',
        'api',
        '"mountPath":"/tmp","name":"writable-0"}',
        '"mountPath":"/tmp","name":"writable-O"}',
      );
      const rehearsed = await rehearsal(broken, { images: local(), secrets, only: ['api'] });
      const error = await play(rehearsed).then(
        async (p) => {
          await p.down();
          return null;
        },
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PodmanError);
      expect((error as PodmanError).output).toMatch(/writable-O/);
    });

    it('a containerPort that is not the port the app listens on fails the readiness probe', async () => {
      const broken = seeded(objects, 'Rollout', 'api', '"containerPort":3000', '"containerPort":3001');
      const rehearsed = await rehearsal(broken, { images: local(), secrets, only: ['api'] });
      const played = await play(rehearsed);
      try {
        const [api] = rehearsed.containers;
        // The process is up (it logs that it listens, on 3000) but the probe, on the named port, never answers.
        const started = Date.now();
        while (!/listening/i.test(await api!.logs()) && Date.now() - started < 30_000) {
          await new Promise((r) => setTimeout(r, 200));
        }
        expect(await api!.logs()).toMatch(/listening/i);
        await expect(waitForProbe(api!, api!, api!.container.readinessProbe!)).rejects.toThrow(
          /\/readyz did not answer 200 within 10000 ms/,
        );
      } finally {
        await played.down();
      }
    });
  });
});
