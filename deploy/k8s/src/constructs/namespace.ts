import { Construct } from 'constructs';
import type { IPriorityClass } from 'kubernetes-models/scheduling.k8s.io/v1/PriorityClass';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import { PRIORITY_CLASS } from './app-workload.js';
import { manifest, PART_OF } from './object.js';

export const POD_SECURITY_VERSION = 'v1.33';

export interface AppNamespaceProps {
  /** The app namespace (a DNS label). */
  readonly name: string;
  /** Labels the stage's router needs on the namespace (ALB readiness gates). @default none */
  readonly routerLabels?: Readonly<Record<string, string>>;
  /** The workloads that run under the PriorityClass, named in its description. */
  readonly workloadNames: readonly string[];
}

/** The app namespace (Pod Security `restricted`, the router's labels) and the workloads' PriorityClass. */
export class AppNamespace extends Construct {
  constructor(scope: Construct, id: string, props: AppNamespaceProps) {
    super(scope, id);
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(props.name)) {
      throw new Error(`AppNamespace: name (${props.name}) must be a DNS label`);
    }
    if (props.workloadNames.length === 0) throw new Error('AppNamespace: workloadNames must not be empty');
    const labels: Record<string, string> = {
      'app.kubernetes.io/part-of': PART_OF,
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': POD_SECURITY_VERSION,
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/audit-version': POD_SECURITY_VERSION,
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/warn-version': POD_SECURITY_VERSION,
      ...props.routerLabels,
    };
    manifest<INamespace>(this, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: props.name, labels },
    });
    manifest<IPriorityClass>(this, {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: PRIORITY_CLASS, labels: { 'app.kubernetes.io/part-of': PART_OF } },
      value: 100_000,
      globalDefault: false,
      preemptionPolicy: 'PreemptLowerPriority',
      description: `Conduit ${new Intl.ListFormat('en').format(props.workloadNames)}: preempt batch work, never system components.`,
    });
  }
}
