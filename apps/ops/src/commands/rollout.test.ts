import { WORKLOADS } from '@conduit/platform';
import { describe, expect, it } from 'vitest';
import { canaryRollout } from '../../test/fake-kube.js';
import { harness } from '../../test/harness.js';

const paused = canaryRollout('api', {
  spec: { paused: true },
  status: {
    phase: 'Paused',
    currentStepIndex: 1,
    pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2025-03-10T03:00:00Z' }],
  },
});

describe('conduit rollout (fake k8s API)', () => {
  it('status prints phase and step, and JSON carries the rollout state', async () => {
    const h = harness();
    h.kube.rollouts.set('api', paused);
    const table = await h.run('rollout', 'status', 'api');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/api\s+│\s+Paused\s+│\s+1\/4\s+│\s+true/);
    const json = (await h.run('rollout', 'status', 'api', '-o', 'json')).json();
    expect(json).toEqual({
      command: 'rollout status',
      stage: 'dev',
      rollout: {
        workload: 'api',
        phase: 'Paused',
        step: '1/4',
        paused: true,
        aborted: false,
        image: 'ghcr.io/example/conduit-api:1.4.0',
        message: null,
      },
    });
  });

  it('status of a Degraded rollout exits 1', async () => {
    const h = harness();
    h.kube.rollouts.set(
      'web',
      canaryRollout('web', { status: { phase: 'Degraded', message: 'RolloutAborted: analysis failed' } }),
    );
    const result = await h.run('rollout', 'status', 'web');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('conduit: rollout web is Degraded: RolloutAborted: analysis failed');
  });

  it('promote clears pauseConditions through the status subresource, then sets spec.paused=false (like the plugin)', async () => {
    const h = harness();
    h.kube.rollouts.set('api', paused);
    const result = await h.run('rollout', 'promote', 'api');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('rollout api promoted');
    expect(h.kube.mutations).toEqual([
      {
        op: 'patchRollout',
        name: 'api',
        patch: { status: { pauseConditions: null } },
        subresource: 'status',
      },
      { op: 'patchRollout', name: 'api', patch: { spec: { paused: false } } },
    ]);
    const after = h.kube.rollouts.get('api')!;
    expect(after.status?.pauseConditions).toBeUndefined();
    expect(after.spec.paused).toBe(false);
  });

  it('promote falls back to the main resource when there is no status subresource', async () => {
    const h = harness();
    h.kube.rollouts.set('api', paused);
    h.kube.statusSubresource = false;
    expect((await h.run('rollout', 'promote', 'api')).code).toBe(0);
    expect(h.kube.rollouts.get('api')?.status?.pauseConditions).toBeUndefined();
  });

  it('promote during an analysis step advances currentStepIndex; --full sets promoteFull', async () => {
    const h = harness();
    h.kube.rollouts.set(
      'api',
      canaryRollout('api', { status: { phase: 'Progressing', currentStepIndex: 2, currentPodHash: 'new' } }),
    );
    await h.run('rollout', 'promote', 'api');
    expect(h.kube.mutations[0]?.patch).toEqual({ status: { pauseConditions: null, currentStepIndex: 3 } });
    await h.run('rollout', 'promote', 'api', '--full');
    expect(h.kube.mutations[1]?.patch).toEqual({ status: { promoteFull: true } });
  });

  it('promote of a rollout with nothing to promote exits 1 and patches nothing', async () => {
    const h = harness();
    h.kube.rollouts.set('web', canaryRollout('web', { spec: { strategy: { canary: { steps: null } } } }));
    const result = await h.run('rollout', 'promote', 'web');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('conduit: rollout web is not paused and has no step to promote');
    expect(h.kube.mutations).toEqual([]);
  });

  it('abort patches status.abort=true and retry status.abort=false', async () => {
    const h = harness();
    expect((await h.run('rollout', 'abort', 'api', '--yes')).code).toBe(0);
    expect(h.kube.rollouts.get('api')?.status?.abort).toBe(true);
    expect((await h.run('rollout', 'retry', 'api')).code).toBe(0);
    expect(h.kube.mutations.map((m) => [m.patch, m.subresource])).toEqual([
      [{ status: { abort: true } }, 'status'],
      [{ status: { abort: false } }, 'status'],
    ]);
    expect(h.kube.rollouts.get('api')?.status?.abort).toBe(false);
  });

  it('abort asks first and changes nothing when the answer is no', async () => {
    const h = harness();
    const result = await h.run('rollout', 'abort', 'web');
    expect(h.questions).toEqual(['abort the web rollout in dev? [y/N] ']);
    expect(result.code).toBe(4);
    expect(result.stderr).toBe(
      'conduit: abort the web rollout not confirmed (pass --yes to skip the question)',
    );
    expect(h.kube.mutations).toEqual([]);
  });

  it('--dry-run lists the patches and sends none', async () => {
    const h = harness();
    h.kube.rollouts.set('api', paused);
    const result = await h.run('rollout', 'promote', 'api', '--dry-run', '-o', 'json');
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({
      dryRun: true,
      actions: [
        'patch rollout api status {"status":{"pauseConditions":null}}',
        'patch rollout api {"spec":{"paused":false}}',
      ],
    });
    expect(h.kube.mutations).toEqual([]);
    await h.run('rollout', 'abort', 'api', '--dry-run');
    expect(h.kube.mutations).toEqual([]);
  });

  it('an unknown workload is a usage error, a missing rollout a failure', async () => {
    const h = harness();
    const bad = await h.run('rollout', 'promote', 'db');
    expect([bad.code, bad.stderr]).toEqual([
      2,
      `conduit: unknown workload "db" (expected one of ${WORKLOADS.map((w) => w.name).join(', ')})`,
    ]);
    h.kube.rollouts.delete('web');
    const missing = await h.run('rollout', 'status', 'web');
    expect([missing.code, missing.stderr]).toEqual([1, 'conduit: rollout conduit/web not found']);
  });
});
