// `npm run bench -w @conduit/images`: the image facts of docs/performance.md. Builds the four images as the
// suite does (stand-ins and layers cached), measures each one's size and its runtime base's, and starts each
// image BENCH_RUNS times (default 3) under its dev pod spec, timing `podman run` to ready. Writes
// .bench/images-<date>.json, then the "Images" section of docs/performance.md with the report's own template
// (`npm run bench:report -w @conduit/api` renders the same section from the same file).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startPostgres } from '@conduit/testing';
import {
  type ImageMeasurement,
  type ImagesBenchRun,
  imagesSection,
} from '../../../apps/api/bench/report-content.js';
import { runMigrateJob } from '../src/api-container.js';
import { HOST_FROM_CONTAINER, probe, runContainer } from '../src/container.js';
import { buildImage, inspectImage, runtimeBase, TIERS, type Tier } from '../src/images.js';
import {
  databaseSecrets,
  findObject,
  podmanPlan,
  podSpecOf,
  type RunPlan,
  renderedObjects,
} from '../src/pod-spec.js';
import { podman } from '../src/podman.js';
import { standIns } from '../src/stand-ins.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const STAGE = 'dev';
const benchDir = fileURLToPath(new URL('../../../.bench/', import.meta.url));
const performanceMd = fileURLToPath(new URL('../../../docs/performance.md', import.meta.url));
const log = (line: string) => console.log(`[bench:images] ${line}`);

const bases = await standIns(log);
const images = {} as Record<Tier, string>;
for (const tier of TIERS) {
  images[tier] = await buildImage(tier, bases);
  log(`built ${images[tier]}`);
}

const postgres = await startPostgres();
try {
  const objects = await renderedObjects(STAGE);
  const url = new URL(await postgres.createDatabase('bench'));
  url.hostname = HOST_FROM_CONTAINER;
  const secrets = { ...databaseSecrets(url.toString()), 'conduit-jwt/JWT_SECRET': 'x'.repeat(64) };
  const plan = async (tier: Tier, kind: string, name: string, container: string): Promise<RunPlan> =>
    podmanPlan(objects, podSpecOf(findObject(objects, kind, name)), container, {
      imageUser: (await inspectImage(images[tier])).user,
      secrets,
    });

  await runMigrateJob(objects, images.api, (await inspectImage(images.api)).user, url.toString());

  /** Milliseconds from `podman run` until the readiness probe first answers 200 (polled every 25 ms). */
  const untilReady = async (tier: Tier, p: RunPlan): Promise<number> => {
    const started = Date.now();
    const container = await runContainer(images[tier], p);
    try {
      const probeSpec = p.container.readinessProbe!;
      while (Date.now() - started < 60_000) {
        if ((await probe(container, p, { ...probeSpec, timeoutSeconds: 1 })) === 200)
          return Date.now() - started;
        await sleep(25);
      }
      throw new Error(`${tier} was not ready within 60 s:\n${await container.logs()}`);
    } finally {
      await container.remove();
    }
  };
  /** Milliseconds from `podman run` until the batch command exits 0. */
  const untilDone = async (tier: Tier, p: RunPlan): Promise<number> => {
    const started = Date.now();
    const container = await runContainer(images[tier], p);
    try {
      const code = await container.exited();
      if (code !== 0) throw new Error(`${tier} exited ${code}:\n${await container.logs()}`);
      return Date.now() - started;
    } finally {
      await container.remove();
    }
  };

  const servers: Record<Exclude<Tier, 'ops'>, [string, string, string]> = {
    api: ['Rollout', 'api', 'api'],
    web: ['Rollout', 'web', 'web'],
    notifier: ['Deployment', 'notifier', 'notifier'],
  };
  const measured: ImageMeasurement[] = [];
  for (const tier of TIERS) {
    const readyMs: number[] = [];
    let readyWhen: string;
    if (tier === 'ops') {
      const p = await plan('ops', 'CronJob', 'backup', 'ops');
      readyWhen = '`conduit --help` under the backup CronJob pod spec exits 0';
      for (let i = 0; i < RUNS; i += 1) readyMs.push(await untilDone(tier, { ...p, args: ['--help'] }));
    } else {
      const [kind, name, container] = servers[tier];
      const p = await plan(tier, kind, name, container);
      readyWhen = `\`GET ${p.container.readinessProbe!.httpGet.path}\` answers 200`;
      for (let i = 0; i < RUNS; i += 1) readyMs.push(await untilReady(tier, p));
    }
    const base = runtimeBase(tier, bases);
    measured.push({
      tier,
      sizeBytes: (await inspectImage(images[tier])).size,
      base: base.replace(/^localhost\/conduit-stand-in\//, '').replace(/:.*$/, ''),
      baseBytes: (await inspectImage(base)).size,
      readyWhen,
      readyMs,
    });
    log(`${tier}: ${readyMs.join(', ')} ms`);
  }

  const run: ImagesBenchRun = {
    date: new Date().toISOString(),
    podman: (await podman(['version', '--format', '{{.Client.Version}}'])).trim(),
    images: measured,
  };
  await mkdir(benchDir, { recursive: true });
  const file = `${benchDir}images-${run.date.replace(/[:.]/g, '-')}.json`;
  await writeFile(file, `${JSON.stringify(run, null, 2)}\n`);
  log(`wrote ${file}`);

  // The section in place: between its heading and the next one, or before "## Delivery code" the first time.
  const doc = await readFile(performanceMd, 'utf8');
  const section = imagesSection(run);
  const start = doc.indexOf('## Images\n');
  const next = doc.indexOf('## Delivery code\n');
  if (next < 0)
    throw new Error(`${performanceMd} has no "## Delivery code" heading to put the section before`);
  const updated =
    start >= 0
      ? doc.slice(0, start) + section + doc.slice(next)
      : doc.slice(0, next) + section + doc.slice(next);
  await writeFile(performanceMd, updated);
  log(`wrote the Images section of ${performanceMd}`);
} finally {
  await postgres.stop();
}
