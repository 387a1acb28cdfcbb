import type { IAnalysisTemplate } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate';
import { Construct } from 'constructs';
import {
  type AnalysisMetric,
  apiMetrics,
  conditions,
  podMetrics,
  templateArgs,
} from '../analysis/metrics.js';
import type { RenderSettings } from '../settings.js';
import { manifest, PART_OF } from './object.js';

/** In-cluster address of the Prometheus that kube-prometheus-stack installs. */
export const PROMETHEUS_ADDRESS = 'http://kube-prometheus-stack-prometheus.monitoring.svc:9090';

export const TEMPLATES = {
  podHealth: { background: 'pod-health', step: 'pod-health-step' },
  apiHttp: { background: 'api-http', step: 'api-http-step' },
} as const;

/**
 * AnalysisTemplates in two cadences from the same metric definitions: background (runs from the first
 * canary step until the release ends) and step (a fixed number of measurements between weights).
 */
export class AnalysisTemplates extends Construct {
  constructor(scope: Construct, id: string, stage: RenderSettings) {
    super(scope, id);
    const groups = [
      { names: TEMPLATES.podHealth, metrics: podMetrics },
      { names: TEMPLATES.apiHttp, metrics: apiMetrics },
    ];
    for (const { names, metrics } of groups) {
      this.template(stage, names.background, metrics, 'background');
      this.template(stage, names.step, metrics, 'step');
    }
  }

  private template(
    stage: RenderSettings,
    name: string,
    metrics: readonly AnalysisMetric[],
    kind: 'background' | 'step',
  ) {
    const a = stage.analysis;
    manifest<IAnalysisTemplate>(this, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name, namespace: stage.namespace, labels: { 'app.kubernetes.io/part-of': PART_OF } },
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
