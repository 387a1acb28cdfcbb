import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { Database } from '../constructs/database.js';
import { AppNamespace } from '../constructs/namespace.js';
import { NetworkPolicies } from '../constructs/network-policies.js';
import { RolloutsMonitor } from '../constructs/rollouts-monitor.js';
import { Secrets } from '../constructs/secrets.js';
import type { RenderSettings } from '../settings.js';

/** What must exist before the app syncs: namespace, priority, secrets, database, network policies. */
export class PlatformChart extends Chart {
  constructor(scope: Construct, id: string, stage: RenderSettings) {
    super(scope, id);
    new AppNamespace(this, 'namespace', stage);
    new Secrets(this, 'secrets', stage);
    new Database(this, 'database', stage);
    new RolloutsMonitor(this, 'rollouts-monitor');
    new NetworkPolicies(this, 'network', { stage });
  }
}
