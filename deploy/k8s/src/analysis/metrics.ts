/**
 * The canary analysis, defined once: the AnalysisTemplates, the promtool rule tests and the drill all render
 * their PromQL and their verdicts from these definitions, so what is tested is what is deployed.
 */

/** Values a query is rendered with: Argo Rollouts placeholders in templates, real values in tests. */
export interface QueryArgs {
  readonly namespace: string;
  /** Name of the Rollout; canary pods are named `<rollout>-<canaryHash>-<suffix>`. */
  readonly rollout: string;
  /** `rollouts-pod-template-hash` of the canary ReplicaSet. */
  readonly canaryHash: string;
}

/** The placeholders Argo Rollouts fills from the template's `args`. */
export const templateArgs: QueryArgs = {
  namespace: '{{args.namespace}}',
  rollout: '{{args.rollout}}',
  canaryHash: '{{args.canary-hash}}',
};

export interface AnalysisMetric {
  /** Metric name inside the AnalysisTemplate (also the base of the promtool verdict alerts). */
  readonly name: string;
  readonly description: string;
  readonly query: (a: QueryArgs) => string;
  /** The measurement fails when `value <op> threshold`; it passes when the opposite holds. */
  readonly failWhen: { readonly op: '>' | '<'; readonly threshold: number };
}

const canaryPods = (a: QueryArgs) => `namespace="${a.namespace}", pod=~"${a.rollout}-${a.canaryHash}-.*"`;
const canaryContainers = (a: QueryArgs) => `${canaryPods(a)}, container!="", container!="POD"`;

/** Signals every tier is judged by, read from kube-state-metrics and cAdvisor. */
export const podMetrics: readonly AnalysisMetric[] = [
  {
    name: 'container-restarts',
    description: 'more than 1 container restart of canary pods in 2 minutes',
    query: (a) => `sum(increase(kube_pod_container_status_restarts_total{${canaryPods(a)}}[2m]))`,
    failWhen: { op: '>', threshold: 1 },
  },
  {
    name: 'pods-not-ready',
    description: 'a canary pod not ready for a whole minute',
    query: (a) => `sum(min_over_time(kube_pod_status_ready{${canaryPods(a)}, condition="false"}[1m]))`,
    failWhen: { op: '>', threshold: 0 },
  },
  {
    // The OOM series exists only after a kill; the restart series proves the pods are known, so a
    // missing OOM series reads as 0 while missing pods stay empty (inconclusive).
    name: 'oom-kills',
    description: 'a canary container was OOM-killed',
    query: (a) =>
      `sum(kube_pod_container_status_last_terminated_reason{${canaryPods(a)}, reason="OOMKilled"}) or on() (0 * sum(kube_pod_container_status_restarts_total{${canaryPods(a)}}))`,
    failWhen: { op: '>', threshold: 0 },
  },
  {
    name: 'cpu-of-limit',
    description: 'a canary pod uses more than 90% of its CPU limit',
    query: (a) =>
      `max(sum by (pod) (rate(container_cpu_usage_seconds_total{${canaryContainers(a)}}[1m])) / sum by (pod) (kube_pod_container_resource_limits{${canaryPods(a)}, resource="cpu"}))`,
    failWhen: { op: '>', threshold: 0.9 },
  },
  {
    name: 'memory-of-limit',
    description: 'a canary pod uses more than 90% of its memory limit',
    query: (a) =>
      `max(sum by (pod) (container_memory_working_set_bytes{${canaryContainers(a)}}) / sum by (pod) (kube_pod_container_resource_limits{${canaryPods(a)}, resource="memory"}))`,
    failWhen: { op: '>', threshold: 0.9 },
  },
];

/** Request-level signals of the API, from its own metrics labelled `track` by the ServiceMonitor. */
export const apiMetrics: readonly AnalysisMetric[] = [
  {
    // No request in the window gives 0/0 = NaN (or no series): inconclusive, never a pass.
    name: 'success-rate',
    description: 'less than 99% of the canary API requests succeed (non-5xx)',
    query: (a) =>
      `sum(rate(http_requests_total{namespace="${a.namespace}", track="canary", status_code!~"5.."}[1m])) / sum(rate(http_requests_total{namespace="${a.namespace}", track="canary"}[1m]))`,
    failWhen: { op: '<', threshold: 0.99 },
  },
  {
    // Both p99s are floored at 100 ms so that two fast versions never look like a regression.
    name: 'p99-latency-vs-stable',
    description: 'canary p99 latency more than 1.5x the stable p99 (both floored at 100 ms)',
    query: (a) =>
      `clamp_min(histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="${a.namespace}", track="canary"}[2m]))), 0.1) / clamp_min(histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="${a.namespace}", track="stable"}[2m]))), 0.1)`,
    failWhen: { op: '>', threshold: 1.5 },
  },
];

export type Verdict = 'Successful' | 'Failed' | 'Inconclusive';

/** Argo Rollouts condition expressions; an empty result or NaN matches neither, so it is Inconclusive. */
export function conditions(m: AnalysisMetric): { successCondition: string; failureCondition: string } {
  const { op, threshold } = m.failWhen;
  const pass = op === '>' ? '<=' : '>=';
  const guard = 'len(result) == 1 && !isNaN(result[0])';
  return {
    successCondition: `${guard} && result[0] ${pass} ${threshold}`,
    failureCondition: `${guard} && result[0] ${op} ${threshold}`,
  };
}

/** The same verdict as `conditions()`, for a Prometheus vector result read over the HTTP API. */
export function verdict(m: AnalysisMetric, values: readonly number[]): Verdict {
  if (values.length !== 1) return 'Inconclusive';
  const v = values[0]!;
  if (Number.isNaN(v)) return 'Inconclusive';
  const { op, threshold } = m.failWhen;
  const failed = op === '>' ? v > threshold : v < threshold;
  return failed ? 'Failed' : 'Successful';
}

/**
 * PromQL twins of the two conditions, for `promtool test rules`: `<name>:pass` and `<name>:fail` alerts.
 * PromQL comparisons drop NaN and empty input, exactly as the conditions above refuse them.
 */
export function verdictRules(m: AnalysisMetric, a: QueryArgs): { alert: string; expr: string }[] {
  const { op, threshold } = m.failWhen;
  const pass = op === '>' ? '<=' : '>=';
  return [
    { alert: `${ruleName(m)}Pass`, expr: `(${m.query(a)}) ${pass} ${threshold}` },
    { alert: `${ruleName(m)}Fail`, expr: `(${m.query(a)}) ${op} ${threshold}` },
  ];
}

export function ruleName(m: AnalysisMetric): string {
  return m.name.replace(/(^|-)([a-z0-9])/g, (_, _d: string, c: string) => c.toUpperCase());
}
