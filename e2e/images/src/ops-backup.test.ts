import { createHash, randomBytes } from 'node:crypto';
import { backupBucketName, databaseIdentifier, dumpPrefix } from '@conduit/platform';
import { startPostgres, type TestPostgres } from '@conduit/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runMigrateJob } from './api-container.js';
import { HOST_FROM_CONTAINER, type RunningContainer, runContainer } from './container.js';
import { FAKE_CREDENTIALS, type FakeAws, startFakeAws } from './fake-aws.js';
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

const STAGE = 'dev';
const images = inject('images');
/** Rows the test writes beside the migrated schema, to find again after the round trip. */
const MARKER_ROWS = 250;

describe(`the ops image runs the ${STAGE} backup and restore-drill CronJobs against a real PostgreSQL (AWS faked: STS, RDS, S3)`, () => {
  let postgres: TestPostgres;
  let fake: FakeAws;
  let objects: K8sObject[];
  let databaseUrl: string;
  let opsUser: string;
  const started: RunningContainer[] = [];
  const bucket = () => backupBucketName({ name: STAGE, account: fake.account });
  const fromContainer = (url: string) => {
    const parsed = new URL(url);
    parsed.hostname = HOST_FROM_CONTAINER;
    return parsed.toString();
  };
  const opsPlan = (cronJob: string): RunPlan =>
    podmanPlan(objects, podSpecOf(findObject(objects, 'CronJob', cronJob)), 'ops', {
      imageUser: opsUser,
      secrets: databaseSecrets(fromContainer(databaseUrl)),
    });
  /** Runs an ops container to its end under the plan; the real SDK inside talks to the fake endpoint. */
  const runOps = async (plan: RunPlan) => {
    const container = await runContainer(images.ops, plan, {
      env: { AWS_ENDPOINT_URL: `http://${HOST_FROM_CONTAINER}:${fake.port}`, ...FAKE_CREDENTIALS },
    });
    started.push(container);
    const code = await container.exited();
    return { code, logs: await container.logs() };
  };
  const query = async <T extends object>(url: string, sql: string): Promise<T[]> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<T>(sql)).rows;
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    let apiUser: string;
    [postgres, fake, objects, { user: opsUser }, { user: apiUser }] = await Promise.all([
      startPostgres(),
      startFakeAws(),
      renderedObjects(STAGE),
      inspectImage(images.ops),
      inspectImage(images.api),
    ]);
    databaseUrl = await postgres.createDatabase('backup');
    // The real schema, migrated by the api-migrate Job as in the cluster, plus marker rows.
    await runMigrateJob(objects, images.api, apiUser, fromContainer(databaseUrl));
    await query(
      databaseUrl,
      `CREATE TABLE backup_marker (id integer PRIMARY KEY, note text NOT NULL);
       INSERT INTO backup_marker SELECT n, md5(n::text) FROM generate_series(1, ${MARKER_ROWS}) AS n;`,
    );
  });
  afterAll(async () => {
    await Promise.all(started.map((c) => c.remove()));
    await fake?.close();
    await postgres?.stop();
  });

  it('backup run: the image pg_dumps the database and puts the dump and its manifest in the stage bucket (S3 faked)', async () => {
    const plan = opsPlan('backup');
    expect(plan.args).toEqual(['backup', 'run', '--stage', STAGE]);
    const { code, logs } = await runOps(plan);
    expect(code, logs).toBe(0);

    const stored = [...fake.objects].filter(([id]) => id.startsWith(`${bucket()}/${dumpPrefix(STAGE)}`));
    const dump = stored.find(([id]) => id.endsWith('.dump'));
    const manifest = stored.find(([id]) => id.endsWith('.manifest.json'));
    expect(stored.map(([id]) => id)).toHaveLength(2);
    expect(dump, logs).toBeDefined();
    expect(manifest, logs).toBeDefined();
    const [, { body, metadata }] = dump!;
    // A custom-format archive of pg_dump starts with its magic; the manifest and the object's metadata carry
    // the sha256 of exactly the bytes that arrived.
    expect(body.subarray(0, 5).toString()).toBe('PGDMP');
    const sha256 = createHash('sha256').update(body).digest('hex');
    expect(metadata).toEqual({ sha256, stage: STAGE });
    const written = JSON.parse(manifest![1].body.toString()) as {
      sha256: string;
      size: number;
      serverVersion: string;
      tables: { table: string; rows: number }[];
    };
    expect(written.sha256).toBe(sha256);
    expect(written.size).toBe(body.length);
    expect(written.tables).toContainEqual(
      expect.objectContaining({ table: 'public.backup_marker', rows: MARKER_ROWS }),
    );
    expect(written.tables.length).toBeGreaterThan(3);

    // The RDS snapshot was requested for the stage's instance; the SDK signed with the test credentials only.
    expect(fake.snapshots.map((s) => s.instanceId)).toEqual([databaseIdentifier(STAGE)]);
    expect([...fake.accessKeys]).toEqual([FAKE_CREDENTIALS.AWS_ACCESS_KEY_ID]);
    expect(fake.calls).toEqual(
      expect.arrayContaining(['sts GetCallerIdentity', 'rds CreateDBSnapshot', 's3 PutObject']),
    );
    expect(logs).toContain(`conduit_backup_success{stage="${STAGE}"} 1`);
  });

  it('seeded defect: the backup pod without its /tmp emptyDir cannot write the dump on the read-only root, exits non-zero and stores nothing', async () => {
    const plan = opsPlan('backup');
    const before = fake.objects.size;
    const { code, logs } = await runOps({
      ...plan,
      flags: plan.flags.filter((f) => !f.includes('destination=/tmp,')),
    });
    expect(plan.flags.some((f) => f.includes('destination=/tmp,'))).toBe(true);
    expect(code, logs).not.toBe(0);
    expect(logs).toMatch(/EROFS|read-only file system/i);
    expect(logs).toContain(`conduit_backup_success{stage="${STAGE}"} 0`);
    expect(fake.objects.size).toBe(before);
  });

  it('backup drill (the restore-drill CronJob): restores the latest dump with pg_restore 17, every table matches its manifest', async () => {
    const plan = opsPlan('restore-drill');
    expect(plan.args).toEqual(['backup', 'drill', '--stage', STAGE]);
    const { code, logs } = await runOps(plan);
    expect(code, logs).toBe(0);
    expect(logs).toContain(`conduit_backup_drill_success{stage="${STAGE}"} 1`);
    expect(logs).toContain(`conduit_backup_drill_mismatched_tables{stage="${STAGE}"} 0`);
  });

  it('restore --dump latest: a new database the host reads back, with the marker rows and the migrated tables', async () => {
    const target = `restored_${randomBytes(3).toString('hex')}`;
    const backup = opsPlan('backup');
    const { code, logs } = await runOps({
      ...backup,
      args: ['restore', '--dump', 'latest', '--target-db', target, '--stage', STAGE, '--yes'],
    });
    expect(code, logs).toBe(0);
    const restored = new URL(databaseUrl);
    restored.pathname = `/${target}`;
    const [marker] = await query<{ rows: string; sum: string }>(
      restored.toString(),
      'SELECT count(*) AS rows, sum(length(note)) AS sum FROM backup_marker',
    );
    expect(marker).toEqual({ rows: String(MARKER_ROWS), sum: String(MARKER_ROWS * 32) });
    const tables = async (url: string) =>
      (
        await query<{ name: string }>(
          url,
          "SELECT schemaname || '.' || tablename AS name FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
        )
      ).map((t) => t.name);
    expect(await tables(restored.toString())).toEqual(await tables(databaseUrl));
  });
});
