import { ciRolesOf, SERVICE_ACCOUNTS, type StageName, type Workload } from '@conduit/platform';
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { CiAccess } from '../constructs/ci-access.js';
import { AppNamespace } from '../constructs/namespace.js';
import { NetworkPolicies, type NetworkPoliciesProps } from '../constructs/network-policies.js';
import { RolloutsMonitor } from '../constructs/rollouts-monitor.js';
import { Secrets } from '../constructs/secrets.js';
import type { WorkloadIdentity } from '../identities/identity.js';
import type { Router } from '../routers/router.js';
import type { DatabaseSettings, SecretSettings } from '../settings.js';

export interface PlatformChartProps {
  /** The stage: its Grafana and Alertmanager secrets live under `secretPrefix(stage)`. */
  readonly stage: StageName;
  /** The app namespace (a DNS label): the namespace itself, its secrets and its network policies. */
  readonly namespace: string;
  /** The stage's workloads, in the model's order: named by the PriorityClass, each with its network policies. */
  readonly workloads: readonly Workload[];
  /** The stage's router module (`routerOf`): namespace labels, its platform objects, who reaches the HTTP ports. */
  readonly router: Router;
  /** The stage's workload identity (`identityOf`): the secret store's auth and the pods' credential egress. */
  readonly identity: WorkloadIdentity;
  /** Region of Secrets Manager and the name of the JWT signing secret there. */
  readonly secrets: Pick<SecretSettings, 'region' | 'jwtSecretName'>;
  /** deploy/aws's database: the Secrets Manager name of its credentials, its port and its subnets. */
  readonly database: Pick<DatabaseSettings, 'secretName' | 'port' | 'subnetCidrs'>;
  /** Namespace and pod labels of the Prometheus that scrapes the workloads. */
  readonly prometheus: NetworkPoliciesProps['prometheus'];
  /**
   * OTLP endpoint of the trace collector, which tracing workloads may reach.
   * @default none: no egress to a collector
   */
  readonly otlpEndpoint?: string;
  /** How e-mail leaves: `ses` through the SES API's HTTPS, `smtp` through a relay on port 587. */
  readonly emailTransport: NetworkPoliciesProps['emailTransport'];
}

/** What must exist before the app syncs: namespace, priority, secrets, the router's issuer, network policies. */
export class PlatformChart extends Chart {
  constructor(scope: Construct, id: string, props: PlatformChartProps) {
    super(scope, id);
    const { router, identity } = props;
    new AppNamespace(this, 'namespace', {
      name: props.namespace,
      routerLabels: router.namespaceLabels(),
      workloadNames: props.workloads.map((w) => w.name),
    });
    new Secrets(this, 'secrets', {
      stage: props.stage,
      namespace: props.namespace,
      region: props.secrets.region,
      jwtSecretName: props.secrets.jwtSecretName,
      databaseSecretName: props.database.secretName,
      storeAuth: identity.secretStoreAuth(SERVICE_ACCOUNTS.externalSecrets),
    });
    router.addPlatformObjects(this);
    new RolloutsMonitor(this, 'rollouts-monitor');
    new CiAccess(this, 'ci-access', {
      namespace: props.namespace,
      groups: ciRolesOf(props.stage).flatMap((r) => (r.kubernetesGroup ? [r.kubernetesGroup] : [])),
    });
    new NetworkPolicies(this, 'network', {
      namespace: props.namespace,
      workloads: props.workloads,
      router,
      identity,
      prometheus: props.prometheus,
      database: { port: props.database.port, subnetCidrs: props.database.subnetCidrs },
      ...(props.otlpEndpoint ? { otlpEndpoint: props.otlpEndpoint } : {}),
      emailTransport: props.emailTransport,
    });
  }
}
