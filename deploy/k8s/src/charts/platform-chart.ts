import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { AppNamespace } from '../constructs/namespace.js';
import { NetworkPolicies } from '../constructs/network-policies.js';
import { RolloutsMonitor } from '../constructs/rollouts-monitor.js';
import { Secrets } from '../constructs/secrets.js';
import { routerOf } from '../routers/index.js';
import type { RenderSettings } from '../settings.js';

/** What must exist before the app syncs: namespace, priority, secrets, the router's issuer, network policies. */
export class PlatformChart extends Chart {
  constructor(scope: Construct, id: string, stage: RenderSettings) {
    super(scope, id);
    new AppNamespace(this, 'namespace', stage);
    new Secrets(this, 'secrets', stage);
    routerOf(stage).addPlatformObjects(this, stage);
    new RolloutsMonitor(this, 'rollouts-monitor');
    new NetworkPolicies(this, 'network', { stage });
  }
}
