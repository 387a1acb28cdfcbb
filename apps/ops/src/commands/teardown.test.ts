import { describe, expect, it } from 'vitest';
import { FakeStage } from '../../test/fake-stage.js';
import { harness } from '../../test/harness.js';
import { externalDnsRecords, parseDuration } from './teardown.js';

// Typed out on purpose (not read from the platform model): the order CloudFormation accepts for the stacks
// deploy/aws synthesizes, so a wrong order in the model fails here as well as in the fake.
const DEV_ORDER = [
  'conduit-dev-cluster',
  'conduit-dev-ci-identity',
  'conduit-dev-edge',
  'conduit-dev-data',
  'conduit-dev-network',
];

function deployed(stage: 'dev' | 'prod' = 'dev', options: ConstructorParameters<typeof FakeStage>[2] = {}) {
  const h = harness();
  const world = new FakeStage(h, stage, options);
  return { h, world };
}

const lines = (text: string) => text.split('\n');

describe('conduit teardown (fake AWS and Kubernetes APIs)', () => {
  it('switches Argo CD off, deletes what makes load balancers and nodes, waits for slow controllers, then deletes the stacks in reverse deploy order', async () => {
    const { h, world } = deployed();
    world.lbPolls = 3;
    world.karpenterPolls = 4;
    const result = await h.run('teardown', 'dev', '--yes');
    expect([result.code, result.stderr.split('\n').filter((l) => l.startsWith('conduit:'))]).toEqual([0, []]);

    expect(h.kube.mutations.map((c) => `${c.op} ${c.name}`)).toEqual([
      'patchApplication conduit-dev-root',
      'patchApplication conduit-dev-platform',
      'patchApplication conduit-dev',
      'patchApplication dev-external-dns',
      'deleteApplication conduit-dev-root',
      'deleteIngress conduit/conduit',
      'deleteNodePool default',
      'deleteNodeClaim default-abcde',
      'deleteNodeClaim default-fghij',
    ]);
    expect(h.kube.mutations[0]?.patch).toEqual({
      metadata: { finalizers: [] },
      spec: { syncPolicy: { automated: null } },
    });
    expect(h.aws.stackDeletions).toEqual(DEV_ORDER);
    expect([...h.aws.stacks.keys()]).toEqual([]);
    // The slow controllers were waited for, with a progress line per poll naming what was left.
    const waiting = lines(result.stderr).filter((l) =>
      l.startsWith("teardown: waiting for the controllers' cleanup"),
    );
    expect(waiting.length).toBeGreaterThanOrEqual(3);
    expect(waiting[0]).toContain('load balancer k8s-conduit-conduit-1a2b3c4d5e');
    expect(waiting[0]).toContain('instance i-default-abcde');
    // external-dns runs upsert-only: teardown deleted its records (A + ownership TXTs), after the wait.
    const deletedRecords = h.aws.mutations.find((c) => c.op === 'deleteRecordSets')?.args[1] as {
      name: string;
      type: string;
    }[];
    expect(deletedRecords.map((r) => `${r.name} ${r.type}`)).toEqual([
      'origin.dev.conduit.example.com. A',
      'origin.dev.conduit.example.com. TXT',
      'a-origin.dev.conduit.example.com. TXT',
    ]);
    const ops = h.aws.mutations.map((c) => c.op);
    expect(ops.indexOf('deleteRecordSets')).toBeLessThan(ops.indexOf('deleteStack'));

    const out = lines(result.stdout);
    expect(out[0]).toBe('teardown dev: done');
    expect(out).toContain('  - delete stack conduit-dev-network (us-east-1) and wait');
    const kept = out.find((l) => l.startsWith('kept by design: '));
    for (const what of [
      'VPC flow log group',
      'KMS key alias/conduit-dev-data',
      'secret conduit/dev/jwt',
      'ECR repository conduit/api',
      'ECR repository conduit/ops',
      'backup bucket conduit-dev-backups-111111111111',
      'AWS Backup vault conduit-dev',
      'manual RDS snapshots conduit-dev-*',
    ]) {
      expect(kept).toContain(what);
    }
    expect(kept).not.toContain('final snapshot');
  });

  it('the nginx router: deletes the ingress-nginx controller Service, whose NLB the controller removes', async () => {
    const { h } = deployed('dev', { router: 'nginx' });
    const result = await h.run('teardown', 'dev', '--yes');
    expect(result.code).toBe(0);
    expect(h.kube.mutations.map((c) => `${c.op} ${c.name}`)).toEqual(
      expect.arrayContaining([
        'deleteIngress conduit/api',
        'deleteIngress conduit/web',
        'deleteService ingress-nginx/ingress-nginx-controller',
      ]),
    );
    expect(h.aws.loadBalancers).toEqual([]);
    expect(h.aws.stackDeletions).toEqual(DEV_ORDER);
  });

  it('a load balancer controller that never cleans up: times out naming every leftover, one line, exit 1, no stack deleted', async () => {
    const { h, world } = deployed();
    world.lbStuck = true;
    const result = await h.run('teardown', 'dev', '--yes', '--timeout', '5m');
    expect(result.code).toBe(1);
    const errors = lines(result.stderr).filter((l) => l.startsWith('conduit:'));
    expect(errors).toEqual([
      "conduit: timed out after 5m waiting for the controllers' cleanup; still there: load balancer k8s-conduit-conduit-1a2b3c4d5e, target group k8s-conduit-api-0f1e2d3c4b, target group k8s-conduit-web-5a6b7c8d9e, network interface eni-lb-a (ELB app/k8s-conduit-conduit-1a2b3c4d5e/50dc6c495c0c9188), network interface eni-lb-b (ELB app/k8s-conduit-conduit-1a2b3c4d5e/50dc6c495c0c9188); no stack was deleted (delete them, or fix their controller, then run teardown again)",
    ]);
    expect(lines(result.stderr).at(-1)).toBe(errors[0]);
    expect(h.aws.stackDeletions).toEqual([]);
    expect(h.aws.mutations.map((c) => c.op)).not.toContain('deleteRecordSets');
    // The deadline is the fake clock's: 5 minutes of 15-second polls.
    expect(lines(result.stderr).filter((l) => l.startsWith('teardown: waiting')).length).toBe(20);
  });

  it('Karpenter that never terminates its instances: the timeout names them', async () => {
    const { h, world } = deployed();
    world.karpenterStuck = true;
    const result = await h.run('teardown', 'dev', '--yes', '--timeout', '2m');
    expect(result.code).toBe(1);
    expect(lines(result.stderr).at(-1)).toMatch(
      /^conduit: timed out after 2m waiting for the controllers' cleanup; still there: instance i-default-abcde \(running\), instance i-default-fghij \(running\); no stack was deleted/,
    );
    expect(h.aws.stackDeletions).toEqual([]);
  });

  it('a stack in DELETE_FAILED stops the teardown with CloudFormation’s reason; a second run resumes where it stopped', async () => {
    // Another owner's records in the zone: not ours to delete, and Route 53 will not delete a zone with them.
    const { h } = deployed('dev', { foreignRecord: true });
    const first = await h.run('teardown', 'dev', '--yes');
    expect(first.code).toBe(1);
    expect(lines(first.stderr).at(-1)).toBe(
      'conduit: stack conduit-dev-network DELETE_FAILED: Zone: The specified hosted zone contains non-required resource record sets and so cannot be deleted.; the stacks it depends on were not deleted (fix it, then run teardown again)',
    );
    expect(h.aws.zones[0]?.records.map((r) => r.name)).toContain('legacy.dev.conduit.example.com.');

    h.aws.zones[0]!.records = h.aws.zones[0]!.records.filter((r) => !r.name.startsWith('legacy.'));
    h.kube.calls.length = 0;
    const again = await h.run('teardown', 'dev', '--yes');
    expect(again.code).toBe(0);
    // Only the stack that was left; the cluster is gone, so Kubernetes is not even asked.
    expect(h.aws.stackDeletions).toEqual([...DEV_ORDER, 'conduit-dev-network']);
    expect(h.kube.calls).toEqual([]);
  });

  it('prod: refused without --yes before any API call; with --yes it needs the stage name typed on stdin', async () => {
    const { h } = deployed('prod');
    const noYes = await h.run('teardown', 'prod');
    expect([noYes.code, noYes.stderr]).toEqual([
      4,
      'conduit: refusing to tear down prod without --yes and the stage name typed on stdin',
    ]);
    expect([h.aws.calls, h.kube.calls]).toEqual([[], []]);

    const nothingTyped = await h.run('teardown', 'prod', '--yes');
    expect([nothingTyped.code, lines(nothingTyped.stderr).at(-1)]).toEqual([
      4,
      'conduit: refusing to tear down prod: no typed confirmation on stdin (type "prod")',
    ]);
    h.typed = 'dev';
    const wrong = await h.run('teardown', 'prod', '--yes');
    expect([wrong.code, lines(wrong.stderr).at(-1)]).toEqual([
      4,
      'conduit: refusing to tear down prod: typed "dev", not "prod"',
    ]);
    expect(h.asked).toHaveLength(2);
    expect([h.aws.mutations, h.kube.mutations]).toEqual([[], []]);
  });

  it('prod with --yes and "prod" typed: deletion protection off before the Data stack, the copy vault stack in its region, the final snapshot kept', async () => {
    const { h } = deployed('prod');
    h.typed = 'prod';
    const result = await h.run('teardown', 'prod', '--yes', '-o', 'json');
    expect(result.code).toBe(0);
    expect(h.aws.stackDeletions).toEqual([
      'conduit-prod-cluster',
      'conduit-prod-ci-identity',
      'conduit-prod-edge',
      'conduit-prod-data',
      'conduit-prod-backup-copy',
      'conduit-prod-network',
    ]);
    const ops = h.aws.mutations.map((c) => [c.op, ...c.args].join(' '));
    expect(ops.indexOf('disableDbDeletionProtection conduit-prod')).toBeLessThan(
      ops.indexOf('deleteStack us-east-1 conduit-prod-data'),
    );
    expect(ops).toContain('deleteStack us-west-2 conduit-prod-backup-copy');
    const json = result.json<{ keptByDesign: { what: string }[] }>();
    expect(json.keptByDesign.map((k) => k.what)).toEqual(
      expect.arrayContaining([
        'final snapshot of RDS instance conduit-prod',
        'AWS Backup vault conduit-prod-copy (us-west-2) and its recovery points',
      ]),
    );
  });

  it('other stages ask y/N unless --yes; a declined question changes nothing', async () => {
    const { h } = deployed();
    const result = await h.run('teardown', 'dev');
    expect([result.code, lines(result.stderr).at(-1)]).toEqual([
      4,
      'conduit: tear down dev (15 steps above, every stack deleted, 14 resources kept by design) not confirmed (pass --yes to skip the question)',
    ]);
    expect(h.questions).toEqual([
      'tear down dev (15 steps above, every stack deleted, 14 resources kept by design) in dev? [y/N] ',
    ]);
    expect([h.aws.mutations, h.kube.mutations]).toEqual([[], []]);
  });

  it('--dry-run prints the plan, even for prod without --yes, and changes nothing', async () => {
    const { h } = deployed('prod');
    const result = await h.run('teardown', 'prod', '--dry-run');
    expect(result.code).toBe(0);
    const out = lines(result.stdout);
    expect(out.filter((l) => l.startsWith('[dry-run] would '))).toEqual([
      '[dry-run] would turn off automated sync and the cascade finalizer of Argo CD Application conduit-prod-root',
      '[dry-run] would turn off automated sync and the cascade finalizer of Argo CD Application conduit-prod-platform',
      '[dry-run] would turn off automated sync and the cascade finalizer of Argo CD Application conduit-prod',
      '[dry-run] would turn off automated sync and the cascade finalizer of Argo CD Application prod-external-dns',
      '[dry-run] would delete Argo CD Application conduit-prod-root (the app of apps; its children stay, synced no more)',
      '[dry-run] would delete Ingress conduit/conduit (its load balancer goes with it)',
      '[dry-run] would delete Karpenter NodePool default (Karpenter terminates its nodes)',
      '[dry-run] would delete 2 Karpenter NodeClaim(s)',
      "[dry-run] would wait up to 15m until AWS shows the controllers' load balancers, target groups, Karpenter instances and their network interfaces gone",
      '[dry-run] would delete the 3 record(s) external-dns owns in zone conduit.example.com (origin.conduit.example.com., a-origin.conduit.example.com.)',
      '[dry-run] would delete stack conduit-prod-cluster (us-east-1) and wait',
      '[dry-run] would delete stack conduit-prod-ci-identity (us-east-1) and wait',
      '[dry-run] would delete stack conduit-prod-edge (us-east-1) and wait',
      '[dry-run] would turn off deletion protection of RDS instance conduit-prod (DeletionPolicy Snapshot still takes a final snapshot)',
      '[dry-run] would delete stack conduit-prod-data (us-east-1) and wait',
      '[dry-run] would delete stack conduit-prod-backup-copy (us-west-2) and wait',
      '[dry-run] would delete stack conduit-prod-network (us-east-1) and wait',
    ]);
    expect(out).toContain('teardown prod: dry run, nothing changed');
    expect([h.aws.mutations, h.kube.mutations, h.asked]).toEqual([[], [], []]);
  });

  it('bad input is one line and exit 2, before any API call', async () => {
    const h = harness();
    const cases: [string[], string][] = [
      [['teardown'], "conduit: missing required argument 'stage'"],
      [['teardown', 'qa'], 'conduit: unknown stage "qa" (expected one of dev, staging, prod)'],
      [
        ['teardown', 'dev', '--stage', 'prod'],
        'conduit: teardown dev was given --stage prod: name the stage once',
      ],
      [
        ['teardown', 'dev', '--timeout', 'soon'],
        'conduit: --timeout "soon" must be a positive duration such as 90s, 15m or 1h',
      ],
    ];
    for (const [argv, message] of cases) {
      const result = await h.run(...argv);
      expect([result.code, result.stderr]).toEqual([2, message]);
    }
    expect([h.aws.calls, h.kube.calls]).toEqual([[], []]);
  });

  it('takes the stage from its argument only: CONDUIT_STAGE does not pick it', async () => {
    const { h } = deployed();
    h.env = { CONDUIT_STAGE: 'prod' };
    const result = await h.run('teardown', 'dev', '--dry-run');
    expect(result.stdout).toContain('teardown dev: dry run, nothing changed');
  });
});

describe('the fakes catch a defective teardown (fake AWS and Kubernetes APIs)', () => {
  // Each of these is a seeded defect: what a teardown that skipped a step would run into.
  it('deleting the stacks without waiting: the Network stack fails while the controllers’ ENIs remain', async () => {
    const { h } = deployed();
    for (const name of DEV_ORDER) {
      h.aws.imports = {};
      await h.aws.deleteStack('us-east-1', name);
      await h.aws.describeStack('us-east-1', name);
    }
    expect(h.aws.stacks.get('conduit-dev-network')).toMatchObject({
      status: 'DELETE_FAILED',
      reason: expect.stringMatching(/^Subnet: The subnet 'subnet-0a1b' has dependencies .*eni-lb-a/),
    });
  });

  it('deleting in deploy order: CloudFormation refuses while a later stack imports the exports', async () => {
    const { h } = deployed();
    await h.aws.deleteStack('us-east-1', 'conduit-dev-data');
    expect(await h.aws.describeStack('us-east-1', 'conduit-dev-data')).toMatchObject({
      status: 'DELETE_FAILED',
      reason:
        'Export conduit-dev-data:ExportsOutput cannot be deleted as it is in use by conduit-dev-cluster',
    });
  });

  it('leaving Argo CD on: self-heal brings the Ingress back, so its load balancer never goes', async () => {
    const { h } = deployed();
    await h.kube.deleteIngress('conduit', 'conduit');
    for (let poll = 0; poll < 5; poll += 1) for (const tick of h.onSleep) tick(15_000);
    expect(h.kube.ingresses.map((i) => i.name)).toEqual(['conduit']);
    expect(h.aws.loadBalancers).toHaveLength(1);
  });

  it('deleting external-dns records while the Ingress exists: upsert-only writes them back', async () => {
    const { h } = deployed();
    const zone = h.aws.zones[0]!;
    await h.aws.deleteRecordSets(zone.id, externalDnsRecords(await h.aws.listRecordSets(zone.id)));
    for (const tick of h.onSleep) tick(15_000);
    expect(externalDnsRecords(await h.aws.listRecordSets(zone.id))).toHaveLength(3);
  });

  it('the Cluster stack fails while Karpenter instances still run', async () => {
    const { h } = deployed();
    h.aws.imports = {};
    await h.aws.deleteStack('us-east-1', 'conduit-dev-cluster');
    expect((await h.aws.describeStack('us-east-1', 'conduit-dev-cluster'))?.reason).toMatch(
      /has a dependent object$/,
    );
  });
});

describe('teardown helpers', () => {
  it('parses --timeout durations', () => {
    expect([parseDuration('90s'), parseDuration('15m'), parseDuration('1h')]).toEqual([
      90_000, 900_000, 3_600_000,
    ]);
    expect(() => parseDuration('0m')).toThrow(/positive duration/);
  });

  it("takes only external-dns's own records: its owner id, A/AAAA/CNAME and the ownership TXTs", () => {
    const txt = (name: string, owner: string) => ({
      name,
      type: 'TXT',
      values: [`"heritage=external-dns,external-dns/owner=${owner},external-dns/resource=ingress/a/b"`],
    });
    const sets = [
      { name: 'x.example.com.', type: 'A', values: ['10.0.0.1'] },
      txt('x.example.com.', 'default'),
      txt('cname-y.example.com.', 'default'),
      { name: 'y.example.com.', type: 'CNAME', values: ['lb.example.net.'] },
      { name: 'y.example.com.', type: 'MX', values: ['10 mail.example.com.'] },
      txt('z.example.com.', 'someone-else'),
      { name: 'z.example.com.', type: 'A', values: ['10.0.0.2'] },
    ];
    expect(externalDnsRecords(sets).map((r) => `${r.name} ${r.type}`)).toEqual([
      'x.example.com. A',
      'x.example.com. TXT',
      'cname-y.example.com. TXT',
      'y.example.com. CNAME',
    ]);
  });
});
