import { describe, expect, it } from 'vitest';
import { harness } from '../../test/harness.js';

describe('conduit stop / start (fake k8s API, fake AWS API)', () => {
  it('stop scales the app to zero, then Karpenter and the node groups, then stops RDS, recording what start restores', async () => {
    const h = harness();
    const result = await h.run('stop', '--yes');
    expect(result.code).toBe(0);
    expect(h.kube.mutations).toEqual([
      {
        op: 'patchRollout',
        name: 'api',
        patch: {
          metadata: { annotations: { 'ops.conduit.dev/replicas-before-stop': '3' } },
          spec: { replicas: 0 },
        },
      },
      {
        op: 'patchRollout',
        name: 'web',
        patch: {
          metadata: { annotations: { 'ops.conduit.dev/replicas-before-stop': '3' } },
          spec: { replicas: 0 },
        },
      },
      // The worker of the model, a Deployment.
      {
        op: 'patchDeployment',
        name: 'notifier',
        patch: {
          metadata: { annotations: { 'ops.conduit.dev/replicas-before-stop': '2' } },
          spec: { replicas: 0 },
        },
      },
      {
        op: 'patchNodePool',
        name: 'default',
        patch: {
          metadata: { annotations: { 'ops.conduit.dev/cpu-limit-before-stop': '16' } },
          spec: { limits: { cpu: '0' } },
        },
      },
      { op: 'deleteNodeClaim', name: 'default-abcde' },
      { op: 'deleteNodeClaim', name: 'default-fghij' },
    ]);
    expect(h.kube.nodeClaims).toEqual([]);
    expect(h.aws.mutations.map((c) => [c.op, ...c.args])).toEqual([
      [
        'tagNodegroup',
        h.aws.nodegroups[0]!.arn,
        { 'conduit:stopped-min-size': '2', 'conduit:stopped-desired-size': '2' },
      ],
      ['updateNodegroupSize', 'conduit-dev', 'system', { min: 0, max: 4, desired: 0 }],
      [
        'tagNodegroup',
        h.aws.nodegroups[1]!.arn,
        { 'conduit:stopped-min-size': '1', 'conduit:stopped-desired-size': '3' },
      ],
      ['updateNodegroupSize', 'conduit-dev', 'apps', { min: 0, max: 6, desired: 0 }],
      ['stopDbInstance', 'conduit-dev'],
    ]);
  });

  it('is idempotent: a second stop changes nothing and says so', async () => {
    const h = harness();
    await h.run('stop', '--yes');
    h.aws.db = { ...h.aws.db!, status: 'stopped' };
    const before = [h.kube.mutations.length, h.aws.mutations.length];
    const again = await h.run('stop', '--yes');
    expect(again.stdout).toBe('dev is already stopped: nothing to do');
    expect([h.kube.mutations.length, h.aws.mutations.length]).toEqual(before);
  });

  it('start restores RDS, node groups and replicas from what stop recorded', async () => {
    const h = harness();
    await h.run('stop', '--yes');
    h.aws.db = { ...h.aws.db!, status: 'stopped' };
    h.kube.calls.length = 0;
    h.aws.calls.length = 0;
    const result = await h.run('start', '--yes', '-o', 'json');
    expect(result.code).toBe(0);
    expect(result.json().actions).toEqual([
      'start RDS instance conduit-dev',
      'scale node group system back to min 2/desired 2',
      'scale node group apps back to min 1/desired 3',
      'set Karpenter NodePool default CPU limit back to 16',
      'scale rollout api from 0 to 3 replicas',
      'scale rollout web from 0 to 3 replicas',
      'scale deployment notifier from 0 to 2 replicas',
    ]);
    expect(h.aws.nodegroups.map((ng) => [ng.name, ng.minSize, ng.desiredSize, ng.tags])).toEqual([
      ['system', 2, 2, {}],
      ['apps', 1, 3, {}],
    ]);
    expect(h.kube.nodePools).toEqual([{ name: 'default', cpuLimit: 16, annotations: {} }]);
    expect(h.kube.rollouts.get('api')?.spec.replicas).toBe(3);
    expect(h.kube.rollouts.get('api')?.metadata.annotations).toEqual({});
  });

  it('start --wait polls RDS until it is available', async () => {
    const h = harness();
    h.aws.db = { ...h.aws.db!, status: 'stopped' };
    let polls = 0;
    const describe = h.aws.describeDbInstance.bind(h.aws);
    h.aws.describeDbInstance = async (id) => {
      const db = await describe(id);
      polls += 1;
      return db && polls >= 4 ? { ...db, status: 'available' } : db;
    };
    expect((await h.run('start', '--yes', '--wait')).code).toBe(0);
    expect(polls).toBe(4);
  });

  it('refuses prod stop and start without --yes, without asking and without any change', async () => {
    const h = harness();
    for (const command of ['stop', 'start']) {
      const result = await h.run(command, '--stage', 'prod');
      expect(result.code).toBe(4);
      expect(result.stderr).toMatch(
        new RegExp(`^conduit: refusing to ${command} prod \\(.*\\) in prod without --yes$`),
      );
    }
    expect(h.questions).toEqual([]);
    expect([h.kube.mutations, h.aws.mutations]).toEqual([[], []]);
  });

  it('--dry-run lists every step and changes nothing', async () => {
    const h = harness();
    const result = await h.run('stop', '--stage', 'prod', '--dry-run');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      '[dry-run] would scale rollout api from 3 to 0 replicas',
      '[dry-run] would scale rollout web from 3 to 0 replicas',
      '[dry-run] would set Karpenter NodePool default CPU limit from 16 to 0',
      '[dry-run] would delete 2 Karpenter NodeClaim(s) and wait for their nodes to terminate',
      '[dry-run] would scale node group system from min 2/desired 2 to 0',
      '[dry-run] would scale node group apps from min 1/desired 3 to 0',
      'stop prod: dry run, nothing changed',
      '  - scale rollout api from 3 to 0 replicas',
      '  - scale rollout web from 3 to 0 replicas',
      '  - set Karpenter NodePool default CPU limit from 16 to 0',
      '  - delete 2 Karpenter NodeClaim(s) and wait for their nodes to terminate',
      '  - scale node group system from min 2/desired 2 to 0',
      '  - scale node group apps from min 1/desired 3 to 0',
    ]);
    expect([h.kube.mutations, h.aws.mutations]).toEqual([[], []]);
  });
});
