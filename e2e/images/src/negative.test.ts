import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runContainer, waitForProbe } from './container.js';
import { buildImage, inspectImage, type Tier } from './images.js';
import {
  findObject,
  type K8sObject,
  type PodSpec,
  podmanPlan,
  podSpecOf,
  renderedObjects,
} from './pod-spec.js';
import { repoRoot } from './podman.js';

const STAGE = 'dev';
const images = inject('images');
const bases = inject('standIns');

/** Builds a modified copy of a tier's Dockerfile from a temp folder; the real file is never touched. */
async function buildVariant(tier: Tier, edit: (text: string) => string, dir: string): Promise<string> {
  const original = await readFile(join(repoRoot, 'apps', tier, 'Dockerfile'), 'utf8');
  const changed = edit(original);
  expect(changed).not.toBe(original);
  const dockerfile = join(dir, `${tier}.Dockerfile`);
  await writeFile(dockerfile, changed);
  return buildImage(tier, bases, { dockerfile, tag: `localhost/conduit/${tier}:negative-${Date.now()}` });
}

describe('seeded defects the image checks must catch', () => {
  let dir: string;
  let objects: K8sObject[];
  const pod = (kind: string, name: string) => podSpecOf(findObject(objects, kind, name));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'conduit-images-negative-'));
    objects = await renderedObjects(STAGE);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('an API image whose USER is root is not the user the Rollout runs, and runAsNonRoot refuses it', async () => {
    const image = await buildVariant('api', (text) => text.replace('USER 65532:65532', 'USER 0:0'), dir);
    const { user } = await inspectImage(image);
    expect(user).toBe('0:0');
    const rollout = pod('Rollout', 'api');
    expect(() => podmanPlan(objects, rollout, 'api', { imageUser: user })).toThrow(
      "image USER 0:0 is not the pod's runAsUser:runAsGroup 65532:65532",
    );
    // A pod that relied on the image's user (no runAsUser) would not start at all.
    const { runAsUser: _, runAsGroup: __, ...relying } = rollout.securityContext ?? {};
    expect(() =>
      podmanPlan(objects, { ...rollout, securityContext: relying }, 'api', { imageUser: user }),
    ).toThrow(/runAsNonRoot: the container would run as "0:0", which the kubelet refuses/);
    // The real image passes the same check.
    expect(() =>
      podmanPlan(objects, rollout, 'api', { imageUser: '65532:65532', secrets: testSecrets }),
    ).not.toThrow();
  });

  it('the web pod without its /tmp emptyDir cannot start nginx on the read-only root', async () => {
    const rollout = pod('Rollout', 'web');
    const [web] = rollout.containers;
    const dropped: PodSpec = {
      ...rollout,
      containers: [{ ...web!, volumeMounts: web!.volumeMounts?.filter((m) => m.mountPath !== '/tmp') }],
    };
    const { user } = await inspectImage(images.web);
    const plan = podmanPlan(objects, dropped, 'web', { imageUser: user });
    const container = await runContainer(images.web, plan);
    try {
      expect(await container.exited()).not.toBe(0);
      // nginx stops at the first path it cannot create under /tmp (its temp folders, before the pid file).
      expect(await container.logs()).toMatch(
        /\[emerg\].*"\/tmp\/[^"]+" failed \(30: Read-only file system\)/,
      );
    } finally {
      await container.remove();
    }
    // The rendered pod, with the mount, starts (the positive case of the same check).
    const good = await runContainer(images.web, podmanPlan(objects, rollout, 'web', { imageUser: user }));
    try {
      await waitForProbe(good, podmanPlan(objects, rollout, 'web', { imageUser: user }), web!.startupProbe!);
    } finally {
      await good.remove();
    }
  });

  it('an entrypoint wrapped in `sh -c` without exec swallows the stop signal: SIGKILL after the grace period', async () => {
    const image = await buildVariant(
      'web',
      (text) =>
        text.replace(
          'ENTRYPOINT ["nginx", "-p", "/usr/share/nginx/", "-c", "/etc/nginx/nginx.conf", "-g", "daemon off;"]',
          `ENTRYPOINT ["sh", "-c", "nginx -p /usr/share/nginx/ -c /etc/nginx/nginx.conf -g 'daemon off;'; echo nginx ended"]`,
        ),
      dir,
    );
    const { user } = await inspectImage(image);
    const rollout = pod('Rollout', 'web');
    // A short grace period keeps the test quick; the real pod waits 45 s before the same SIGKILL.
    const plan = podmanPlan(objects, { ...rollout, terminationGracePeriodSeconds: 3 }, 'web', {
      imageUser: user,
    });
    const container = await runContainer(image, plan);
    try {
      await waitForProbe(container, plan, plan.container.startupProbe!);
      const started = Date.now();
      const code = await container.stop();
      expect(code).toBe(137);
      expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
    } finally {
      await container.remove();
    }
  });
});

const testSecrets = {
  'conduit-db/DATABASE_URL': 'postgres://unused@127.0.0.1:1/unused',
  'conduit-db/password': 'unused',
  'conduit-jwt/JWT_SECRET': 'x'.repeat(64),
};
