import { WORKLOADS } from '@conduit/platform';
import { describe, expect, it } from 'vitest';
import { harness } from '../../test/harness.js';

describe('conduit scale (fake k8s API)', () => {
  it('raises the HPA floor, and the ceiling when it would be below the floor', async () => {
    const h = harness();
    const result = await h.run('scale', 'web', '8', '--yes');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('hpa web: min 2→8, max 6→8');
    expect(h.kube.mutations).toEqual([
      { op: 'patchHpa', name: 'web', patch: { spec: { minReplicas: 8, maxReplicas: 8 } } },
    ]);
  });

  it('sets an explicit --max and reports before/after as JSON', async () => {
    const h = harness();
    const json = (await h.run('scale', 'api', '3', '--max', '20', '-y', '-o', 'json')).json();
    expect(json).toEqual({
      command: 'scale',
      stage: 'dev',
      workload: 'api',
      dryRun: false,
      before: { min: 2, max: 10 },
      after: { min: 3, max: 20 },
      actions: ['patch hpa api {"spec":{"minReplicas":3,"maxReplicas":20}}'],
    });
    expect(h.kube.hpas.get('api')).toMatchObject({ minReplicas: 3, maxReplicas: 20 });
  });

  it('refuses while Argo CD self-heals the app (the patch would be undone), naming where the size lives', async () => {
    const h = harness();
    h.kube.applications = [
      { name: 'conduit-dev', automated: true, selfHeal: true, finalizers: [] },
      { name: 'conduit-dev-platform', automated: true, selfHeal: false, finalizers: [] },
    ];
    const result = await h.run('scale', 'api', '4', '--yes');
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim()).toBe(
      'conduit: Argo CD Application conduit-dev self-heals api\'s HPA bounds from Git: change its size for dev in packages/platform/src/workloads.ts instead (docs/operations.md "scale")',
    );
    expect(h.kube.mutations).toEqual([]);
    // With its automated sync switched off (an incident), scaling works again.
    h.kube.applications = [{ name: 'conduit-dev', automated: false, selfHeal: false, finalizers: [] }];
    expect((await h.run('scale', 'api', '4', '--yes')).code).toBe(0);
    expect(h.kube.mutations).toEqual([
      { op: 'patchHpa', name: 'api', patch: { spec: { minReplicas: 4, maxReplicas: 10 } } },
    ]);
  });

  it('refuses unsafe values with usage errors and patches nothing', async () => {
    const h = harness();
    const cases: [string[], string][] = [
      [
        ['scale', 'api', '1', '--stage', 'prod'],
        'replicas must be at least 2 in prod (the PDB needs a spare pod; use "conduit stop" to go to zero)',
      ],
      [
        // The model's floor in every stage: the PDB allows one disruption only with a spare pod.
        ['scale', 'api', '1'],
        'replicas must be at least 2 in dev (the PDB needs a spare pod; use "conduit stop" to go to zero)',
      ],
      [
        ['scale', 'db', '3'],
        `unknown workload "db" (expected one of ${WORKLOADS.map((w) => w.name).join(', ')})`,
      ],
      [['scale', 'api', 'two'], 'replicas must be a whole number, got "two"'],
      [['scale', 'api', '5', '--max', '4'], '--max (4) must be at least replicas (5)'],
      [['scale', 'api', '5', '--max', '500'], '--max (500) is above the safety cap of 50'],
    ];
    for (const [argv, message] of cases) {
      const result = await h.run(...argv);
      expect([result.code, result.stderr]).toEqual([2, `conduit: ${message}`]);
    }
    expect(h.kube.mutations).toEqual([]);
  });

  it('--dry-run changes nothing; no answer at the prompt changes nothing', async () => {
    const h = harness();
    const dry = await h.run('scale', 'api', '4', '--dry-run');
    expect(dry.stdout).toBe(
      '[dry-run] would patch hpa api {"spec":{"minReplicas":4,"maxReplicas":10}}\nhpa api: min 2→4, max 10→10 (dry run, nothing changed)',
    );
    const declined = await h.run('scale', 'api', '4');
    expect(declined.code).toBe(4);
    expect(h.kube.mutations).toEqual([]);
  });
});
