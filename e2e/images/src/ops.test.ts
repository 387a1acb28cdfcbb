import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type RunningContainer, runContainer } from './container.js';
import { inspectImage } from './images.js';
import { findObject, podmanPlan, podSpecOf, type RunPlan, renderedObjects } from './pod-spec.js';
import { podman } from './podman.js';

const STAGE = 'dev';
const images = inject('images');

describe(`the ops image, run as the ${STAGE} backup CronJob runs it`, () => {
  let plan: RunPlan;
  const started: RunningContainer[] = [];
  const run = async (overrides: { entrypoint?: readonly string[]; args: readonly string[] }) => {
    const flags = overrides.entrypoint
      ? [
          ...plan.flags.filter((f) => !f.startsWith('--entrypoint=')),
          `--entrypoint=${JSON.stringify(overrides.entrypoint)}`,
        ]
      : plan.flags;
    const container = await runContainer(images.ops, { ...plan, flags, args: overrides.args });
    started.push(container);
    return container;
  };

  beforeAll(async () => {
    const [objects, { user }] = await Promise.all([renderedObjects(STAGE), inspectImage(images.ops)]);
    plan = podmanPlan(objects, podSpecOf(findObject(objects, 'CronJob', 'backup')), 'ops', {
      imageUser: user,
      secrets: { 'conduit-db/DATABASE_URL': 'postgres://unused@127.0.0.1:1/unused' },
    });
  });
  afterAll(() => Promise.all(started.map((c) => c.remove())));

  it('runs the CronJob command line: backup run --stage dev', () => {
    expect(plan.args).toEqual(['backup', 'run', '--stage', STAGE]);
  });

  it('runs `conduit --help` under the pod spec (read-only root, user 1000, no capabilities) and exits 0', async () => {
    const help = await run({ args: ['--help'] });
    expect(await help.exited()).toBe(0);
    const output = await help.logs();
    expect(output).toContain('backup');
    expect(output).toContain('RDS snapshots and logical dumps in S3');
  });

  it('carries pg_dump and pg_restore 17 where CONDUIT_PG_BIN_DIR points', async () => {
    for (const tool of ['pg_dump', 'pg_restore']) {
      const version = await run({ entrypoint: [`/usr/lib/postgresql/17/bin/${tool}`], args: ['--version'] });
      expect(await version.exited()).toBe(0);
      expect(await version.logs()).toMatch(new RegExp(`^${tool} \\(PostgreSQL\\) 17\\.\\d+`));
    }
  });

  it('passes its own HEALTHCHECK (the bundle loads and parses its commands)', async () => {
    // The check needs a running container; a batch image exits at once, so it waits here instead.
    const idle = await run({ entrypoint: ['/usr/bin/sleep'], args: ['60'] });
    await podman(['healthcheck', 'run', idle.name]);
  });
});
