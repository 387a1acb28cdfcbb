import { SERVICE_ACCOUNTS } from '@conduit/platform';
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { AppNamespace } from '../constructs/namespace.js';
import { NetworkPolicies } from '../constructs/network-policies.js';
import { RolloutsMonitor } from '../constructs/rollouts-monitor.js';
import { Secrets } from '../constructs/secrets.js';
import { identityOf } from '../identities/index.js';
import { routerOf } from '../routers/index.js';
import type { RenderSettings } from '../settings.js';

/** What must exist before the app syncs: namespace, priority, secrets, the router's issuer, network policies. */
export class PlatformChart extends Chart {
  constructor(scope: Construct, id: string, stage: RenderSettings) {
    super(scope, id);
    const router = routerOf(stage);
    new AppNamespace(this, 'namespace', {
      name: stage.namespace,
      routerLabels: router.namespaceLabels(),
      workloadNames: stage.workloads.map((w) => w.workload.name),
    });
    new Secrets(this, 'secrets', {
      stage: stage.name,
      namespace: stage.namespace,
      region: stage.secrets.region,
      jwtSecretName: stage.secrets.jwtSecretName,
      databaseSecretName: stage.database.secretName,
      storeAuth: identityOf(stage).secretStoreAuth(SERVICE_ACCOUNTS.externalSecrets),
    });
    router.addPlatformObjects(this);
    new RolloutsMonitor(this, 'rollouts-monitor');
    new NetworkPolicies(this, 'network', {
      namespace: stage.namespace,
      workloads: stage.workloads.map(({ workload }) => workload),
      router,
      identity: identityOf(stage),
      prometheus: stage.prometheus,
      database: { port: stage.database.port, subnetCidrs: stage.database.subnetCidrs },
      ...(stage.otlpEndpoint ? { otlpEndpoint: stage.otlpEndpoint } : {}),
      emailTransport: stage.aws ? 'ses' : 'smtp',
    });
  }
}
