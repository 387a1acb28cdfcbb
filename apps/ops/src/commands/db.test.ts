import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness } from '../../test/harness.js';
import { type Postgres15, startPostgres15 } from '../../test/postgres15.js';
import { loadApiMigrator } from '../lib/migrator.js';

const renderedMigrateJob = {
  backoffLimit: 2,
  activeDeadlineSeconds: 600,
  template: {
    metadata: { labels: { 'app.kubernetes.io/name': 'api-migrate' } },
    spec: {
      restartPolicy: 'Never',
      containers: [{ name: 'migrate', image: 'conduit/api:1.4.0', command: ['node', 'dist/migrate.js'] }],
    },
  },
};

describe('conduit db migrate --job (fake k8s API)', () => {
  it('creates a copy of the rendered migrate Job under a timestamped name and waits for it to succeed', async () => {
    const h = harness();
    h.kube.jobSpecs.set('api-migrate', renderedMigrateJob);
    const result = await h.run('db', 'migrate', '--job', '--yes', '-o', 'json');
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({ job: 'api-migrate-20250310t033000z', outcome: 'succeeded' });
    expect(h.kube.mutations).toEqual([
      { op: 'createJob', name: 'api-migrate-20250310t033000z', patch: renderedMigrateJob },
    ]);
    expect(h.kube.calls.filter((c) => c.op === 'getJob')).toHaveLength(2);
  });

  it('exits 1 with one line pointing at the logs when the Job fails', async () => {
    const h = harness();
    h.kube.jobSpecs.set('api-migrate', renderedMigrateJob);
    h.kube.jobOutcome = 'failed';
    const result = await h.run('db', 'migrate', '--job', '--yes');
    expect([result.code, result.stderr]).toEqual([
      1,
      'conduit: migrate Job api-migrate-20250310t033000z failed; kubectl -n conduit logs job/api-migrate-20250310t033000z',
    ]);
  });

  it('--dry-run creates nothing; a stage without the rendered Job says so', async () => {
    const h = harness();
    h.kube.jobSpecs.set('api-migrate', renderedMigrateJob);
    const dry = await h.run('db', 'migrate', '--job', '--dry-run');
    expect(dry.stdout).toContain('[dry-run] would create Job api-migrate-20250310t033000z');
    expect(h.kube.mutations).toEqual([]);
    h.kube.jobSpecs.clear();
    const missing = await h.run('db', 'migrate', '--job', '--yes');
    expect([missing.code, missing.stderr]).toEqual([
      1,
      'conduit: job or cronjob conduit/api-migrate not found',
    ]);
  });
});

describe('conduit db migrate/status without a database URL', () => {
  it('is a usage error naming both ways to give one', async () => {
    const h = harness();
    for (const command of ['migrate', 'status']) {
      const result = await h.run('db', command);
      expect([result.code, result.stderr]).toEqual([
        2,
        'conduit: no database URL: pass --database-url or set DATABASE_URL',
      ]);
    }
  });
});

describe('conduit db migrate/status with the API runner (real PostgreSQL 15, real API migrations)', () => {
  let server: Postgres15;
  let url: string;

  beforeAll(async () => {
    server = await startPostgres15();
    url = await server.createDatabase('conduit');
  });

  afterAll(async () => {
    await server?.stop();
  });

  const setup = async () => {
    const h = harness();
    h.env = { DATABASE_URL: url };
    h.migrator = await loadApiMigrator();
    return h;
  };

  it('lists pending migrations, applies them once, then reports the schema up to date', async () => {
    const h = await setup();
    const before = (await h.run('db', 'status', '-o', 'json')).json<{
      applied: string[];
      pending: string[];
    }>();
    expect(before.applied).toEqual([]);
    expect(before.pending.length).toBeGreaterThan(0);
    expect(before.pending[0]).toMatch(/^0001_/);

    const dry = await h.run('db', 'migrate', '--dry-run');
    expect(dry.stdout).toContain(`[dry-run] would apply: ${before.pending.join(', ')}`);
    expect((await h.run('db', 'status', '-o', 'json')).json().pending).toEqual(before.pending);

    const declined = await h.run('db', 'migrate');
    expect(declined.code).toBe(4);

    const applied = await h.run('db', 'migrate', '--yes', '-o', 'json');
    expect(applied.code).toBe(0);
    expect(applied.json().applied).toEqual(before.pending);
    expect(applied.stderr).toContain(`applied migration ${before.pending[0]}`);

    const again = await h.run('db', 'migrate', '--yes');
    expect([again.code, again.stdout]).toEqual([0, 'schema is up to date']);
    const after = (await h.run('db', 'status', '-o', 'json')).json<{
      applied: string[];
      pending: string[];
    }>();
    expect(after.pending).toEqual([]);
    expect(after.applied).toHaveLength(before.pending.length);
  });
});
