import type { Workload } from '@conduit/platform';
import { Construct } from 'constructs';
import type { Router } from '../routers/router.js';

export interface TrafficProps {
  /** The stage's router module (`routerOf`), which writes the Ingress objects. */
  readonly router: Router;
  /** The app namespace (a DNS label) the Ingress objects live in. */
  readonly namespace: string;
  /** Public host name the routes answer on (a lowercase DNS name). */
  readonly host: string;
  /** The stage's workloads, in the model's order; only HTTP ones get routes. */
  readonly workloads: readonly Workload[];
}

/** The public entry point: whatever the stage's router (`routers/`) routes the HTTP workloads with. */
export class Traffic extends Construct {
  constructor(scope: Construct, id: string, props: TrafficProps) {
    super(scope, id);
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(props.namespace)) {
      throw new Error(`Traffic: namespace (${props.namespace}) must be a DNS label`);
    }
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(props.host)) {
      throw new Error(`Traffic: host (${props.host}) must be a lowercase DNS name`);
    }
    if (!props.workloads.some((w) => w.kind === 'http')) {
      throw new Error('Traffic: workloads must include an HTTP workload, or there is nothing to route');
    }
    props.router.addRoutes(this, {
      namespace: props.namespace,
      host: props.host,
      workloads: props.workloads,
    });
  }
}
