import { describe, expect, it } from 'vitest';
import { harness } from '../../test/harness.js';

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
