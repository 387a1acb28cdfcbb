import { WORKLOADS, type Workload } from '@conduit/platform';
import { describe, expect, it } from 'vitest';
import { harness } from '../../test/harness.js';

/** A fixture entry, not an app of this repository: a worker, which runs as a Deployment. */
const MAILER: Workload = {
  name: 'mailer',
  kind: 'worker',
  runtime: 'node',
  image: 'mailer',
  user: { uid: 65532, gid: 65532 },
  port: 9464,
  probes: { liveness: '/healthz', readiness: '/readyz' },
  routes: [],
  uses: { database: true, jwtSecret: false, tracing: true },
  migrations: false,
  canary: { analyses: ['pod-health'] },
  stages: {
    dev: {
      minReplicas: 2,
      maxReplicas: 4,
      targetCpuPercent: 70,
      cpuRequest: '50m',
      cpuLimit: '200m',
      memoryRequest: '64Mi',
      memoryLimit: '128Mi',
    },
  },
};

function withMailer() {
  const h = harness();
  h.workloads = [...WORKLOADS, MAILER];
  h.kube.deployments.set('mailer', {
    metadata: { name: 'mailer' },
    spec: { replicas: 2, template: { spec: { containers: [{ image: 'example/conduit-mailer:1.0.0' }] } } },
    status: { replicas: 2, readyReplicas: 2, updatedReplicas: 2 },
  });
  h.kube.hpas.set('mailer', {
    name: 'mailer',
    minReplicas: 2,
    maxReplicas: 4,
    currentReplicas: 2,
    desiredReplicas: 2,
  });
  h.kube.pdbs.set('mailer', { name: 'mailer', disruptionsAllowed: 1 });
  h.kube.pods.mailer = [
    { name: 'mailer-1', ready: true },
    { name: 'mailer-2', ready: true },
  ];
  return h;
}

describe('a worker added to the model (fake k8s API)', () => {
  it('status shows it from its Deployment, beside the canary workloads', async () => {
    const h = withMailer();
    const json = (await h.run('status', '--output', 'json')).json<{ workloads: Record<string, unknown>[] }>();
    expect(json.workloads.map((w) => w.workload)).toEqual([...WORKLOADS.map((w) => w.name), 'mailer']);
    expect(json.workloads.at(-1)).toEqual({
      workload: 'mailer',
      rollout: expect.objectContaining({
        phase: 'Healthy',
        step: '-',
        image: 'example/conduit-mailer:1.0.0',
      }),
      pods: { ready: 2, total: 2 },
      hpa: { current: 2, desired: 2, min: 2, max: 4 },
      pdb: { disruptionsAllowed: 1 },
    });
    expect(h.kube.calls.filter((c) => c.name === 'mailer').map((c) => c.op)).toContain('getDeployment');
  });

  it('scale moves its HPA floor, never below the model minimum', async () => {
    const h = withMailer();
    h.answer = true;
    expect((await h.run('scale', 'mailer', '3')).code).toBe(0);
    expect(h.kube.mutations).toEqual([
      { op: 'patchHpa', name: 'mailer', patch: { spec: { minReplicas: 3, maxReplicas: 4 } } },
    ]);
    const low = await h.run('scale', 'mailer', '1');
    expect([low.code, low.stderr]).toEqual([
      2,
      'conduit: replicas must be at least 2 in dev (the PDB needs a spare pod; use "conduit stop" to go to zero)',
    ]);
  });

  it('has no canary: rollout commands refuse it', async () => {
    const h = withMailer();
    const result = await h.run('rollout', 'status', 'mailer');
    expect([result.code, result.stderr]).toEqual([
      2,
      'conduit: workload "mailer" is a worker (a Deployment): it has no canary rollout',
    ]);
  });

  it('stop scales its Deployment to zero with the Rollouts', async () => {
    const h = withMailer();
    const result = await h.run('stop', '--dry-run');
    expect(result.stdout).toContain('[dry-run] would scale deployment mailer from 2 to 0 replicas');
    expect(result.stdout).toContain('[dry-run] would scale rollout api from 3 to 0 replicas');
  });
});
