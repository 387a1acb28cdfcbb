import { Construct } from 'constructs';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import type { StageSettings } from '../settings.js';
import { CNPG_CLUSTER } from './database-ref.js';
import { manifest, PART_OF } from './object.js';

/** Pod selector labels of each kind of pod in the app namespace. */
export const POD_SELECTORS = {
  api: { 'app.kubernetes.io/name': 'api' },
  web: { 'app.kubernetes.io/name': 'web' },
  migrate: { 'app.kubernetes.io/name': 'api-migrate' },
  ops: { 'app.kubernetes.io/name': 'ops' },
  database: { 'cnpg.io/cluster': CNPG_CLUSTER },
} as const;

/** EKS Pod Identity agent on every node (link-local). */
const POD_IDENTITY_AGENT = '169.254.170.23/32';

export interface NetworkPoliciesProps {
  readonly stage: StageSettings;
  readonly apiPort: number;
  readonly webPort: number;
  readonly webMetricsPort: number;
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
    policy('web-ingress', {
      podSelector: { matchLabels: POD_SELECTORS.web },
      policyTypes: ['Ingress'],
      ingress: [
        { from: lb, ports: [{ protocol: 'TCP', port: props.webPort }] },
        { from: [prometheus], ports: [{ protocol: 'TCP', port: props.webMetricsPort }] },
      ],
    });
    // The API serves /metrics on its app port.
    policy('api-ingress', {
      podSelector: { matchLabels: POD_SELECTORS.api },
      policyTypes: ['Ingress'],
      ingress: [
        { from: lb, ports: [{ protocol: 'TCP', port: props.apiPort }] },
        { from: [prometheus], ports: [{ protocol: 'TCP', port: props.apiPort }] },
      ],
    });

    const db = databasePeers(stage);
    const apiEgress: NonNullable<INetworkPolicy['spec']>['egress'] = [db];
    if (stage.otlpEndpoint) {
      const url = new URL(stage.otlpEndpoint);
      const collectorNs = url.hostname.split('.')[1];
      if (!collectorNs)
        throw new Error(`otlpEndpoint (${stage.otlpEndpoint}) must be <service>.<namespace>.svc`);
      apiEgress.push({
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': collectorNs } } }],
        ports: [{ protocol: 'TCP', port: Number(url.port || 4318) }],
      });
    }
    policy('api-egress', {
      podSelector: { matchLabels: POD_SELECTORS.api },
      policyTypes: ['Egress'],
      egress: apiEgress,
    });
    policy('migrate-egress', {
      podSelector: { matchLabels: POD_SELECTORS.migrate },
      policyTypes: ['Egress'],
      egress: [db],
    });
    policy('ops-egress', {
      podSelector: { matchLabels: POD_SELECTORS.ops },
      policyTypes: ['Egress'],
      egress: [
        db,
        // Object storage and AWS APIs are only reachable over HTTPS; their addresses are not stable.
        { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }] },
        { to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT } }], ports: [{ protocol: 'TCP', port: 80 }] },
      ],
    });

    if (stage.database.kind === 'cnpg') {
      const clients = [
        POD_SELECTORS.api,
        POD_SELECTORS.migrate,
        POD_SELECTORS.ops,
        POD_SELECTORS.database,
      ].map((matchLabels) => ({ podSelector: { matchLabels } }));
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

function loadBalancerPeers(stage: StageSettings): INetworkPolicyPeer[] {
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

function databasePeers(
  stage: StageSettings,
): NonNullable<NonNullable<INetworkPolicy['spec']>['egress']>[number] {
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
