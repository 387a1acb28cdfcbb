import { MONITORING_NAMESPACE, publicSubnetCidrs, SCENARIOS, scenarioStage } from '@conduit/platform';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import { describe, expect, it } from 'vitest';
import type { K8sObject } from './render.js';
import { contains, type NetworkRules, networkFindings } from './test/network-findings.js';
import { podSpecs, type RenderedCase, renderedCases } from './test/objects.js';

// biome-ignore lint/suspicious/noExplicitAny: the seeded defects edit rendered manifests in place
type Json = Record<string, any>;
const cases = renderedCases();
const each = cases.map((c) => [c.name, c] as const);

/** The rules of README "Network", from the model alone (not from the constructs under test). */
function rulesOf(c: RenderedCase): NetworkRules {
  const scenario = SCENARIOS.find((s) => s.name === c.name)!;
  const stage = scenarioStage(scenario);
  const pods = Object.fromEntries(podSpecs(c.all).map((p) => [p.owner, p.labels]));
  const loadBalancer: INetworkPolicyPeer[] =
    stage.options.router === 'alb'
      ? publicSubnetCidrs(stage.network).map((cidr) => ({ ipBlock: { cidr } }))
      : [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
            podSelector: {
              matchLabels: {
                'app.kubernetes.io/name': 'ingress-nginx',
                'app.kubernetes.io/component': 'controller',
              },
            },
          },
        ];
  return {
    vpcCidr: stage.network.vpcCidr,
    loadBalancer,
    prometheus: {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': MONITORING_NAMESPACE } },
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
    },
    workloads: c.settings.workloads.map(({ workload: w }) => ({
      name: w.name,
      labels: pods[`${w.kind === 'http' ? 'Rollout' : 'Deployment'}/${w.name}`]!,
      http: w.kind === 'http',
      port: w.port,
      metricsPort: w.metricsPort ?? w.port,
    })),
    ops: {
      labels: pods['CronJob/backup']!,
      databaseCidrs: stage.network.databaseSubnetCidrs,
      databasePort: stage.database.port,
      ...(stage.options.workloadIdentity === 'pod-identity' ? { credentialCidr: '169.254.170.23/32' } : {}),
    },
  };
}

/** A copy of the case's objects with one NetworkPolicy's spec changed. */
function seeded(c: RenderedCase, name: string, change: (spec: Json) => void): K8sObject[] {
  const copy = structuredClone(c.all);
  const policy = copy.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === name);
  if (!policy) throw new Error(`no NetworkPolicy ${name}`);
  change(policy.spec as Json);
  return copy;
}

const byName = (name: string) => cases.find((c) => c.name === name)!;
const policy = (c: RenderedCase, name: string) =>
  c.all.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === name) as Json;

describe('network: a tight cluster network', () => {
  it.each(each)(
    '%s: nothing reaches the HTTP workloads but the load balancer and Prometheus, and the ops jobs reach only what they call',
    (_, c) => {
      expect(networkFindings(c.all, rulesOf(c))).toEqual([]);
    },
  );

  it.each(each)(
    '%s: the load balancer reaches each HTTP workload on its serving port (not cut too far)',
    (_, c) => {
      const rules = rulesOf(c);
      for (const w of rules.workloads.filter((x) => x.http)) {
        expect(policy(c, `${w.name}-ingress`).spec.ingress).toContainEqual({
          from: rules.loadBalancer,
          ports: [{ protocol: 'TCP', port: w.port }],
        });
        expect(policy(c, `${w.name}-ingress`).spec.ingress).toContainEqual({
          from: [rules.prometheus],
          ports: [{ protocol: 'TCP', port: w.metricsPort }],
        });
      }
      // The ALB sits in the public subnets only; none of them is the VPC or holds a pod subnet.
      for (const peer of rules.loadBalancer) {
        if (peer.ipBlock) expect(contains(peer.ipBlock.cidr, rules.vpcCidr)).toBe(false);
      }
    },
  );

  it.each(each)(
    '%s: the ops jobs reach the database, HTTPS, and the Pod Identity agent only with Pod Identity',
    (_, c) => {
      const rules = rulesOf(c);
      const egress = policy(c, 'ops-egress').spec.egress as Json[];
      expect(egress).toEqual([
        {
          to: rules.ops.databaseCidrs.map((cidr) => ({ ipBlock: { cidr } })),
          ports: [{ protocol: 'TCP', port: rules.ops.databasePort }],
        },
        { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }] },
        ...(rules.ops.credentialCidr
          ? [
              {
                to: [{ ipBlock: { cidr: rules.ops.credentialCidr } }],
                ports: [{ protocol: 'TCP', port: 80 }],
              },
            ]
          : []),
      ]);
    },
  );
});

describe('network: the checker finds seeded defects', () => {
  const dev = byName('dev');
  const rules = rulesOf(dev);

  it('an HTTP workload admitting the VPC CIDR (every pod)', () => {
    const objects = seeded(dev, 'api-ingress', (spec) => {
      spec.ingress[0].from = [{ ipBlock: { cidr: '10.0.0.0/16' } }];
    });
    expect(networkFindings(objects, rules)).toEqual([
      'api-ingress: ingress[0] to api admits 10.0.0.0/16, the whole VPC (every pod)',
      'api-ingress: ingress[0] to api admits {"ipBlock":{"cidr":"10.0.0.0/16"}} on 3000',
    ]);
  });

  it('an ingress rule with an empty `from`, or without ports', () => {
    const noFrom = seeded(dev, 'web-ingress', (spec) => {
      spec.ingress[0].from = [];
    });
    expect(networkFindings(noFrom, rules)).toEqual([
      'web-ingress: ingress[0] to web has no `from`: it admits every source',
    ]);
    const noPorts = seeded(dev, 'web-ingress', (spec) => {
      delete spec.ingress[0].ports;
    });
    expect(networkFindings(noPorts, rules)).toEqual([
      'web-ingress: ingress[0] to web has no ports: it admits every port',
    ]);
  });

  it('the metrics port open to the load balancer, or the serving port open to another namespace', () => {
    const metrics = seeded(dev, 'web-ingress', (spec) => {
      spec.ingress[1].from = [...spec.ingress[1].from, ...rules.loadBalancer];
    });
    expect(networkFindings(metrics, rules)).toEqual([
      'web-ingress: ingress[1] to web admits {"ipBlock":{"cidr":"10.0.0.0/24"}} on 9113',
      'web-ingress: ingress[1] to web admits {"ipBlock":{"cidr":"10.0.1.0/24"}} on 9113',
    ]);
    const other = seeded(dev, 'web-ingress', (spec) => {
      spec.ingress[0].from.push({ namespaceSelector: {} });
    });
    expect(networkFindings(other, rules)).toEqual([
      'web-ingress: ingress[0] to web admits {"namespaceSelector":{}} on 8080',
    ]);
  });

  it('a policy selecting every pod that admits the whole VPC', () => {
    const objects = seeded(dev, 'default-deny', (spec) => {
      spec.ingress = [
        { from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/24'] } }], ports: [{ port: 3000 }] },
      ];
    });
    expect(networkFindings(objects, rules)).toContain(
      'default-deny: ingress[0] to api admits 0.0.0.0/0, the whole VPC (every pod)',
    );
  });

  it('the nginx router admitting its whole controller namespace instead of the controller pods', () => {
    const nginx = byName('dev+nginx');
    const objects = seeded(nginx, 'api-ingress', (spec) => {
      delete spec.ingress[0].from[0].podSelector;
    });
    expect(networkFindings(objects, rulesOf(nginx))).toEqual([
      'api-ingress: ingress[0] to api admits {"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"ingress-nginx"}}} on 3000',
    ]);
  });

  it('ops egress without ports, to any address on another port, or to the Pod Identity agent under IRSA', () => {
    const noPorts = seeded(dev, 'ops-egress', (spec) => {
      delete spec.egress[1].ports;
    });
    expect(networkFindings(noPorts, rules)).toEqual([
      'ops-egress: egress[1] of the ops jobs has no ports: it reaches every port',
    ]);
    const http = seeded(dev, 'ops-egress', (spec) => {
      spec.egress[1].ports.push({ protocol: 'TCP', port: 80 });
    });
    expect(networkFindings(http, rules)).toEqual([
      'ops-egress: egress[1] of the ops jobs reaches {"ipBlock":{"cidr":"0.0.0.0/0"}} on TCP/80',
    ]);
    const irsa = byName('prod+irsa');
    const agent = seeded(irsa, 'ops-egress', (spec) => {
      spec.egress.push({
        to: [{ ipBlock: { cidr: '169.254.170.23/32' } }],
        ports: [{ protocol: 'TCP', port: 80 }],
      });
    });
    expect(networkFindings(agent, rulesOf(irsa))).toEqual([
      'ops-egress: egress[2] of the ops jobs reaches {"ipBlock":{"cidr":"169.254.170.23/32"}} on TCP/80',
    ]);
  });

  it('knows which ranges hold the VPC', () => {
    expect(contains('10.0.0.0/16', '10.0.0.0/16')).toBe(true);
    expect(contains('10.0.0.0/8', '10.0.0.0/16')).toBe(true);
    expect(contains('0.0.0.0/0', '10.0.0.0/16')).toBe(true);
    expect(contains('10.0.0.0/24', '10.0.0.0/16')).toBe(false);
    expect(contains('10.1.0.0/16', '10.0.0.0/16')).toBe(false);
  });
});
