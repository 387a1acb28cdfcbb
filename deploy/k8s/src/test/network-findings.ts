import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import type { K8sObject } from '../render.js';

/** The pods of one workload as its policies must see them. */
export interface PolicedWorkload {
  readonly name: string;
  /** Labels of its pod template. */
  readonly labels: Readonly<Record<string, string>>;
  /** Only an HTTP workload may take traffic from the load balancer, on `port`. */
  readonly http: boolean;
  readonly port: number;
  readonly metricsPort: number;
}

/** What the cluster network must look like, stated independently of the constructs that render it. */
export interface NetworkRules {
  /** No ingress peer may admit this range (with the VPC CNI it is every pod) or any range holding it. */
  readonly vpcCidr: string;
  /** The only peers allowed on an HTTP workload's serving port: the load balancer's subnets or pods. */
  readonly loadBalancer: readonly INetworkPolicyPeer[];
  /** The only peer allowed on a metrics port: the Prometheus pods in the monitoring namespace. */
  readonly prometheus: INetworkPolicyPeer;
  readonly workloads: readonly PolicedWorkload[];
  /** The ops jobs' pods and what they may call. */
  readonly ops: {
    readonly labels: Readonly<Record<string, string>>;
    readonly databaseCidrs: readonly string[];
    readonly databasePort: number;
    /** Link-local credential endpoint on port 80 (the Pod Identity agent), if the identity needs one. */
    readonly credentialCidr?: string;
  };
}

type Policy = Pick<INetworkPolicy, 'metadata' | 'spec'>;
type Rule = { peers?: INetworkPolicyPeer[]; ports?: { port?: number | string; protocol?: string }[] };

/** The only port on which the ops jobs may reach any address: HTTPS to the AWS APIs (README "Network"). */
export const OPEN_EGRESS_PORT = 443;
const DNS_PEER: INetworkPolicyPeer = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
};

/**
 * Every flow the rendered NetworkPolicies allow beyond `rules`, one line per finding (empty when tight).
 * Only what a policy admits counts: default deny is checked elsewhere, and a finding names the policy.
 */
export function networkFindings(objects: readonly K8sObject[], rules: NetworkRules): string[] {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as unknown as Policy[];
  const findings: string[] = [];
  for (const w of rules.workloads) {
    for (const p of selecting(policies, w.labels, 'Ingress')) {
      for (const [i, r] of (p.spec?.ingress ?? []).entries()) {
        const where = `${p.metadata?.name}: ingress[${i}] to ${w.name}`;
        findings.push(...ingressRuleFindings(where, { peers: r.from, ports: r.ports }, w, rules));
      }
    }
  }
  for (const p of selecting(policies, rules.ops.labels, 'Egress')) {
    for (const [i, r] of (p.spec?.egress ?? []).entries()) {
      const where = `${p.metadata?.name}: egress[${i}] of the ops jobs`;
      findings.push(...opsRuleFindings(where, { peers: r.to, ports: r.ports }, rules));
    }
  }
  return findings;
}

function ingressRuleFindings(where: string, r: Rule, w: PolicedWorkload, rules: NetworkRules): string[] {
  if (!r.peers?.length) return [`${where} has no \`from\`: it admits every source`];
  if (!r.ports?.length) return [`${where} has no ports: it admits every port`];
  const out: string[] = [];
  for (const peer of r.peers) {
    const cidr = peer.ipBlock?.cidr;
    if (cidr && contains(cidr, rules.vpcCidr)) out.push(`${where} admits ${cidr}, the whole VPC (every pod)`);
    for (const { port } of r.ports) {
      const allowed = [
        ...(port === w.metricsPort ? [rules.prometheus] : []),
        ...(w.http && port === w.port ? rules.loadBalancer : []),
      ];
      if (!allowed.some((a) => same(a, peer))) out.push(`${where} admits ${JSON.stringify(peer)} on ${port}`);
    }
  }
  return out;
}

function opsRuleFindings(where: string, r: Rule, rules: NetworkRules): string[] {
  const o = rules.ops;
  if (!r.ports?.length) return [`${where} has no ports: it reaches every port`];
  if (!r.peers?.length) return [`${where} has no \`to\`: it reaches every address`];
  const out: string[] = [];
  for (const peer of r.peers) {
    const cidr = peer.ipBlock?.cidr;
    for (const { port, protocol } of r.ports) {
      const ok =
        (same(peer, DNS_PEER) && port === 53) ||
        (cidr !== undefined && o.databaseCidrs.includes(cidr) && port === o.databasePort) ||
        (cidr !== undefined && cidr === o.credentialCidr && port === 80) ||
        (cidr !== undefined && isAny(cidr) && port === OPEN_EGRESS_PORT && (protocol ?? 'TCP') === 'TCP');
      if (!ok) out.push(`${where} reaches ${JSON.stringify(peer)} on ${protocol ?? 'TCP'}/${port}`);
    }
  }
  return out;
}

/** Policies of type `type` whose pod selector picks pods labelled `labels` (`{}` picks every pod). */
function selecting(
  policies: readonly Policy[],
  labels: Readonly<Record<string, string>>,
  type: 'Ingress' | 'Egress',
) {
  return policies.filter(
    (p) =>
      p.spec?.policyTypes?.includes(type) &&
      Object.entries(p.spec.podSelector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v),
  );
}

const same = (a: INetworkPolicyPeer, b: INetworkPolicyPeer) => canonical(a) === canonical(b);
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );

const isAny = (cidr: string) => cidr.endsWith('/0');

/** Whether IPv4 range `outer` holds all of `inner`. */
export function contains(outer: string, inner: string): boolean {
  const [oa, ob] = parse(outer);
  const [ia, ib] = parse(inner);
  return ob <= ib && Math.floor(oa / 2 ** (32 - ob)) === Math.floor(ia / 2 ** (32 - ob));
}

function parse(cidr: string): [number, number] {
  const [address = '', bits = '32'] = cidr.split('/');
  return [address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0), Number(bits)];
}
