import { migrateJobName, OPS_IMAGE } from '@conduit/platform';
import { Construct } from 'constructs';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import type { EgressRule } from '../identities/identity.js';
import { identityOf } from '../identities/index.js';
import { routerOf } from '../routers/index.js';
import type { RenderSettings } from '../settings.js';
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
  /** The stage; each of its workloads gets the flows the model says it needs, nothing else. */
  readonly stage: RenderSettings;
}

/** Default deny in both directions, then one policy per allowed flow. */
export class NetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: NetworkPoliciesProps) {
    super(scope, id);
    const { stage } = props;
    const ns = stage.namespace;
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

    const router = routerOf(stage);
    const lb = router.peers();
    const prometheus: INetworkPolicyPeer = {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': stage.prometheus.namespace } },
      podSelector: { matchLabels: { ...stage.prometheus.podLabels } },
    };
    const db = databasePeers(stage);
    const collector = collectorPeer(stage);
    // Plus whatever the identity module needs to hand out credentials (Pod Identity: the node's agent).
    const awsApis: EgressRule[] = [awsHttpsEgress(), ...identityOf(stage).credentialEgress()];
    // A relay outside the cluster whose address the model does not know; only the submission port (STARTTLS).
    const smtpRelay: EgressRule = {
      to: [{ ipBlock: { cidr: '0.0.0.0/0' } }],
      ports: [{ protocol: 'TCP', port: 587 }],
    };
    for (const { workload } of stage.workloads) {
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
        ...(workload.uses.email && !stage.aws ? [smtpRelay] : []),
      ];
      if (egress.length > 0) {
        policy(`${workload.name}-egress`, {
          podSelector: { matchLabels: pods },
          policyTypes: ['Egress'],
          egress,
        });
      }
    }
    const migrator = stage.workloads.find((w) => w.workload.migrations);
    if (migrator) {
      const pods = selectorLabels(migrateJobName(migrator.workload.name));
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
function collectorPeer(stage: RenderSettings): EgressRule | undefined {
  if (!stage.otlpEndpoint) return undefined;
  const url = new URL(stage.otlpEndpoint);
  const namespace = url.hostname.split('.')[1];
  if (!namespace) throw new Error(`otlpEndpoint (${stage.otlpEndpoint}) must be <service>.<namespace>.svc`);
  return {
    to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } }],
    ports: [{ protocol: 'TCP', port: Number(url.port || 4318) }],
  };
}

function databasePeers(stage: RenderSettings): EgressRule {
  const d = stage.database;
  return {
    to: d.subnetCidrs.map((cidr) => ({ ipBlock: { cidr } })),
    ports: [{ protocol: 'TCP', port: d.port }],
  };
}
