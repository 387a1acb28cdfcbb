import { STAGES, type StageName } from '@conduit/platform';
import type { Application } from '../src/lib/kube-api.js';
import type { FakeAws, FakeElbResource, FakeEni, FakeRecord } from './fake-aws.js';
import type { Harness } from './harness.js';

/**
 * A deployed stage across the fake Kubernetes and AWS APIs, with the controllers that link them:
 * - the AWS Load Balancer Controller deletes a load balancer, its target groups and its ENIs
 *   `lbPolls` polls after its Ingress or Service is gone (`lbStuck`: never, like a controller without
 *   permissions);
 * - Karpenter terminates a NodeClaim's instance `karpenterPolls` polls after the claim (or its pool) is gone;
 * - Argo CD re-creates deleted Ingresses and Services while any Application still syncs automatically;
 * - external-dns (policy upsert-only) writes its records back while their Ingress exists, deletes none.
 * A poll is one sleep of the CLI; each also moves the fake clock by the slept time.
 *
 * The stacks' imports are the synthesized templates' (Fn::ImportValue), typed here on purpose rather than
 * taken from the platform model, so an order bug in the model shows up as CloudFormation refusing.
 */
const MAX_POLLS = 1_000;

export class FakeStage {
  /** Sleeps of the CLI so far. */
  polls = 0;
  lbPolls = 2;
  lbStuck = false;
  karpenterPolls = 3;
  karpenterStuck = false;
  /** Polls since each source or claim disappeared. */
  readonly #gone = new Map<string, number>();
  readonly #ingresses;
  /** What the controller made, to re-create while its source lives. */
  readonly #lb: { loadBalancers: FakeElbResource[]; targetGroups: FakeElbResource[]; enis: FakeEni[] };
  readonly #services;
  readonly cluster: string;
  readonly domain: string;

  constructor(
    readonly h: Harness,
    readonly stage: StageName,
    options: { router?: 'alb' | 'nginx'; foreignRecord?: boolean } = {},
  ) {
    const s = stage;
    const model = STAGES[s];
    const aws = h.aws;
    const kube = h.kube;
    this.cluster = `conduit-${s}`;
    this.domain = model.edge.domainName;
    const stack = (suffix: string) => `conduit-${s}-${suffix}`;
    const region = model.region;

    for (const suffix of ['network', 'data', 'cluster', 'edge', 'ci-identity']) {
      aws.stacks.set(stack(suffix), { region, status: 'CREATE_COMPLETE', reason: null });
    }
    if (model.backupCopyRegion) {
      aws.stacks.set(stack('backup-copy'), {
        region: model.backupCopyRegion,
        status: 'CREATE_COMPLETE',
        reason: null,
      });
    }
    aws.imports = {
      [stack('data')]: [stack('network')],
      // The access entry of the CI observer role.
      [stack('cluster')]: [stack('network'), stack('data'), stack('ci-identity')],
      [stack('edge')]: [stack('network')],
      [stack('ci-identity')]: [stack('data')],
    };
    aws.db = { id: `conduit-${s}`, status: 'available', engineVersion: '17.6', endpoint: null };
    aws.dbDeletionProtection = model.database.protect;

    const vpcId = `vpc-${s}`;
    aws.vpcs = [
      { id: vpcId, tags: { 'aws:cloudformation:stack-name': stack('network') }, stack: stack('network') },
    ];
    const eni = (id: string, description: string, owner?: string, status = 'in-use'): FakeEni => ({
      id,
      vpcId,
      description,
      status,
      ...(owner ? { stack: owner } : {}),
    });
    aws.enis = [
      eni('eni-nat', 'Interface for NAT Gateway nat-0a1b', stack('network')),
      eni('eni-rds', 'RDSNetworkInterface', stack('data')),
      eni('eni-eks', `Amazon EKS ${this.cluster}`, stack('cluster')),
      eni('eni-system', 'aws-K8S-i-system1', stack('cluster')),
    ];

    const lbTags = (source: string) => ({
      'elbv2.k8s.aws/cluster': this.cluster,
      'ingress.k8s.aws/stack': source,
    });
    const router = options.router ?? 'alb';
    const lb =
      router === 'alb'
        ? { name: 'k8s-conduit-conduit-1a2b3c4d5e', source: 'ingress conduit/conduit', kind: 'app' }
        : {
            name: 'k8s-ingressn-ingressn-9f8e7d6c5b',
            source: 'service ingress-nginx/ingress-nginx-controller',
            kind: 'net',
          };
    aws.loadBalancers = [{ name: lb.name, tags: lbTags(lb.source) }];
    aws.targetGroups = (
      router === 'alb'
        ? ['k8s-conduit-api-0f1e2d3c4b', 'k8s-conduit-web-5a6b7c8d9e']
        : ['k8s-ingressn-ingressn-7c6b5a4f3e']
    ).map((name) => ({ name, tags: lbTags(lb.source) }));
    aws.enis.push(
      eni('eni-lb-a', `ELB ${lb.kind}/${lb.name}/50dc6c495c0c9188`),
      eni('eni-lb-b', `ELB ${lb.kind}/${lb.name}/50dc6c495c0c9188`),
    );
    if (router === 'nginx') {
      kube.ingresses = [
        { name: 'api', address: `${lb.name}.elb.amazonaws.com` },
        { name: 'web', address: `${lb.name}.elb.amazonaws.com` },
      ];
      kube.loadBalancerServices = [{ namespace: 'ingress-nginx', name: 'ingress-nginx-controller' }];
    }
    this.#lb = {
      loadBalancers: [...aws.loadBalancers],
      targetGroups: [...aws.targetGroups],
      enis: aws.enis.filter((e) => e.description.startsWith('ELB ')),
    };
    kube.loadBalancerFinalizers = true;
    this.#ingresses = [...kube.ingresses];
    this.#services = [...kube.loadBalancerServices];

    aws.instances = kube.nodeClaims.map((claim) => ({
      id: `i-${claim}`,
      state: 'running',
      tags: { 'karpenter.sh/nodepool': 'default', [`kubernetes.io/cluster/${this.cluster}`]: 'owned' },
    }));
    for (const instance of aws.instances) aws.enis.push(eni(`eni-${instance.id}`, ''));

    const zoneName = `${this.domain}.`;
    const origin = `origin.${zoneName}`;
    const ownership = `"heritage=external-dns,external-dns/owner=default,external-dns/resource=${lb.source.replace(' ', '/')}"`;
    const records: FakeRecord[] = [
      {
        name: zoneName,
        type: 'SOA',
        ttl: 900,
        values: ['ns-1.awsdns-01.org. hostmaster 1 7200 900 1209600 86400'],
        stack: stack('network'),
      },
      { name: zoneName, type: 'NS', ttl: 172800, values: ['ns-1.awsdns-01.org.'], stack: stack('network') },
      {
        name: zoneName,
        type: 'A',
        values: [],
        alias: {
          hostedZoneId: 'Z2FDTNDATAQYW2',
          dnsName: 'd111111abcdef8.cloudfront.net.',
          evaluateTargetHealth: false,
        },
        stack: stack('edge'),
      },
      {
        name: `_0a1b.${origin}`,
        type: 'CNAME',
        ttl: 60,
        values: ['_2c3d.acm-validations.aws.'],
        stack: stack('edge'),
      },
      {
        name: origin,
        type: 'A',
        values: [],
        alias: {
          hostedZoneId: 'Z35SXDOTRQ7X7K',
          dnsName: `${lb.name}.us-east-1.elb.amazonaws.com.`,
          evaluateTargetHealth: true,
        },
      },
      { name: origin, type: 'TXT', ttl: 300, values: [ownership] },
      { name: `a-${origin}`, type: 'TXT', ttl: 300, values: [ownership] },
    ];
    if (options.foreignRecord) {
      // Another cluster's external-dns (another owner id) publishes into the same zone: not ours to delete.
      records.push(
        { name: `legacy.${zoneName}`, type: 'CNAME', ttl: 300, values: ['legacy.example.net.'] },
        {
          name: `legacy.${zoneName}`,
          type: 'TXT',
          ttl: 300,
          values: ['"heritage=external-dns,external-dns/owner=legacy"'],
        },
      );
    }
    const externalDns = records.filter((r) => !r.stack && !r.name.startsWith('legacy.'));
    aws.zones = [{ id: `Z${s.toUpperCase()}`, name: zoneName, records }];

    const app = (name: string): Application => ({
      name,
      automated: true,
      selfHeal: true,
      finalizers: ['resources-finalizer.argocd.argoproj.io'],
    });
    kube.applications = [
      app(`conduit-${s}-root`),
      app(`conduit-${s}-platform`),
      app(`conduit-${s}`),
      app(`${s}-external-dns`),
    ];

    // CloudFormation's own refusals, in its words.
    aws.deletionBlockers.push((name) => {
      if (name === stack('network')) {
        const left = aws.enis.filter((e) => e.vpcId === vpcId && e.stack !== stack('network'));
        if (left.length > 0) {
          return `Subnet: The subnet 'subnet-0a1b' has dependencies and cannot be deleted (${left.map((e) => e.id).join(', ')})`;
        }
        const zone = aws.zones.find((z) => z.name === zoneName);
        if (zone?.records.some((r) => r.stack !== stack('network'))) {
          return 'Zone: The specified hosted zone contains non-required resource record sets and so cannot be deleted.';
        }
      }
      if (name === stack('cluster') && aws.instances.some((i) => i.state !== 'terminated')) {
        return `ClusterSecurityGroup: resource sg-0c1d of ${this.cluster} has a dependent object`;
      }
      if (name === stack('data') && aws.dbDeletionProtection) {
        return 'DatabaseInstance: Cannot delete protected DB Instance, please disable deletion protection and try again.';
      }
      return null;
    });

    h.onSleep.push((ms) => {
      // A command that never gives up would spin here forever (no real time passes): fail it instead.
      this.polls += 1;
      if (this.polls > MAX_POLLS)
        throw new Error(`fake stage: more than ${MAX_POLLS} polls, the command never gives up`);
      h.now = new Date(h.now.getTime() + ms);
      this.#tick(aws, externalDns, lb.source);
    });
  }

  #age(key: string, present: boolean): number {
    if (present) {
      this.#gone.delete(key);
      return -1;
    }
    const polls = (this.#gone.get(key) ?? 0) + 1;
    this.#gone.set(key, polls);
    return polls;
  }

  #tick(aws: FakeAws, externalDns: readonly FakeRecord[], lbSource: string): void {
    const kube = this.h.kube;
    // Argo CD self-heal.
    if (kube.applications.some((a) => a.automated)) {
      for (const ing of this.#ingresses)
        if (!kube.ingresses.some((i) => i.name === ing.name)) kube.ingresses.push(ing);
      for (const svc of this.#services) {
        if (!kube.loadBalancerServices.some((s) => s.name === svc.name)) kube.loadBalancerServices.push(svc);
      }
    }
    // The Load Balancer Controller: reconciles the load balancer of a live source (re-creating it), deletes
    // it some polls after the source is deleted, then releases the source's finalizer.
    const [kind, ref] = lbSource.split(' ') as [string, string];
    const [namespace, name] = ref.split('/') as [string, string];
    const sourcePresent =
      kind === 'ingress'
        ? kube.ingresses.some((i) => namespace === 'conduit' && i.name === name)
        : kube.loadBalancerServices.some((s) => s.namespace === namespace && s.name === name);
    const live = sourcePresent && !kube.terminating.has(lbSource);
    const lbAge = this.#age('lb', live);
    if (live && aws.loadBalancers.length === 0) {
      aws.loadBalancers = [...this.#lb.loadBalancers];
      aws.targetGroups = [...this.#lb.targetGroups];
      aws.enis.push(...this.#lb.enis);
    }
    if (!live && !this.lbStuck && lbAge >= this.lbPolls) {
      aws.loadBalancers = [];
      aws.targetGroups = [];
      aws.enis = aws.enis.filter((e) => !e.description.startsWith('ELB '));
      for (const source of [...kube.terminating]) {
        const [k, r] = source.split(' ') as [string, string];
        const [ns, n] = r.split('/') as [string, string];
        if (k === 'ingress')
          kube.ingresses = kube.ingresses.filter((i) => !(ns === 'conduit' && i.name === n));
        else
          kube.loadBalancerServices = kube.loadBalancerServices.filter(
            (x) => !(x.namespace === ns && x.name === n),
          );
        kube.terminating.delete(source);
      }
    }
    // Karpenter: a deleted pool takes its claims; an instance goes some polls after its claim.
    if (!kube.nodePools.some((p) => p.name === 'default')) {
      kube.nodeClaims = kube.nodeClaims.filter((c) => !c.startsWith('default-'));
    }
    for (const instance of aws.instances) {
      const claim = instance.id.replace(/^i-/, '');
      const age = this.#age(instance.id, kube.nodeClaims.includes(claim));
      if (age < 1 || this.karpenterStuck || instance.state === 'terminated') continue;
      instance.state = age >= this.karpenterPolls ? 'terminated' : 'shutting-down';
      if (instance.state === 'terminated') aws.enis = aws.enis.filter((e) => e.id !== `eni-${instance.id}`);
    }
    // external-dns, upsert-only: writes back what its sources still publish.
    const zone = aws.zones.find((z) => z.name === `${this.domain}.`);
    if (zone && sourcePresent) {
      for (const record of externalDns) {
        if (!zone.records.some((r) => r.name === record.name && r.type === record.type))
          zone.records.push(record);
      }
    }
  }
}
