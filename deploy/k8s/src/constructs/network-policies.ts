import { migrateJobName, OPS_IMAGE } from '@conduit/platform';
import { Construct } from 'constructs';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import type { RenderSettings } from '../settings.js';
import { CNPG_CLUSTER } from './database-ref.js';
import { manifest, PART_OF, selectorLabels } from './object.js';

/** Pod selector labels of the pods that are not workloads: migration hooks, ops jobs, the in-cluster database. */
export const POD_SELECTORS = {
  ops: { 'app.kubernetes.io/name': OPS_IMAGE.image },
  database: { 'cnpg.io/cluster': CNPG_CLUSTER },
} as const;

/** EKS Pod Identity agent on every node (link-local). */
const POD_IDENTITY_AGENT = '169.254.170.23/32';

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

    const lb = loadBalancerPeers(stage);
    const prometheus: INetworkPolicyPeer = {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': stage.prometheus.namespace } },
      podSelector: { matchLabels: { ...stage.prometheus.podLabels } },
    };
    const db = databasePeers(stage);
    const collector = collectorPeer(stage);
    const awsApis: NetworkPolicyEgressRule[] = [
      // AWS APIs are only reachable over HTTPS; their addresses are not stable.
      { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }] },
      { to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT } }], ports: [{ protocol: 'TCP', port: 80 }] },
    ];
    // A relay outside the cluster whose address the model does not know; only the submission port (STARTTLS).
    const smtpRelay: NetworkPolicyEgressRule = {
      to: [{ ipBlock: { cidr: '0.0.0.0/0' } }],
      ports: [{ protocol: 'TCP', port: 587 }],
    };
    const databaseClients: Record<string, string>[] = [];
    for (const { workload } of stage.workloads) {
      const pods = selectorLabels(workload.name);
      const tcp = (port: number) => [{ protocol: 'TCP' as const, port }];
      const ingress: NetworkPolicyIngressRule[] = [
        { from: [prometheus], ports: tcp(workload.metricsPort ?? workload.port) },
      ];
      // Only an HTTP service takes traffic from the router; every workload is scraped.
      if (workload.kind === 'http') ingress.unshift({ from: lb, ports: tcp(workload.port) });
      policy(`${workload.name}-ingress`, {
        podSelector: { matchLabels: pods },
        policyTypes: ['Ingress'],
        ingress,
      });
      const egress: NetworkPolicyEgressRule[] = [
        ...(workload.uses.database ? [db] : []),
        ...(workload.uses.tracing && collector ? [collector] : []),
        ...(workload.aws ? awsApis : []),
        // E-mail without AWS goes to an SMTP relay on the submission port; with AWS it is the SES API's
        // HTTPS above, and no mail port opens.
        ...(workload.uses.email && !stage.aws ? [smtpRelay] : []),
      ];
      if (workload.uses.database) databaseClients.push(pods);
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
      databaseClients.push(pods);
      policy('migrate-egress', { podSelector: { matchLabels: pods }, policyTypes: ['Egress'], egress: [db] });
    }
    policy('ops-egress', {
      podSelector: { matchLabels: POD_SELECTORS.ops },
      policyTypes: ['Egress'],
      egress: [db, ...awsApis],
    });

    if (stage.database.kind === 'cnpg') {
      const clients = [...databaseClients, POD_SELECTORS.ops, POD_SELECTORS.database].map((matchLabels) => ({
        podSelector: { matchLabels },
      }));
      policy('database-ingress', {
        podSelector: { matchLabels: POD_SELECTORS.database },
        policyTypes: ['Ingress'],
        ingress: [
          { from: clients, ports: [{ protocol: 'TCP', port: 5432 }] },
          {
            from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'cnpg-system' } } }],
            ports: [{ protocol: 'TCP', port: 8000 }],
          },
          { from: [prometheus], ports: [{ protocol: 'TCP', port: 9187 }] },
        ],
      });
      policy('database-egress', {
        podSelector: { matchLabels: POD_SELECTORS.database },
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{ podSelector: { matchLabels: POD_SELECTORS.database } }],
            ports: [{ protocol: 'TCP', port: 5432 }],
          },
          // The instance manager talks to the Kubernetes API; backups go to object storage.
          {
            to: [{ ipBlock: { cidr: '0.0.0.0/0' } }],
            ports: [
              { protocol: 'TCP', port: 443 },
              { protocol: 'TCP', port: 6443 },
            ],
          },
        ],
      });
    }
  }
}

function loadBalancerPeers(stage: RenderSettings): INetworkPolicyPeer[] {
  const r = stage.router;
  switch (r.kind) {
    case 'alb':
      // Target type `ip`: the ALB's nodes connect from their ENIs inside the VPC.
      return r.sourceCidrs.map((cidr) => ({ ipBlock: { cidr } }));
    case 'nginx':
      return [
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': r.controllerNamespace } } },
      ];
    case 'istio':
      return [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': r.gatewayNamespace } } }];
  }
}

type NetworkPolicyEgressRule = NonNullable<NonNullable<INetworkPolicy['spec']>['egress']>[number];
type NetworkPolicyIngressRule = NonNullable<NonNullable<INetworkPolicy['spec']>['ingress']>[number];

/** The trace collector's namespace and port, from the OTLP endpoint; none when tracing is off. */
function collectorPeer(stage: RenderSettings): NetworkPolicyEgressRule | undefined {
  if (!stage.otlpEndpoint) return undefined;
  const url = new URL(stage.otlpEndpoint);
  const namespace = url.hostname.split('.')[1];
  if (!namespace) throw new Error(`otlpEndpoint (${stage.otlpEndpoint}) must be <service>.<namespace>.svc`);
  return {
    to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } }],
    ports: [{ protocol: 'TCP', port: Number(url.port || 4318) }],
  };
}

function databasePeers(stage: RenderSettings): NetworkPolicyEgressRule {
  const d = stage.database;
  if (d.kind === 'rds') {
    return {
      to: d.subnetCidrs.map((cidr) => ({ ipBlock: { cidr } })),
      ports: [{ protocol: 'TCP', port: d.port }],
    };
  }
  return {
    to: [{ podSelector: { matchLabels: POD_SELECTORS.database } }],
    ports: [{ protocol: 'TCP', port: 5432 }],
  };
}
