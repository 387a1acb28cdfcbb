import type { IAnalysisTemplate } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate';
import { Construct } from 'constructs';
import {
  type AnalysisMetric,
  apiMetrics,
  conditions,
  podMetrics,
  templateArgs,
} from '../analysis/metrics.js';
import type { AnalysisCadence } from '../settings.js';
import { manifest, PART_OF } from './object.js';

/** In-cluster address of the Prometheus that kube-prometheus-stack installs. */
export const PROMETHEUS_ADDRESS = 'http://kube-prometheus-stack-prometheus.monitoring.svc:9090';

export const TEMPLATES = {
  podHealth: { background: 'pod-health', step: 'pod-health-step' },
  apiHttp: { background: 'api-http', step: 'api-http-step' },
} as const;

export interface AnalysisTemplatesProps {
  /** The app namespace (a DNS label) the templates live in, beside the Rollouts that run them. */
  readonly namespace: string;
  /** Cadence of every metric: interval, initial delay, failure and inconclusive limits, step count. */
  readonly analysis: AnalysisCadence;
}

/**
 * AnalysisTemplates in two cadences from the same metric definitions: background (runs from the first
 * canary step until the release ends) and step (a fixed number of measurements between weights).
 */
export class AnalysisTemplates extends Construct {
  constructor(scope: Construct, id: string, props: AnalysisTemplatesProps) {
    super(scope, id);
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(props.namespace)) {
      throw new Error(`AnalysisTemplates: namespace (${props.namespace}) must be a DNS label`);
    }
    for (const [field, value] of Object.entries(props.analysis)) {
      if (!Number.isInteger(value) || value < 0) {
        throw new Error(
          `AnalysisTemplates: analysis.${field} (${value}) must be a whole number, not negative`,
        );
      }
    }
    const groups = [
      { names: TEMPLATES.podHealth, metrics: podMetrics },
      { names: TEMPLATES.apiHttp, metrics: apiMetrics },
    ];
    for (const { names, metrics } of groups) {
      this.template(props, names.background, metrics, 'background');
      this.template(props, names.step, metrics, 'step');
    }
  }

  private template(
    props: AnalysisTemplatesProps,
    name: string,
    metrics: readonly AnalysisMetric[],
    kind: 'background' | 'step',
  ) {
    const a = props.analysis;
    manifest<IAnalysisTemplate>(this, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name, namespace: props.namespace, labels: { 'app.kubernetes.io/part-of': PART_OF } },
      spec: {
        args: [{ name: 'namespace' }, { name: 'rollout' }, { name: 'canary-hash' }],
        metrics: metrics.map((m) => ({
          name: m.name,
          interval: `${a.intervalSeconds}s`,
          ...(kind === 'background' ? { initialDelay: `${a.initialDelaySeconds}s` } : { count: a.stepCount }),
          failureLimit: a.failureLimit,
          inconclusiveLimit: a.inconclusiveLimit,
          // A Prometheus outage is an error, not a verdict; a few in a row abort rather than hang.
          consecutiveErrorLimit: 3,
          ...conditions(m),
          provider: {
            prometheus: { address: PROMETHEUS_ADDRESS, query: m.query(templateArgs), timeout: 10 },
          },
        })),
      },
    });
  }
}
