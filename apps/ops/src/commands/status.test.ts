import { describe, expect, it } from 'vitest';
import { harness } from '../../test/harness.js';

describe('conduit status (fake k8s API, fake AWS API)', () => {
  it('prints one screen with every workload, ingress, RDS and backup age', async () => {
    const h = harness();
    h.aws.objects.set('conduit-dev-backups-123456789012/logical/dev/conduit-dev-20250310T013000Z.dump', {
      body: Buffer.from('PGDMP'),
      metadata: {},
      lastModified: new Date('2025-03-10T01:30:00Z'),
    });
    const result = await h.run('status');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('stage dev · cluster conduit-dev');
    expect(result.stdout).toMatch(
      /api\s+│\s+Healthy\s+│\s+4\/4\s+│\s+2\/3\s+│\s+3\/3\s+│\s+1\s+│\s+ghcr\.io\/example\/conduit-api:1\.4\.0/,
    );
    expect(result.stdout).toMatch(/web\s+│\s+Healthy\s+│\s+4\/4\s+│\s+2\/2\s+│\s+2\/2/);
    expect(result.stdout).toContain('ingress:  k8s-conduit-1234.eu-west-1.elb.amazonaws.com');
    expect(result.stdout).toContain('database: conduit-dev available');
    expect(result.stdout).toContain('backup:   2h ago (2025-03-10T01:30:00.000Z)');
  });

  it('JSON output has a stable shape, and an unreadable part is reported without hiding the rest', async () => {
    const h = harness();
    h.kube.pdbs.delete('web');
    const json = (await h.run('status', '--output', 'json')).json<Record<string, unknown>>();
    expect(Object.keys(json)).toEqual([
      'stage',
      'cluster',
      'context',
      'namespace',
      'workloads',
      'ingress',
      'database',
      'backup',
    ]);
    expect(json.workloads).toEqual([
      {
        workload: 'api',
        rollout: expect.objectContaining({
          phase: 'Healthy',
          step: '4/4',
          image: 'ghcr.io/example/conduit-api:1.4.0',
        }),
        pods: { ready: 2, total: 3 },
        hpa: { current: 3, desired: 3, min: 2, max: 10 },
        pdb: { disruptionsAllowed: 1 },
      },
      expect.objectContaining({ workload: 'web', pdb: { error: 'pdb web not found' } }),
      // The worker, read from its Deployment: no canary step.
      expect.objectContaining({
        workload: 'notifier',
        rollout: expect.objectContaining({ phase: 'Healthy', step: '-' }),
        pods: { ready: 2, total: 2 },
        hpa: { current: 2, desired: 2, min: 2, max: 3 },
      }),
    ]);
    expect(json.database).toEqual({ instance: 'conduit-dev', status: 'available', engineVersion: '17.6' });
    expect(json.backup).toEqual({ lastBackupAt: null, ageHours: null });
  });

  it('fails with exit 3 and one line when there are no AWS credentials', async () => {
    const h = harness();
    h.aws.credentials = false;
    const result = await h.run('status');
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      'conduit: no usable AWS credentials (CredentialsProviderError): set AWS_PROFILE or run "aws sso login", or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY',
    );
    expect(result.stdout).toBe('');
  });
});
