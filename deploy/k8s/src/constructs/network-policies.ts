import { migrateJobName, OPS_IMAGE, type Workload } from '@conduit/platform';
import { Construct } from 'constructs';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import type { EgressRule, WorkloadIdentity } from '../identities/identity.js';
import type { Router } from '../routers/router.js';
import type { DatabaseSettings } from '../settings.js';
import { manifest, PART_OF, selectorLabels } from './object.js';

/** Pod selector labels of the pods that are not workloads: the ops jobs. */
export const POD_SELECTORS = {
  ops: { 'app.kubernetes.io/name': OPS_IMAGE.image },
} as const;

/**
 * HTTPS to the AWS APIs, the one flow to addresses outside the cluster that cannot be narrower than "any
 * address on 443" (README "Network"): S3 goes through the VPC's gateway endpoint, i.e. to S3's public
 * prefix-list addresses, which an ipBlock cannot follow; the RDS API (ops jobs) and SES (notifier) have no
 * interface endpoint and leave through NAT. STS and Secrets Manager resolve to interface endpoints in the
 * VPC, inside this range. No other port leaves the cluster.
 */
export function awsHttpsEgress(): EgressRule {
  return { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }] };
}

export interface NetworkPoliciesProps {
  /** The app namespace (a DNS label) the policies live in. */
  readonly namespace: string;
  /** The stage's workloads; each gets the flows the model says it needs, nothing else. */
  readonly workloads: readonly Workload[];
  /** The stage's router module (`routerOf`): who may reach the HTTP workloads' serving ports. */
  readonly router: Router;
  /** The stage's workload identity (`identityOf`): the egress pods need to obtain AWS credentials. */
  readonly identity: WorkloadIdentity;
  /** Namespace and pod labels of the Prometheus that scrapes the workloads' metrics ports. */
  readonly prometheus: { readonly namespace: string; readonly podLabels: Readonly<Record<string, string>> };
  /** PostgreSQL port and the database's private subnets: the only database egress the pods get. */
  readonly database: Pick<DatabaseSettings, 'port' | 'subnetCidrs'>;
  /**
   * OTLP endpoint of the trace collector (`http://<service>.<namespace>.svc[:port]`); tracing workloads
   * may reach its namespace on its port.
   * @default none: no egress to a collector
   */
  readonly otlpEndpoint?: string;
  /**
   * How e-mail leaves: `ses` is the SES API's HTTPS (no mail port opens), `smtp` a relay outside the cluster
   * on the submission port 587.
   */
  readonly emailTransport: 'ses' | 'smtp';
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

function validate(props: NetworkPoliciesProps): void {
  const fail = (field: string, rule: string): never => {
    throw new Error(`NetworkPolicies: ${field} ${rule}`);
  };
  if (!DNS_LABEL.test(props.namespace)) fail('namespace', `(${props.namespace}) must be a DNS label`);
  if (!DNS_LABEL.test(props.prometheus.namespace)) {
    fail('prometheus.namespace', `(${props.prometheus.namespace}) must be a DNS label`);
  }
  if (Object.keys(props.prometheus.podLabels).length === 0) {
    fail('prometheus.podLabels', 'must not be empty (an empty selector admits every pod of the namespace)');
  }
  const { port, subnetCidrs } = props.database;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    fail('database.port', `(${port}) must be a TCP port`);
  if (subnetCidrs.length === 0) fail('database.subnetCidrs', 'must not be empty');
  for (const cidr of subnetCidrs) {
    if (!CIDR.test(cidr)) fail('database.subnetCidrs', `(${cidr}) must be an IPv4 CIDR`);
    if (cidr.endsWith('/0')) fail('database.subnetCidrs', `(${cidr}) must not be any address`);
  }
}

/** Default deny in both directions, then one policy per allowed flow. */
export class NetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: NetworkPoliciesProps) {
    super(scope, id);
    validate(props);
    const ns = props.namespace;
    const policy = (name: string, spec: INetworkPolicy['spec']) =>
      manifest<INetworkPolicy>(this, {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name, namespace: ns, labels: { 'app.kubernetes.io/part-of': PART_OF } },
        spec,
      });

    policy('default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    policy('allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    });

    const { router } = props;
    const lb = router.peers();
    const prometheus: INetworkPolicyPeer = {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': props.prometheus.namespace } },
      podSelector: { matchLabels: { ...props.prometheus.podLabels } },
    };
    const db = databasePeers(props.database);
    const collector = collectorPeer(props.otlpEndpoint);
    // Plus whatever the identity module needs to hand out credentials (Pod Identity: the node's agent).
    const awsApis: EgressRule[] = [awsHttpsEgress(), ...props.identity.credentialEgress()];
    // A relay outside the cluster whose address the model does not know; only the submission port (STARTTLS).
    const smtpRelay: EgressRule = {
      to: [{ ipBlock: { cidr: '0.0.0.0/0' } }],
      ports: [{ protocol: 'TCP', port: 587 }],
    };
    for (const workload of props.workloads) {
      const pods = selectorLabels(workload.name);
      const tcp = (port: number) => [{ protocol: 'TCP' as const, port }];
      const ingress: NetworkPolicyIngressRule[] = [
        { from: [prometheus], ports: tcp(workload.metricsPort ?? workload.port) },
      ];
      // Only an HTTP service takes traffic from the router (its requests and, for the ALB, its health checks),
      // on the serving port only; every workload is scraped, on its metrics port, by Prometheus alone.
      if (workload.kind === 'http') ingress.unshift({ from: lb, ports: tcp(workload.port) });
      policy(`${workload.name}-ingress`, {
        podSelector: { matchLabels: pods },
        policyTypes: ['Ingress'],
        ingress,
      });
      const egress: EgressRule[] = [
        ...(workload.uses.database ? [db] : []),
        ...(workload.uses.tracing && collector ? [collector] : []),
        ...(workload.aws ? awsApis : []),
        // E-mail without AWS goes to an SMTP relay on the submission port; with AWS it is the SES API's
        // HTTPS above, and no mail port opens.
        ...(workload.uses.email && props.emailTransport === 'smtp' ? [smtpRelay] : []),
      ];
      if (egress.length > 0) {
        policy(`${workload.name}-egress`, {
          podSelector: { matchLabels: pods },
          policyTypes: ['Egress'],
          egress,
        });
      }
    }
    const migrator = props.workloads.find((w) => w.migrations);
    if (migrator) {
      const pods = selectorLabels(migrateJobName(migrator.name));
      policy('migrate-egress', { podSelector: { matchLabels: pods }, policyTypes: ['Egress'], egress: [db] });
    }
    policy('ops-egress', {
      podSelector: { matchLabels: POD_SELECTORS.ops },
      policyTypes: ['Egress'],
      egress: [db, ...awsApis],
    });

    for (const extra of router.extraIngressPolicies()) {
      policy(extra.name, {
        podSelector: { matchLabels: extra.podSelector },
        policyTypes: ['Ingress'],
        ingress: [{ from: router.peers(), ports: [{ protocol: 'TCP', port: extra.port }] }],
      });
    }
  }
}

type NetworkPolicyIngressRule = NonNullable<NonNullable<INetworkPolicy['spec']>['ingress']>[number];

/** The trace collector's namespace and port, from the OTLP endpoint; none when tracing is off. */
function collectorPeer(otlpEndpoint: string | undefined): EgressRule | undefined {
  if (!otlpEndpoint) return undefined;
  const url = new URL(otlpEndpoint);
  const namespace = url.hostname.split('.')[1];
  if (!namespace) throw new Error(`otlpEndpoint (${otlpEndpoint}) must be <service>.<namespace>.svc`);
  return {
    to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } }],
    ports: [{ protocol: 'TCP', port: Number(url.port || 4318) }],
  };
}

function databasePeers(d: NetworkPoliciesProps['database']): EgressRule {
  return {
    to: d.subnetCidrs.map((cidr) => ({ ipBlock: { cidr } })),
    ports: [{ protocol: 'TCP', port: d.port }],
  };
}
