import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { Launcher } from '@conduit/drills';
import { type ApiProcess, GENEROUS_LIMITS } from '@conduit/testing';
import { HOST_FROM_CONTAINER, runArguments, runContainer, waitForProbe } from './container.js';
import { databaseSecrets, findObject, type K8sObject, podmanPlan, podSpecOf } from './pod-spec.js';
import { podman, podmanEnv } from './podman.js';

/**
 * Runs the rendered api-migrate Job (Argo CD's PreSync hook) under its pod spec against `databaseUrl` (as the
 * container reaches it) and removes it; a non-zero exit throws with the Job's logs.
 */
export async function runMigrateJob(
  objects: readonly K8sObject[],
  image: string,
  imageUser: string,
  databaseUrl: string,
): Promise<void> {
  const job = podmanPlan(objects, podSpecOf(findObject(objects, 'Job', 'api-migrate')), 'migrate', {
    imageUser,
    secrets: databaseSecrets(databaseUrl),
  });
  const container = await runContainer(image, job);
  try {
    const code = await container.exited();
    if (code !== 0) throw new Error(`the api-migrate Job exited ${code}:\n${await container.logs()}`);
  } finally {
    await container.remove();
  }
}

/**
 * A drill launcher that runs each API instance as a container of the image built with the instance's
 * APP_VERSION, under the rendered api Rollout's pod spec. The drill's own settings (drain delay, log level)
 * go on top of the ConfigMap's, as the drills set them on processes; DATABASE_URL and JWT_SECRET fill the
 * pod's secret references. Each version's api-migrate Job runs before its first instance, as its PreSync hook.
 */
export function containerLauncher(
  objects: readonly K8sObject[],
  imagesByVersion: Readonly<Record<string, string>>,
  imageUser: string,
): Launcher {
  // Argo CD runs the PreSync api-migrate Job of each version before it syncs that version's Rollout: once per
  // version and database here, before the version's first instance (the ConfigMap sets MIGRATE_ON_START=false).
  const migrations = new Map<string, Promise<void>>();
  const migrate = (image: string, databaseUrl: string) => {
    const key = `${image} ${databaseUrl}`;
    let done = migrations.get(key);
    if (!done) {
      done = runMigrateJob(objects, image, imageUser, databaseUrl);
      migrations.set(key, done);
    }
    return done;
  };
  return async ({ env = {} }) => {
    const {
      APP_VERSION: version = '',
      DATABASE_URL: databaseUrl,
      JWT_SECRET: jwtSecret,
      PORT: _,
      ...settings
    } = env;
    const image = imagesByVersion[version];
    if (!image) throw new Error(`no image built for APP_VERSION "${version}"`);
    if (!databaseUrl || !jwtSecret) throw new Error('the drill passes no DATABASE_URL or JWT_SECRET');
    const url = new URL(databaseUrl);
    url.hostname = HOST_FROM_CONTAINER;
    await migrate(image, url.toString());
    const plan = podmanPlan(objects, podSpecOf(findObject(objects, 'Rollout', 'api')), 'api', {
      imageUser,
      secrets: { ...databaseSecrets(url.toString()), 'conduit-jwt/JWT_SECRET': jwtSecret },
    });
    const name = `conduit-drill-${randomBytes(4).toString('hex')}`;
    // The drill's load comes from one client and a few authors: the same generous rate limits as its processes.
    const { args, published } = await runArguments(image, plan, {
      name,
      env: { ...GENEROUS_LIMITS, ...settings },
    });
    // Attached, so the instance is a child process like the drills' others: its exit code is the container's.
    const child = spawn('podman', args, { env: await podmanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exit = once(child, 'exit').then(([code]) => code as number | null);
    const port = published.get(3000)!;
    const instance: ApiProcess = {
      url: `http://127.0.0.1:${port}`,
      port,
      child,
      output: () => output,
      exited: () => exit,
      async stop(signal = 'SIGTERM') {
        // The signal goes to the container's PID 1 (node), as the kubelet sends it; podman run exits with it.
        if (child.exitCode === null) await podman(['kill', `--signal=${signal}`, name]).catch(() => {});
        const code = await exit;
        await podman(['rm', '--force', '--time=0', name]).catch(() => {});
        return code;
      },
    };
    try {
      await waitForProbe(
        { url: () => instance.url, logs: async () => output },
        plan,
        plan.container.readinessProbe!,
      );
    } catch (error) {
      await instance.stop('SIGKILL');
      throw error;
    }
    return instance;
  };
}
